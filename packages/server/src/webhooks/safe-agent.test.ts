import type { LookupAddress } from "node:dns";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  ADDRESS_BLOCKED,
  checkWebhookUrl,
  createDeliveryAgents,
  type DeliveryAgents,
  deliver,
  type LookupAll,
} from "./safe-agent.js";

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
  remotePort: number | undefined;
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** A real receiver on 127.0.0.1; `handle` answers each request after its body was read. */
async function receiver(handle: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const received: Received[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      received.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body,
        remotePort: req.socket.remotePort,
      });
      handle(req, res);
    });
  });
  server.on("connection", () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const port = (server.address() as AddressInfo).port;
  return { port, received, connections: () => connections };
}

function agents(allowPrivate: boolean, lookup?: LookupAll): DeliveryAgents {
  const a = createDeliveryAgents({ allowPrivate, lookup });
  cleanup.push(() => {
    a.http.destroy();
    a.https.destroy();
  });
  return a;
}

/** Stand-in DNS: names map to fixed answers, anything else is NXDOMAIN. */
function fakeDns(answers: Record<string, string[]>): LookupAll {
  return (hostname, options, callback) => {
    const list = answers[hostname];
    if (!list) {
      const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      err.code = "ENOTFOUND";
      setImmediate(() => callback(err, []));
      return;
    }
    const addresses: LookupAddress[] = list
      .map((address) => ({ address, family: address.includes(":") ? 6 : 4 }))
      .filter((a) => !options.family || a.family === options.family);
    setImmediate(() => callback(null, addresses));
  };
}

const ok = (_req: http.IncomingMessage, res: http.ServerResponse) => res.end("thanks");
const payload = '{"type":"conversion.created"}';

describe("deliver through agents that block private addresses", () => {
  it.each([
    ["an IPv4 literal", (port: number) => `http://127.0.0.1:${port}/hook`, "127.0.0.1", "loopback"],
    ["a decimal IPv4 literal", (port: number) => `http://2130706433:${port}/hook`, "127.0.0.1", "loopback"],
    ["an IPv6 literal", (port: number) => `http://[::1]:${port}/hook`, "::1", "loopback"],
    [
      "an IPv4-mapped literal",
      (port: number) => `http://[::ffff:127.0.0.1]:${port}/`,
      "::ffff:7f00:1",
      "loopback",
    ],
    ["localhost", (port: number) => `http://localhost:${port}/hook`, "(resolved from localhost)", "loopback"],
  ])("refuses %s before any byte is sent", async (_name, url, named, cls) => {
    const server = await receiver(ok);
    const result = await deliver({
      url: url(server.port),
      headers: {},
      body: payload,
      agents: agents(false),
    });
    expect(result.status).toBeNull();
    expect(result.errorCode).toBe(ADDRESS_BLOCKED);
    expect(result.error).toContain(named);
    expect(result.error).toContain(`a ${cls} address`);
    expect(server.connections()).toBe(0);
  });

  it("refuses a name whose DNS answer is private (rebinding), naming the address dialled", async () => {
    const server = await receiver(ok);
    const dns = fakeDns({ "hooks.example.test": ["127.0.0.1"] });
    const result = await deliver({
      url: `http://hooks.example.test:${server.port}/`,
      headers: {},
      body: payload,
      agents: agents(false, dns),
    });
    expect(result.errorCode).toBe(ADDRESS_BLOCKED);
    expect(result.error).toBe(
      "Webhook delivery to 127.0.0.1 (resolved from hooks.example.test) blocked: it is a loopback address, not a public one",
    );
    expect(server.connections()).toBe(0);
  });

  it("refuses when any of several answers is private", async () => {
    const server = await receiver(ok);
    const dns = fakeDns({ "mixed.example.test": ["93.184.216.34", "10.0.0.7"] });
    const result = await deliver({
      url: `http://mixed.example.test:${server.port}/`,
      headers: {},
      body: payload,
      agents: agents(false, dns),
    });
    expect(result.errorCode).toBe(ADDRESS_BLOCKED);
    expect(result.error).toContain("10.0.0.7");
    expect(result.error).toContain("private");
  });

  it("refuses a raw http.request through the agent with a host URL parsing never normalised", async () => {
    const server = await receiver(ok);
    const a = agents(false);
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const req = http.request({ host: "0x7f000001", port: server.port, method: "POST", agent: a.http });
      req.on("error", resolve);
      req.end();
    });
    expect(error.code).toBe(ADDRESS_BLOCKED);
    expect(server.connections()).toBe(0);
  });

  it("refuses an https URL to a private address as well", async () => {
    const result = await deliver({
      url: "https://169.254.169.254/latest/meta-data",
      headers: {},
      body: payload,
      agents: agents(false),
    });
    expect(result.errorCode).toBe(ADDRESS_BLOCKED);
    expect(result.error).toContain("link_local");
  });
});

describe("deliver with allowPrivate", () => {
  it("POSTs the body and headers and returns status and response", async () => {
    const server = await receiver(ok);
    const result = await deliver({
      url: `http://127.0.0.1:${server.port}/hook?x=1`,
      headers: { "Webhook-Id": "msg_1", "webhook-timestamp": "1700000000", "webhook-signature": "v1,abc" },
      body: payload,
      agents: agents(true),
    });
    expect(result).toMatchObject({ status: 200, responseBody: "thanks" });
    expect(result.error).toBeUndefined();
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(server.received).toHaveLength(1);
    const [req] = server.received;
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe("/hook?x=1");
    expect(req?.body).toBe(payload);
    expect(req?.headers).toMatchObject({
      "webhook-id": "msg_1",
      "webhook-timestamp": "1700000000",
      "webhook-signature": "v1,abc",
      "content-type": "application/json",
      "content-length": String(payload.length),
    });
  });

  it("dials the address its lookup returned, for lookups with all: true and without", async () => {
    const server = await receiver(ok);
    const families: Array<number | string | undefined> = [];
    const answer = fakeDns({ "hooks.example.test": ["127.0.0.1"] });
    const dns: LookupAll = (hostname, options, callback) => {
      families.push(options.family);
      answer(hostname, options, callback);
    };
    const result = await deliver({
      url: `http://hooks.example.test:${server.port}/`,
      headers: {},
      body: payload,
      agents: agents(true, dns),
    });
    expect(result.status).toBe(200);
    // A fixed family turns off happy eyeballs, so Node asks the agent's lookup for a single address.
    const a = agents(true, dns);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = http.request({
        host: "hooks.example.test",
        port: server.port,
        agent: a.http,
        family: 4,
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(families.map((f) => f ?? 0)).toEqual([0, 4]);
  });

  it("does not follow redirects: the 3xx comes back as it is", async () => {
    const server = await receiver((_req, res) => {
      res.writeHead(302, { location: "/elsewhere" }).end("moved");
    });
    const result = await deliver({
      url: `http://127.0.0.1:${server.port}/hook`,
      headers: {},
      body: payload,
      agents: agents(true),
    });
    expect(result.status).toBe(302);
    expect(result.responseBody).toBe("moved");
    expect(server.received.map((r) => r.url)).toEqual(["/hook"]);
  });

  it("gives up after timeoutMs when no response comes", async () => {
    const server = await receiver(() => {
      // never answers
    });
    const result = await deliver({
      url: `http://127.0.0.1:${server.port}/`,
      headers: {},
      body: payload,
      agents: agents(true),
      timeoutMs: 200,
    });
    expect(result.status).toBeNull();
    expect(result.errorCode).toBe("ERR_WEBHOOK_TIMEOUT");
    expect(result.error).toBe("No complete response within 200 ms");
    expect(result.durationMs).toBeGreaterThanOrEqual(190);
    expect(result.durationMs).toBeLessThan(2000);
  });

  it("times out a response whose body stalls, keeping the status", async () => {
    const server = await receiver((_req, res) => {
      res.writeHead(200);
      res.write("partial");
    });
    const result = await deliver({
      url: `http://127.0.0.1:${server.port}/`,
      headers: {},
      body: payload,
      agents: agents(true),
      timeoutMs: 200,
    });
    expect(result).toMatchObject({ status: 200, responseBody: "partial", errorCode: "ERR_WEBHOOK_TIMEOUT" });
  });

  it.each([
    ["a short body", "ok", "ok"],
    ["exactly 1 KB", "a".repeat(1024), "a".repeat(1024)],
    ["5 KB", "b".repeat(5 * 1024), "b".repeat(1024)],
    ["5 MB", "c".repeat(5 * 1024 * 1024), "c".repeat(1024)],
  ])("keeps the first 1 KB of %s", async (_name, body, expected) => {
    const server = await receiver((_req, res) => res.end(body));
    const result = await deliver({
      url: `http://127.0.0.1:${server.port}/`,
      headers: {},
      body: payload,
      agents: agents(true),
    });
    expect(result.status).toBe(200);
    expect(result.responseBody).toBe(expected);
    expect(result.error).toBeUndefined();
  });

  it("returns Retry-After as sent", async () => {
    const server = await receiver((_req, res) => res.writeHead(503, { "retry-after": "120" }).end());
    const result = await deliver({
      url: `http://127.0.0.1:${server.port}/`,
      headers: {},
      body: payload,
      agents: agents(true),
    });
    expect(result).toMatchObject({ status: 503, retryAfter: "120", responseBody: "" });
  });

  it("reuses one keep-alive connection for consecutive deliveries", async () => {
    const server = await receiver((_req, res) => res.end("a".repeat(3000)));
    const a = agents(true);
    const url = `http://127.0.0.1:${server.port}/`;
    const first = await deliver({ url, headers: {}, body: payload, agents: a });
    // deliver() returns after the first 1 KB; the socket goes back to the pool once the rest is drained.
    for (let i = 0; i < 100 && Object.keys(a.http.freeSockets).length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const second = await deliver({ url, headers: {}, body: payload, agents: a });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(server.received).toHaveLength(2);
    expect(server.received[0]?.remotePort).toBe(server.received[1]?.remotePort);
    expect(server.connections()).toBe(1);
  });

  it("reports a refused connection", async () => {
    const server = await receiver(ok);
    const port = server.port;
    await cleanup.pop()?.(); // close the server, keeping its port number
    const result = await deliver({
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      body: payload,
      agents: agents(true),
    });
    expect(result).toMatchObject({ status: null, errorCode: "ECONNREFUSED" });
  });

  it("rejects a URL that is not http(s) without dialling", async () => {
    const result = await deliver({
      url: "file:///etc/passwd",
      headers: {},
      body: payload,
      agents: agents(true),
    });
    expect(result).toMatchObject({ status: null, error: "Invalid webhook URL" });
  });
});

describe("checkWebhookUrl", () => {
  const dns = fakeDns({
    "hooks.example.test": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    "internal.example.test": ["10.1.2.3"],
    "mixed.example.test": ["93.184.216.34", "fd00::1"],
  });
  it.each<[string, boolean, { ok: true } | { ok: false; reason: string }]>([
    ["https://hooks.example.test/webhooks", false, { ok: true }],
    ["http://hooks.example.test:8080/webhooks", false, { ok: true }],
    ["https://8.8.8.8/hook", false, { ok: true }],
    ["not a url", false, { ok: false, reason: "Not a valid URL" }],
    [
      "ftp://hooks.example.test/",
      false,
      { ok: false, reason: "Only http and https URLs are supported, not ftp" },
    ],
    [
      "https://user:pw@hooks.example.test/",
      false,
      { ok: false, reason: "The URL must not contain a user name or password" },
    ],
    [
      "https://nowhere.example.test/",
      false,
      { ok: false, reason: "The host nowhere.example.test does not resolve" },
    ],
    [
      "https://nowhere.example.test/",
      true,
      { ok: false, reason: "The host nowhere.example.test does not resolve" },
    ],
    [
      "http://127.0.0.1/",
      false,
      {
        ok: false,
        reason: "Webhook delivery to 127.0.0.1 blocked: it is a loopback address, not a public one",
      },
    ],
    [
      "http://0x7f000001/",
      false,
      {
        ok: false,
        reason: "Webhook delivery to 127.0.0.1 blocked: it is a loopback address, not a public one",
      },
    ],
    [
      "http://[::ffff:169.254.169.254]/",
      false,
      {
        ok: false,
        reason: "Webhook delivery to ::ffff:a9fe:a9fe blocked: it is a link_local address, not a public one",
      },
    ],
    [
      "https://internal.example.test/",
      false,
      {
        ok: false,
        reason:
          "Webhook delivery to 10.1.2.3 (resolved from internal.example.test) blocked: it is a private address, not a public one",
      },
    ],
    [
      "https://mixed.example.test/",
      false,
      {
        ok: false,
        reason:
          "Webhook delivery to fd00::1 (resolved from mixed.example.test) blocked: it is a private address, not a public one",
      },
    ],
    ["https://internal.example.test/", true, { ok: true }],
    ["http://127.0.0.1:3000/", true, { ok: true }],
  ])("%s (allowPrivate %s)", async (url, allowPrivate, expected) => {
    expect(await checkWebhookUrl(url, { allowPrivate, lookup: dns })).toEqual(expected);
  });

  it("blocks localhost through the system resolver", async () => {
    const result = await checkWebhookUrl("http://localhost:3000/", { allowPrivate: false });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(
      /resolved from localhost\) blocked: it is a loopback address/,
    );
    expect(await checkWebhookUrl("http://localhost:3000/", { allowPrivate: true })).toEqual({ ok: true });
  });
});
