// The pixel's visits and conversions are served ahead of Fastify when they come as the pixel sends them
// (text/plain with a Content-Length); any other request to the same routes is Fastify's. Either way the
// answers are the same: status, body, and the CORS header that lets the customer's site read them.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects, pixelPost, startTestServer, type TestServer } from "./support/test-server.js";

interface Answer {
  status: number;
  body: any;
  cors: string | undefined;
  contentType: string | undefined;
}

/** One raw request, so that the headers are exactly these (fetch would add or change some). */
function post(
  url: string,
  path: string,
  body: string,
  headers: Record<string, string>,
  chunked = false,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: "POST", headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => {
        text += c;
      });
      res.on("end", () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {}
        resolve({
          status: res.statusCode ?? 0,
          body: parsed,
          cors: res.headers["access-control-allow-origin"],
          contentType: res.headers["content-type"],
        });
      });
    });
    req.on("error", reject);
    if (chunked) {
      // No Content-Length: Node sends the body in chunks.
      req.write(body.slice(0, 10));
      req.end(body.slice(10));
    } else {
      req.end(body);
    }
  });
}

const asPixel = (body: string) => ({
  "content-type": "text/plain;charset=UTF-8",
  "content-length": String(Buffer.byteLength(body)),
});
const asJson = (body: string) => ({
  "content-type": "application/json",
  "content-length": String(Buffer.byteLength(body)),
});

describe.each(dialects)("the pixel's routes ahead of Fastify on $name", (dialect) => {
  let t: TestServer;
  let key: string;
  let code: string;
  let n = 0;
  const email = () => `friend${++n}@example.com`;

  beforeAll(async () => {
    t = await startTestServer(dialect);
    const campaign = (
      await t.api("POST", "/api/v1/campaigns", {
        name: "Front",
        url: "https://app.example",
        events: ["purchase"],
      })
    ).body;
    key = campaign.public_key;
    code = (
      await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, { email: "mark@example.com" })
    ).body.code;
  });
  afterAll(async () => t.close());

  const conversion = (address: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      k: key,
      event: "purchase",
      refs: [{ code, ts: Date.now() }],
      data: { email: address, amount: 15.7, currency: "USD" },
      ...extra,
    });

  it("answers a conversion the same whichever way it comes, and a repeat as a repeat", async () => {
    const first = email();
    const ways = [
      (body: string) => post(t.url, "/api/v1/collect/track", body, asPixel(body)),
      (body: string) => post(t.url, "/api/v1/collect/track", body, asJson(body)),
      (body: string) => post(t.url, "/api/v1/collect/track", body, { "content-type": "text/plain" }, true),
      (body: string) => post(t.url, "/api/v1/collect/track?via=query", body, asPixel(body)),
    ];
    for (const [i, way] of ways.entries()) {
      const created = await way(conversion(email()));
      expect({ way: i, status: created.status }).toEqual({ way: i, status: 201 });
      expect(created.body).toMatchObject({ created: true, referred: true });
      expect(created.body.id).toMatch(/^cnv_/);
      expect(created.cors).toBe("*");
      expect(created.contentType).toBe("application/json; charset=utf-8");
    }
    const original = await ways[0]?.(conversion(first));
    for (const [i, way] of ways.entries()) {
      const repeat = await way(conversion(first));
      expect({ way: i, status: repeat.status, body: repeat.body, cors: repeat.cors }).toEqual({
        way: i,
        status: 200,
        body: { id: original?.body.id, created: false, referred: true },
        cors: "*",
      });
    }
  });

  it("records a visit ahead of Fastify as through it", async () => {
    const body = JSON.stringify({
      k: key,
      vid: "visitor_front_1",
      code,
      url: `https://app.example/?mwr=${code}`,
      referrer: "https://twitter.com/",
    });
    for (const headers of [asPixel(body), asJson(body)]) {
      const res = await post(t.url, "/api/v1/collect/visit", body, headers);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ referred: true });
      expect(res.cors).toBe("*");
    }
  });

  it("refuses bad input with the same answer either way", async () => {
    const bad = [
      "{not json",
      conversion("not an email"),
      conversion(email(), { event: "unknown-event" }),
      conversion(email(), { k: "pk_nobody" }),
      JSON.stringify({ k: key, event: "purchase", data: { amount: -1 } }),
      "[]",
      "null",
    ];
    for (const body of bad) {
      const ahead = await post(t.url, "/api/v1/collect/track", body, asPixel(body));
      const through = await post(t.url, "/api/v1/collect/track", body, asJson(body));
      expect(ahead.status).toBeGreaterThanOrEqual(400);
      expect(ahead.status).toBeLessThan(500);
      expect(ahead.body.error.code).toEqual(expect.any(String));
      expect({ body, status: ahead.status, answer: ahead.body, cors: ahead.cors }).toEqual({
        body,
        status: through.status,
        answer: through.body,
        cors: "*",
      });
    }
  });

  it("leaves a body over the limit to Fastify: 413, nothing stored", async () => {
    const address = email();
    const body = conversion(address, { padding: "x".repeat(17 * 1024) });
    const res = await post(t.url, "/api/v1/collect/track", body, asPixel(body));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
    const again = await pixelPost(t.url, "track", JSON.parse(conversion(address)));
    expect(again.status).toBe(201);
  });
});
