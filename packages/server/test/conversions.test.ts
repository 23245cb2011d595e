import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dialects, pixelPost, startTestServer, type TestServer } from "./support/test-server.js";

const DAY = 86_400_000;

describe.each(dialects)("conversions on $name", (dialect) => {
  let t: TestServer;
  const now = Date.UTC(2026, 10, 24, 12);
  let n = 0;
  const vid = () => `visitor_${String(++n).padStart(6, "0")}`;

  beforeAll(async () => {
    t = await startTestServer(dialect, { clock: () => now });
  });
  afterAll(async () => t.close());

  async function setup(settings: Record<string, unknown> = {}) {
    const campaign = (
      await t.api("POST", "/api/v1/campaigns", {
        name: "App",
        url: "https://app.example",
        events: ["download", "purchase"],
        ...settings,
      })
    ).body;
    const ambassador = async (email: string, name?: string) =>
      (await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, { email, name })).body;
    const mark = await ambassador("mark@example.com", "Mark James");
    const anna = await ambassador("anna@example.com", "Anna");
    const track = (body: Record<string, unknown>) =>
      pixelPost(t.url, "track", { k: campaign.public_key, event: "download", ...body });
    const visit = (visitor: string, code: string, url = `https://app.example/?mwr=${code}`, referrer = "") =>
      pixelPost(t.url, "visit", { k: campaign.public_key, vid: visitor, code, url, referrer });
    const get = async (id: string) => (await t.api("GET", `/api/v1/subscribers/${id}`)).body;
    const exported = async () =>
      (await t.api("GET", `/api/v1/campaigns/${campaign.id}/conversions`)).body.data;
    return { campaign, mark, anna, track, visit, get, exported };
  }

  it("attributes a pixel conversion to the referrer in the cookie and counts the friend once", async () => {
    const { mark, track, get, exported } = await setup();
    const sara = vid();
    const res = await track({
      vid: sara,
      refs: [{ code: mark.code, ts: now - DAY }],
      data: {
        email: "sara@example.com",
        first_name: "Sara",
        currency: "USD",
        amount: 15.7,
        transaction_id: "TRX_1",
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ created: true, referred: true });
    expect((await get(mark.id)).people_referred).toBe(1);

    const again = await track({
      vid: sara,
      refs: [{ code: mark.code, ts: now - DAY }],
      data: { email: "SARA@example.com", amount: 99 },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: res.body.id, created: false });
    expect((await get(mark.id)).people_referred).toBe(1);

    const rows = await exported();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: res.body.id,
      event: "download",
      email: "sara@example.com",
      first_name: "Sara",
      amount: 15.7,
      currency: "USD",
      transaction_id: "TRX_1",
      status: "confirmed",
      verified: false,
      channel: "pixel",
      referrer_code: mark.code,
      subscriber_id: mark.id,
    });
  });

  it("counts distinct friends across events, and each event once per email", async () => {
    const { mark, track, get } = await setup();
    const refs = [{ code: mark.code, ts: now - DAY }];
    await track({ vid: vid(), refs, data: { email: "f1@example.com" } });
    await track({ vid: vid(), refs, event: "purchase", data: { email: "f1@example.com", amount: 5 } });
    await track({ vid: vid(), refs, data: { email: "f2@example.com" } });
    expect((await get(mark.id)).people_referred).toBe(2);
  });

  it("attributes through the server's record of the visitor id, with the visit's source", async () => {
    const { mark, track, visit, exported } = await setup();
    const v = vid();
    const landed = await visit(
      v,
      mark.code.toLowerCase(),
      `https://app.example/?mwr=${mark.code}&utm_source=newsletter`,
    );
    expect(landed.status).toBe(201);
    const res = await track({ vid: v, data: { email: "via-visit@example.com" } });
    expect(res.body.referred).toBe(true);
    const row = (await exported()).find((r: any) => r.id === res.body.id);
    expect(row).toMatchObject({ subscriber_id: mark.id, source: "newsletter" });
  });

  it("takes the first referrer by default and the last when the campaign says so", async () => {
    for (const [mode, winner] of [
      ["first", "mark"],
      ["last", "anna"],
    ] as const) {
      const s = await setup({ attribution: mode });
      const refs = [
        { code: s.mark.code, ts: now - 5 * DAY },
        { code: s.anna.code, ts: now - DAY },
      ];
      await s.track({ vid: vid(), refs, data: { email: `who-${mode}@example.com` } });
      expect((await s.get(s[winner].id)).people_referred).toBe(1);
      expect((await s.get(s[winner === "mark" ? "anna" : "mark"].id)).people_referred).toBe(0);
    }
  });

  it("does not attribute outside the cookie window, nor to the referrer's own email", async () => {
    const { mark, track, get } = await setup({ cookie_window_days: 30 });
    const old = await track({
      vid: vid(),
      refs: [{ code: mark.code, ts: now - 31 * DAY }],
      data: { email: "late@example.com" },
    });
    expect(old.body).toMatchObject({ created: true, referred: false });
    const self = await track({
      vid: vid(),
      refs: [{ code: mark.code, ts: now - DAY }],
      data: { email: "mark@example.com" },
    });
    expect(self.body).toMatchObject({ created: true, referred: false });
    expect((await get(mark.id)).people_referred).toBe(0);
  });

  it("stores a conversion without a referral as organic", async () => {
    const { track, exported } = await setup();
    const res = await track({ vid: vid(), data: { email: "organic@example.com" } });
    expect(res.body).toMatchObject({ created: true, referred: false });
    expect((await exported())[0]).toMatchObject({
      subscriber_id: null,
      referrer_code: null,
      source: "direct_visit",
    });
  });

  it("records a repeated transaction_id once per campaign and event", async () => {
    const { track, exported } = await setup();
    const a = await track({ data: { transaction_id: "T-9", amount: 10 } });
    const b = await track({ data: { transaction_id: "T-9", amount: 10, email: "other@example.com" } });
    expect(a.status).toBe(201);
    expect(b.status).toBe(200);
    expect(b.body.id).toBe(a.body.id);
    const c = await track({ event: "purchase", data: { transaction_id: "T-9" } });
    expect(c.status).toBe(201);
    expect(await exported()).toHaveLength(2);
  });

  it("stores money as minor units and shows it in the seed's form", async () => {
    const { track, exported } = await setup({ default_currency: "EUR" });
    await track({ data: { email: "jpy@example.com", amount: 1500, currency: "jpy" } });
    await track({ data: { email: "eur@example.com", amount: "19.99" } });
    const rows = await exported();
    expect(rows.find((r: any) => r.email === "jpy@example.com")).toMatchObject({
      amount: 1500,
      currency: "JPY",
    });
    expect(rows.find((r: any) => r.email === "eur@example.com")).toMatchObject({
      amount: 19.99,
      currency: "EUR",
    });
  });

  it("tracks server-side with the secret key, verified, by code, subscriber id or visitor id", async () => {
    const { campaign, mark, anna, visit, get, exported } = await setup();
    const path = `/api/v1/campaigns/${campaign.id}/conversions`;
    const byCode = await t.api("POST", path, {
      event: "download",
      email: "s1@example.com",
      referral_code: mark.code,
      amount: 15.7,
      currency: "USD",
    });
    expect(byCode.status).toBe(201);
    expect(byCode.body).toMatchObject({
      created: true,
      verified: true,
      channel: "api",
      subscriber_id: mark.id,
      amount: 15.7,
    });
    const byId = await t.api("POST", path, {
      event: "download",
      email: "s2@example.com",
      subscriber_id: anna.id,
    });
    expect(byId.body.subscriber_id).toBe(anna.id);
    const v = vid();
    await visit(v, mark.code);
    const byVisitor = await t.api("POST", path, {
      event: "download",
      email: "s3@example.com",
      visitor_id: v,
    });
    expect(byVisitor.body.subscriber_id).toBe(mark.id);
    const repeat = await t.api("POST", path, { event: "download", email: "s1@example.com" });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toMatchObject({ id: byCode.body.id, created: false });
    expect((await get(mark.id)).people_referred).toBe(2);
    expect(await exported()).toHaveLength(3);

    const unknown = await t.api("POST", path, {
      event: "download",
      email: "s4@example.com",
      referral_code: "NOPE-2222",
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: "unknown_referrer", field: "referral_code" });
    const noKey = await t.api("POST", path, { event: "download" }, { authorization: "" });
    expect(noKey.status).toBe(401);
    expect(await exported()).toHaveLength(3);
  });

  describe("bad input gets a 4xx naming the field, and nothing is stored", () => {
    const cases: Array<[string, Record<string, unknown>, number, string, string | undefined]> = [
      ["invalid email", { data: { email: "nope" } }, 400, "validation_failed", "data.email"],
      [
        "email too long",
        { data: { email: `${"a".repeat(250)}@example.com` } },
        400,
        "validation_failed",
        "data.email",
      ],
      [
        "first name too long",
        { data: { first_name: "x".repeat(101) } },
        400,
        "validation_failed",
        "data.first_name",
      ],
      [
        "last name too long",
        { data: { last_name: "x".repeat(101) } },
        400,
        "validation_failed",
        "data.last_name",
      ],
      [
        "unknown currency",
        { data: { currency: "XYZ", amount: 1 } },
        400,
        "validation_failed",
        "data.currency",
      ],
      ["negative amount", { data: { amount: -1 } }, 400, "validation_failed", "data.amount"],
      ["amount too large", { data: { amount: 1e12 + 1 } }, 400, "validation_failed", "data.amount"],
      ["amount not a number", { data: { amount: "lots" } }, 400, "validation_failed", "data.amount"],
      ["amount as an object", { data: { amount: { v: 1 } } }, 400, "validation_failed", "data.amount"],
      [
        "a NUL character in a name",
        { data: { first_name: "Sa\u0000ra" } },
        400,
        "validation_failed",
        "data.first_name",
      ],
      [
        "transaction_id too long",
        { data: { transaction_id: "t".repeat(129) } },
        400,
        "validation_failed",
        "data.transaction_id",
      ],
      ["unknown event", { event: "refund" }, 422, "unknown_event", "event"],
      ["bad event name", { event: "<script>" }, 400, "validation_failed", "event"],
      ["unknown public key", { k: "pk_nothing" }, 404, "not_found", "k"],
      ["bad visitor id", { vid: "a b" }, 400, "validation_failed", "vid"],
    ];
    it.each(cases)("%s", async (_name, body, status, code, field) => {
      const { track, exported } = await setup();
      const res = await track({
        data: { email: "bad@example.com" },
        ...body,
        ...(body.data ? { data: body.data } : {}),
      });
      expect(res.status).toBe(status);
      expect(res.body.error).toMatchObject({ code, message: expect.any(String) });
      expect(res.body.error.field).toBe(field);
      expect(await exported()).toHaveLength(0);
    });

    it("a body over 16 KB", async () => {
      const { track, exported } = await setup();
      const res = await track({ data: { email: "big@example.com", first_name: "x".repeat(17 * 1024) } });
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe("payload_too_large");
      expect(await exported()).toHaveLength(0);
    });

    it("a body that is not JSON", async () => {
      const { campaign, exported } = await setup();
      const res = await pixelPost(t.url, "track", `{"k":"${campaign.public_key}",`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_json");
      expect(await exported()).toHaveLength(0);
    });

    it("a paused campaign", async () => {
      const { campaign, track, exported } = await setup();
      await t.api("PATCH", `/api/v1/campaigns/${campaign.id}`, { status: "paused" });
      const res = await track({ data: { email: "paused@example.com" } });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("campaign_paused");
      expect(await exported()).toHaveLength(0);
    });

    it("server-side: two ways of naming the referrer", async () => {
      const { campaign, mark } = await setup();
      const res = await t.api("POST", `/api/v1/campaigns/${campaign.id}/conversions`, {
        event: "download",
        referral_code: mark.code,
        subscriber_id: mark.id,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.field).toBe("subscriber_id");
    });
  });

  it("accepts the seed's snippet as pasted: empty email, all fields optional", async () => {
    const { track, exported } = await setup();
    const res = await track({
      data: {
        email: "",
        first_name: "John",
        last_name: "Smith",
        currency: "USD",
        amount: 15.7,
        transaction_id: "TRX_123",
      },
    });
    expect(res.status).toBe(201);
    expect((await exported())[0]).toMatchObject({
      email: null,
      first_name: "John",
      last_name: "Smith",
      amount: 15.7,
    });
  });

  it("answers the pixel cross-origin without needing a preflight", async () => {
    const { track } = await setup();
    const res = await track({ data: {} });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("exports every conversion as CSV, streamed", async () => {
    const { campaign, mark, track } = await setup();
    await track({
      vid: vid(),
      refs: [{ code: mark.code, ts: now - DAY }],
      data: {
        email: "csv@example.com",
        first_name: '=cmd, "quoted"',
        amount: 15.7,
        currency: "USD",
        transaction_id: "TRX_CSV",
      },
    });
    const res = await fetch(`${t.url}/api/v1/campaigns/${campaign.id}/conversions?format=csv`, {
      headers: { authorization: "Bearer test_admin_key_0123456789abcdef" },
    });
    expect(res.headers.get("content-type")).toContain("text/csv");
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]).toBe(
      "id,event,email,first_name,last_name,amount,currency,transaction_id,source,status,verified,referrer_code,subscriber_id,created_at",
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(
      `,download,csv@example.com,"'=cmd, ""quoted""",,15.7,USD,TRX_CSV,direct_visit,confirmed,false,${mark.code},${mark.id},`,
    );
  });

  it("counts visits, referred visits and conversions, by source and day", async () => {
    const { campaign, mark, visit, track } = await setup();
    const v1 = vid();
    await visit(v1, mark.code, `https://app.example/?mwr=${mark.code}`, "https://t.co/abc");
    await visit(vid(), mark.code, `https://app.example/?mwr=${mark.code}&mws=facebook`);
    await visit(vid(), "UNKNOWN-1", "https://app.example/?mwr=UNKNOWN-1");
    await track({ vid: v1, data: { email: "stat@example.com" } });
    await track({ data: { email: "organic-stat@example.com" } });
    const stats = (await t.api("GET", `/api/v1/campaigns/${campaign.id}/stats`)).body;
    expect(stats).toMatchObject({
      visits: 3,
      referred_visits: 2,
      unique_visitors: 3,
      conversions: 2,
      referred_conversions: 1,
    });
    expect(stats.by_source).toEqual(
      expect.arrayContaining([
        { source: "twitter", visits: 1, conversions: 1 },
        { source: "facebook", visits: 1, conversions: 0 },
        { source: "direct_visit", visits: 1, conversions: 1 },
      ]),
    );
    expect(stats.by_day).toEqual([{ day: "2026-11-24", visits: 3, conversions: 2 }]);
  });

  it("never double-counts when the same friend converts concurrently", async () => {
    const { mark, track, get, exported } = await setup();
    const refs = [{ code: mark.code, ts: now - DAY }];
    const results = await Promise.all(
      Array.from({ length: 20 }, () => track({ vid: vid(), refs, data: { email: "race@example.com" } })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(19);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect((await get(mark.id)).people_referred).toBe(1);
    expect(await exported()).toHaveLength(1);
  });
});
