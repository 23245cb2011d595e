// A real webhook receiver for tests: a node:http server on 127.0.0.1 that records every request, answers as told,
// verifies signatures with the published SDK like a customer's endpoint would, and can go down and come back on the
// same port.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhook, WebhookVerificationError } from "../../../sdk/src/index.js";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The body exactly as it arrived (signatures are over these bytes). */
  rawBody: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** Wall-clock time of arrival (Date.now()), for live-worker tests. */
  receivedAt: number;
  /** What verifyWebhook said with the receiver's secret at arrival: "ok", a reason, or "no secret". */
  verification: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface ReceiverOptions {
  /** The secret to verify every request with (can be set later with `useSecret`). */
  secret?: string;
  /** The receiver's notion of now, in ms (a test's fake clock); defaults to the real clock. */
  now?: () => number;
}

export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly queue: Reply[] = [];
  private fallback: Reply = { status: 200, body: "ok" };
  private secret: string | undefined;
  private readonly now: () => number;
  private server: http.Server | undefined;
  private port = 0;

  private constructor(options: ReceiverOptions) {
    this.secret = options.secret;
    this.now = options.now ?? Date.now;
  }

  static async start(options: ReceiverOptions = {}): Promise<Receiver> {
    const receiver = new Receiver(options);
    await receiver.listen();
    return receiver;
  }

  /** The URL of `path` on this receiver. */
  url(path = "/hook"): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  useSecret(secret: string): void {
    this.secret = secret;
  }

  /** Answers the next requests with these replies, in order; then with the default. */
  respond(...replies: Reply[]): void {
    this.queue.push(...replies);
  }

  /** The answer once the queued replies are used up (initially 200 "ok"). */
  respondAlways(reply: Reply): void {
    this.fallback = reply;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** Takes the receiver down: stops listening and cuts every open (keep-alive) connection. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  /** Brings the receiver back on the same port. */
  async restart(): Promise<void> {
    if (this.server) return;
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.stop();
  }

  /** Waits (in real time) until at least `count` requests have arrived; throws after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 5_000): Promise<ReceivedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      if (Date.now() > deadline) {
        throw new Error(
          `receiver got ${this.requests.length} request(s), expected ${count} within ${timeoutMs} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.requests;
  }

  private listen(port = 0): Promise<void> {
    const server = http.createServer((req, res) => this.handle(req, res));
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        this.server = server;
        this.port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = JSON.parse(rawBody);
      } catch {
        json = undefined;
      }
      this.requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        rawBody,
        json,
        receivedAt: Date.now(),
        verification: this.verify(req.headers, rawBody),
      });
      const reply = this.queue.shift() ?? this.fallback;
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, reply.headers ?? {});
        res.end(reply.body ?? "");
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  }

  private verify(headers: http.IncomingHttpHeaders, rawBody: string): string {
    if (!this.secret) return "no secret";
    return verifyAt(this.secret, { headers, rawBody }, this.now());
  }
}

/**
 * What a customer's endpoint would conclude about `request` with `secret` at `nowMs`: "ok" or the SDK's reason.
 */
export function verifyAt(
  secret: string,
  request: Pick<ReceivedRequest, "headers" | "rawBody">,
  nowMs: number,
): string {
  try {
    verifyWebhook(secret, request.headers, request.rawBody, { now: Math.floor(nowMs / 1000) });
    return "ok";
  } catch (err) {
    if (err instanceof WebhookVerificationError) return err.reason;
    throw err;
  }
}
