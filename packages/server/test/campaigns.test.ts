import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects, startTestServer, type TestServer } from "./support/test-server.js";

describe.each(dialects)("campaigns API on $name", (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t.close());

  it("creates a campaign with the documented defaults", async () => {
    const res = await t.api("POST", "/api/v1/campaigns", {
      name: "App launch",
      url: "https://shop.example.com",
      events: ["download"],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: "App launch",
      url: "https://shop.example.com",
      events: ["download"],
      cookie_window_days: 90,
      attribution: "first",
      status: "active",
      default_currency: "USD",
    });
    expect(res.body.id).toMatch(/^cmp_/);
    expect(res.body.public_key).toMatch(/^pk_/);
    const got = await t.api("GET", `/api/v1/campaigns/${res.body.id}`);
    expect(got.body).toEqual(res.body);
    const list = await t.api("GET", "/api/v1/campaigns");
    expect(list.body.data.map((c: any) => c.id)).toContain(res.body.id);
  });

  it("updates settings with PATCH and keeps the rest", async () => {
    const { body: c } = await t.api("POST", "/api/v1/campaigns", {
      name: "Demo",
      url: "https://x.example",
      events: ["demo"],
    });
    const res = await t.api("PATCH", `/api/v1/campaigns/${c.id}`, {
      attribution: "last",
      status: "paused",
      events: ["demo", "purchase"],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: "Demo",
      attribution: "last",
      status: "paused",
      events: ["demo", "purchase"],
    });
  });

  it.each([
    [{ url: "https://x.example", events: ["a"] }, "name"],
    [{ name: "x", url: "ftp://x.example", events: ["a"] }, "url"],
    [{ name: "x", url: "https://x.example", events: [] }, "events"],
    [{ name: "x", url: "https://x.example", events: ["a", "a"] }, "events"],
    [{ name: "x", url: "https://x.example", events: ["has space"] }, "events.0"],
    [{ name: "x", url: "https://x.example", events: ["a"], cookie_window_days: 0 }, "cookie_window_days"],
    [{ name: "x", url: "https://x.example", events: ["a"], attribution: "middle" }, "attribution"],
    [{ name: "x", url: "https://x.example", events: ["a"], default_currency: "ABC" }, "default_currency"],
    [{ name: "x", url: "https://x.example", events: ["a"], colour: "red" }, "colour"],
  ])("rejects %j with a 400 naming %s", async (body, field) => {
    const before = (await t.api("GET", "/api/v1/campaigns")).body.data.length;
    const res = await t.api("POST", "/api/v1/campaigns", body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.message).toEqual(expect.any(String));
    expect(res.body.error.field).toBe(field);
    expect((await t.api("GET", "/api/v1/campaigns")).body.data.length).toBe(before);
  });

  it("answers 400 for a body that is not JSON", async () => {
    const res = await t.api("POST", "/api/v1/campaigns", "{not json");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_json");
  });

  it("answers 401 without the key or with a wrong one, and 404 for an unknown id", async () => {
    expect((await t.api("GET", "/api/v1/campaigns", undefined, { authorization: "" })).status).toBe(401);
    const wrong = await t.api("GET", "/api/v1/campaigns", undefined, { authorization: "Bearer nope" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("unauthorized");
    const missing = await t.api("GET", "/api/v1/campaigns/cmp_unknown");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
  });

  it("gives the tracking code and a conversion snippet per event", async () => {
    const { body: c } = await t.api("POST", "/api/v1/campaigns", {
      name: "Shop",
      url: "https://shop.example",
      events: ["download", "purchase"],
    });
    const res = await t.api("GET", `/api/v1/campaigns/${c.id}/install`);
    expect(res.status).toBe(200);
    expect(res.body.tracking_code).toMatch(/^<script>[\s\S]*<\/script>$/);
    expect(res.body.tracking_code).toContain(c.public_key);
    expect(res.body.tracking_code).toContain("http://vouch.test/pixel/rht.js");
    expect(Object.keys(res.body.conversion_code)).toEqual(["download", "purchase"]);
    expect(res.body.conversion_code.download).toContain('rht("track", "download", {');
    expect(res.body.conversion_code.purchase).toContain('rht("track", "purchase", {');
  });

  it("serves the pixel script to any origin", async () => {
    const res = await fetch(`${t.url}/pixel/rht.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("javascript");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect((await res.text()).length).toBeGreaterThan(100);
  });
});
