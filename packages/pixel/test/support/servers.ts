// Two real origins on loopback: the customer's site, and the Vouch collector that serves the script and
// records every request it receives.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  method: string;
  path: string;
  contentType: string | undefined;
  cookie: string | undefined;
  origin: string | undefined;
  /** The JSON body, parsed (the text when it is not JSON). */
  body: unknown;
}

export interface VisitBody {
  k: string;
  vid: string;
  code: string;
  url: string;
  referrer: string;
}

export interface TrackBody {
  k: string;
  vid: string;
  event: string;
  data: Record<string, unknown>;
  refs: { code: string; ts: number }[];
}

export interface IdentifyBody {
  k: string;
  vid: string;
  email: string;
  name?: string;
  extra_field?: string;
  extra_field_2?: string;
  refs: { code: string; ts: number }[];
}

export interface Collector {
  origin: string;
  requests: Received[];
  /** What /api/v1/collect/identify answers (every other path answers 202 without a body). */
  identifyAnswer: { status: number; body: unknown; delayMs?: number };
  /** The bodies POSTed to /api/v1/collect/visit, /track or /identify, as sent (the shapes are what tests expect). */
  posts(path: "visit"): VisitBody[];
  posts(path: "track"): TrackBody[];
  posts(path: "identify"): IdentifyBody[];
  close(): Promise<void>;
}

export interface Site {
  origin: string;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      text += chunk;
    });
    req.on("end", () => resolve(text));
    req.on("error", reject);
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

/** Serves the built script (after `scriptDelayMs`, to let pages queue calls) and records what it is sent. */
export async function startCollector(
  script: Buffer,
  opts: { scriptDelayMs?: number } = {},
): Promise<Collector> {
  const requests: Received[] = [];
  const collector = { identifyAnswer: { status: 201, body: {} as unknown, delayMs: 0 } };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (req.method === "GET" && path === "/rht.min.js") {
      setTimeout(() => {
        res.writeHead(200, { "Content-Type": "text/javascript", "Cache-Control": "no-store" });
        res.end(script);
      }, opts.scriptDelayMs ?? 0);
      return;
    }
    const text = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    requests.push({
      method: req.method ?? "",
      path,
      contentType: req.headers["content-type"],
      cookie: req.headers.cookie,
      origin: req.headers.origin,
      body,
    });
    if (path === "/api/v1/collect/identify") {
      const { status, body: answer, delayMs } = collector.identifyAnswer;
      setTimeout(() => {
        res.writeHead(status, { "Access-Control-Allow-Origin": "*", "Content-Type": "application/json" });
        res.end(JSON.stringify(answer));
      }, delayMs ?? 0);
      return;
    }
    res.writeHead(202, { "Access-Control-Allow-Origin": "*" });
    res.end();
  });
  const origin = await listen(server);
  return {
    origin,
    requests,
    get identifyAnswer() {
      return collector.identifyAnswer;
    },
    set identifyAnswer(answer) {
      collector.identifyAnswer = { delayMs: 0, ...answer };
    },
    posts: ((kind: string) =>
      requests
        .filter((r) => r.method === "POST" && r.path === `/api/v1/collect/${kind}`)
        .map((r) => r.body)) as Collector["posts"],
    close: closer(server),
  };
}

/** Serves `pages[path]` as HTML; any other path is a 404. */
export async function startSite(pages: Record<string, string>): Promise<Site> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const html = pages[path];
    res.writeHead(html === undefined ? 404 : 200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(html ?? "not found");
  });
  // Same host as the collector, another port: a different origin, yet cookies (which ignore ports) would
  // reach the collector if the script ever sent credentials.
  const origin = await listen(server);
  return { origin, close: closer(server) };
}
