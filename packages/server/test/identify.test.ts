// rht("identify") as a customer's site calls it: the ambassador created or found (never overwritten), the
// new_registration webhook with source "identify", referred_by from the browser's referrals and from the
// server's visits, the browser's link that makes its owner's conversions self-referrals, allowed domains,
// rate limits and validation — on SQLite and PostgreSQL.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Receiver } from "./support/receiver.js";
import { dialects, pixelPost, startTestServer, type TestServer } from "./support/test-server.js";

const SECOND = 1000;
const DAY = 86_400_000;
const SITE = "https://acme.example.com";

describe.each(dialects)("identify on $name", (dialect) => {
  let t: TestServer;
  let receiver: Receiver;
  let campaign: any;
  let mark: any;
  let anna: any;
  let now = Date.UTC(2026, 10, 24, 12);
  let browsers = 0;

  beforeAll(async () => {
    // The webhook worker runs only when a test delivers (runOnce), on the test's clock.
    const options = { clock: () => now, webhookWorker: false };
    t = await startTestServer(dialect, options);
    receiver = await Receiver.start({ now: () => now });
    campaign = (
      await t.api("POST", "/api/v1/campaigns", {
        name: "Acme App",
        url: `${SITE}/`,
        events: ["download"],
      })
    ).body;
    const hook = await t.api("POST", `/api/v1/campaigns/${campaign.id}/webhooks`, {
      url: receiver.url(),
      events: ["new_registration"],
    });
    receiver.useSecret(hook.body.secret);
    mark = await ambassador("mark@example.com", "Mark James");
    anna = await ambassador("anna@example.com", "Anna Berg");
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });
  beforeEach(async () => {
    // Whatever the last test left of the per-address budget, a minute refills it.
    now += 60 * SECOND;
    await deliverWebhooks();
    receiver.requests.length = 0;
  });

  async function ambassador(email: string, name: string) {
    return (await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, { email, name })).body;
  }

  /** A fresh browser: the pixel's visitor id. */
  const browser = () => `browser_${dialect.name}_${String(++browsers).padStart(6, "0")}`;

  /** Posts like the pixel on the customer's site: text/plain JSON, with the page's Origin. */
  async function identify(body: Record<string, unknown>, origin: string | null = SITE) {
    now += 2 * SECOND;
    const res = await fetch(`${t.url}/api/v1/collect/identify`, {
      method: "POST",
      headers: { "content-type": "text/plain", ...(origin ? { origin } : {}) },
      body: JSON.stringify({ k: campaign.public_key, refs: [], ...body }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }

  const subscriber = async (id: string) => (await t.api("GET", `/api/v1/subscribers/${id}`)).body;
  const byEmail = async (email: string) =>
    (await t.api("GET", `/api/v1/campaigns/${campaign.id}/subscribers?search=${encodeURIComponent(email)}`))
      .body.data;

  async function deliverWebhooks(): Promise<any[]> {
    const before = receiver.requests.length;
    while ((await t.server.webhooks.runOnce()) > 0);
    return receiver.requests.slice(before).map((r) => r.json);
  }

  const visit = (vid: string, code: string) =>
    pixelPost(t.url, "visit", { k: campaign.public_key, vid, code, url: `${SITE}/?mwr=${code}` });
  const track = (vid: string, data: Record<string, unknown>, refs: unknown[] = []) =>
    pixelPost(t.url, "track", { k: campaign.public_key, vid, event: "download", data, refs });

  describe("the ambassador", () => {
    it("is created for a new email (201) and found again unchanged (200), with its referral link", async () => {
      const first = await identify({
        vid: browser(),
        email: "Sara@Example.com",
        name: "Sara Lee",
        extra_field: "Berlin",
      });
      expect(first.status).toBe(201);
      expect(first.headers.get("access-control-allow-origin")).toBe("*");
      expect(first.body).toEqual({
        id: expect.stringMatching(/^sub_/),
        code: expect.any(String),
        referral_link: `${SITE}/?mwr=${first.body.code}`,
        people_referred: 0,
        verified: true,
      });

      // Signing in again elsewhere, with other details: the same ambassador, nothing overwritten.
      const again = await identify({
        vid: browser(),
        email: "sara@example.com",
        name: "Somebody Else",
        extra_field: "Paris",
        extra_field_2: "vip",
      });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect(await subscriber(first.body.id)).toMatchObject({
        email: "sara@example.com",
        name: "Sara Lee",
        extra_field: "Berlin",
        extra_field_2: null,
        referred_by: null,
      });
      expect(await byEmail("sara@example.com")).toHaveLength(1);
    });

    it("answers an existing ambassador with their people_referred", async () => {
      await track(browser(), { email: "friend1@example.com" }, [{ code: mark.code, ts: now - DAY }]);
      const res = await identify({ vid: browser(), email: "mark@example.com" });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: mark.id,
        code: mark.code,
        referral_link: mark.referral_link,
        people_referred: 1,
        verified: true,
      });
    });

    it("writes a new_registration webhook message with source identify, and none for a found one", async () => {
      const created = await identify({ vid: browser(), email: "tom@example.com", name: "Tom" });
      await identify({ vid: browser(), email: "tom@example.com" });
      const bodies = await deliverWebhooks();
      expect(bodies).toEqual([
        expect.objectContaining({
          response: "new_registration",
          list_uuid: campaign.id,
          subscriber_id: created.body.id,
          email: "tom@example.com",
          name: "Tom",
          code: created.body.code,
          source: "identify",
          referral_link: created.body.referral_link,
          referred: false,
          referral: "",
        }),
      ]);
      expect(receiver.requests.every((r) => r.verification === "ok")).toBe(true);
    });
  });

  describe("referred_by", () => {
    it("is the referrer the browser remembers (its refs)", async () => {
      const res = await identify({
        vid: browser(),
        email: "friend-refs@example.com",
        refs: [{ code: mark.code, ts: now - DAY }],
      });
      expect(res.status).toBe(201);
      expect((await subscriber(res.body.id)).referred_by).toBe(mark.id);
      const [message] = await deliverWebhooks();
      expect(message).toMatchObject({
        subscriber_id: res.body.id,
        source: "identify",
        referred: true,
        referral: { email: "mark@example.com", code: mark.code },
      });
    });

    it("is the referrer of the visits the server recorded for the visitor id, without refs", async () => {
      const vid = browser();
      expect((await visit(vid, anna.code)).status).toBe(201);
      now += 5 * SECOND;
      const res = await identify({ vid, email: "friend-visit@example.com" });
      expect(res.status).toBe(201);
      expect((await subscriber(res.body.id)).referred_by).toBe(anna.id);
    });

    it("follows the campaign's first/last rule among the visits and refs", async () => {
      const pick = async (email: string) => {
        const vid = browser();
        await visit(vid, mark.code);
        now += 10 * SECOND;
        const res = await identify({ vid, email, refs: [{ code: anna.code, ts: now }] });
        return (await subscriber(res.body.id)).referred_by;
      };
      expect(await pick("friend-first@example.com")).toBe(mark.id);
      await t.api("PATCH", `/api/v1/campaigns/${campaign.id}`, { attribution: "last" });
      try {
        expect(await pick("friend-last@example.com")).toBe(anna.id);
      } finally {
        await t.api("PATCH", `/api/v1/campaigns/${campaign.id}`, { attribution: "first" });
      }
    });

    it("leaves out referrals older than the cookie window", async () => {
      const res = await identify({
        vid: browser(),
        email: "friend-late@example.com",
        refs: [{ code: mark.code, ts: now - 91 * DAY }],
      });
      expect((await subscriber(res.body.id)).referred_by).toBeNull();
    });

    it("is never set on an ambassador who already exists", async () => {
      const res = await identify({
        vid: browser(),
        email: "anna@example.com",
        refs: [{ code: mark.code, ts: now - DAY }],
      });
      expect(res.status).toBe(200);
      expect((await subscriber(anna.id)).referred_by).toBeNull();
    });

    it("is not the ambassador whose browser it is, when they sign up a second address there", async () => {
      const vid = browser();
      await identify({ vid, email: "mark@example.com" });
      await visit(vid, mark.code);
      const alt = await identify({
        vid,
        email: "mark.alt@example.com",
        refs: [{ code: mark.code, ts: now }],
      });
      expect(alt.status).toBe(201);
      expect((await subscriber(alt.body.id)).referred_by).toBeNull();
    });
  });

  describe("the browser's link to its ambassador", () => {
    it("makes their own later conversions in it self-referrals, with another email or none", async () => {
      const markBefore = (await subscriber(mark.id)).people_referred;
      const vid = browser();
      expect((await identify({ vid, email: "mark@example.com" })).status).toBe(200);
      // Later, Mark opens his own referral link in that browser and buys, as someone else or signed out.
      expect((await visit(vid, mark.code)).body.referred).toBe(true);
      now += 5 * SECOND;
      const asOther = await track(vid, { email: "mark.wife@example.com" }, [{ code: mark.code, ts: now }]);
      const anonymous = await track(vid, { transaction_id: "TX-SELF-1" }, [{ code: mark.code, ts: now }]);
      expect(asOther.status).toBe(201);
      expect(asOther.body.referred).toBe(false);
      expect(anonymous.status).toBe(201);
      expect(anonymous.body.referred).toBe(false);
      expect((await subscriber(mark.id)).people_referred).toBe(markBefore);

      // The same purchase from a browser nobody identified in is Mark's referral.
      const friend = await track(browser(), { email: "mark.friend@example.com" }, [
        { code: mark.code, ts: now },
      ]);
      expect(friend.body.referred).toBe(true);
      expect((await subscriber(mark.id)).people_referred).toBe(markBefore + 1);
    });

    it("still credits another ambassador who referred that browser", async () => {
      const vid = browser();
      await identify({ vid, email: "mark@example.com" });
      await visit(vid, anna.code);
      now += 5 * SECOND;
      const res = await track(vid, { email: "gift@example.com" }, [{ code: mark.code, ts: now }]);
      expect(res.body.referred).toBe(true);
      const conversions = (await t.api("GET", `/api/v1/campaigns/${campaign.id}/conversions`)).body.data;
      expect(conversions.find((c: any) => c.email === "gift@example.com")).toMatchObject({
        subscriber_id: anna.id,
      });
    });

    it("moves to the latest person identified in the browser", async () => {
      const vid = browser();
      await identify({ vid, email: "mark@example.com" });
      await identify({ vid, email: "anna@example.com" });
      const res = await track(vid, { email: "shared-laptop@example.com" }, [{ code: mark.code, ts: now }]);
      expect(res.body.referred).toBe(true);
    });

    it("is recognised within a batch of conversions committed together", async () => {
      const linked = browser();
      const other = browser();
      await identify({ vid: linked, email: "anna@example.com" });
      const refs = [{ code: anna.code, ts: now }];
      const [mine, theirs] = await Promise.all([
        track(linked, { email: "batch-self@example.com" }, refs),
        track(other, { email: "batch-friend@example.com" }, refs),
      ]);
      expect([mine.body.referred, theirs.body.referred]).toEqual([false, true]);
    });
  });

  describe("allowed domains", () => {
    it("defaults to the host of the campaign url, subdomains included", async () => {
      expect((await t.api("GET", `/api/v1/campaigns/${campaign.id}`)).body.allowed_domains).toEqual([
        "acme.example.com",
      ]);
      const sub = await identify(
        { vid: browser(), email: "sub@example.com" },
        "https://shop.acme.example.com",
      );
      expect(sub.status).toBe(201);
    });

    it("refuses another site, a look-alike, and a request without an Origin (403), writing nothing", async () => {
      for (const origin of ["https://evil.example.net", "https://acme.example.com.evil.net", "null", null]) {
        const res = await identify({ vid: browser(), email: "victim@example.com" }, origin);
        expect(res.status, String(origin)).toBe(403);
        expect(res.body.error).toMatchObject({ code: "forbidden", field: "origin" });
        expect(res.headers.get("access-control-allow-origin")).toBe("*");
      }
      expect(await byEmail("victim@example.com")).toEqual([]);
      expect(await deliverWebhooks()).toEqual([]);
    });

    it("can be set, validated and reset by the owner", async () => {
      const path = `/api/v1/campaigns/${campaign.id}`;
      const bad = await t.api("PATCH", path, { allowed_domains: ["https://acme-shop.io/"] });
      expect(bad.status).toBe(400);
      expect(bad.body.error.field).toBe("allowed_domains.0");
      const tooMany = await t.api("PATCH", path, {
        allowed_domains: Array.from({ length: 21 }, (_, i) => `s${i}.example.com`),
      });
      expect(tooMany.status).toBe(400);

      const set = await t.api("PATCH", path, { allowed_domains: ["Acme-Shop.io", "acme.example.com"] });
      expect(set.status).toBe(200);
      expect(set.body.allowed_domains).toEqual(["acme-shop.io", "acme.example.com"]);
      expect(
        (await identify({ vid: browser(), email: "shop@example.com" }, "https://www.acme-shop.io")).status,
      ).toBe(201);

      const off = await t.api("PATCH", path, { allowed_domains: [] });
      expect(off.body.allowed_domains).toEqual([]);
      expect((await identify({ vid: browser(), email: "shop@example.com" })).status).toBe(403);

      const reset = await t.api("PATCH", path, { allowed_domains: null });
      expect(reset.body.allowed_domains).toEqual(["acme.example.com"]);
      expect((await identify({ vid: browser(), email: "shop@example.com" })).status).toBe(200);
    });

    it("can be given when the campaign is created", async () => {
      const res = await t.api("POST", "/api/v1/campaigns", {
        name: "Other",
        url: "https://other.example.org/",
        events: ["signup"],
        allowed_domains: ["other.example.org", "other-app.example.net"],
      });
      expect(res.status).toBe(201);
      expect(res.body.allowed_domains).toEqual(["other.example.org", "other-app.example.net"]);
    });
  });

  describe("rate limits", () => {
    it("allows 10 calls a minute per browser, then answers 429 with Retry-After", async () => {
      const vid = browser();
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        now -= 2 * SECOND; // identify() moves the clock on; these calls come at one instant.
        statuses.push((await identify({ vid, email: "loop@example.com" })).status);
      }
      expect(statuses).toEqual([201, ...Array(9).fill(200), 429]);
      now -= 2 * SECOND;
      const limited = await identify({ vid, email: "loop@example.com" });
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe("rate_limited");
      expect(limited.headers.get("retry-after")).toBe("6");
      // Another browser is not held back, and this one may go on after the wait.
      now -= 2 * SECOND;
      expect((await identify({ vid: browser(), email: "loop@example.com" })).status).toBe(200);
      now += 4 * SECOND;
      expect((await identify({ vid, email: "loop@example.com" })).status).toBe(200);
    });

    it("allows 60 calls a minute per address, whatever the browser", async () => {
      for (let i = 0; i < 60; i++) {
        now -= 2 * SECOND;
        expect((await identify({ vid: browser() })).status).toBe(400);
      }
      now -= 2 * SECOND;
      const limited = await identify({ vid: browser(), email: "crowd@example.com" });
      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toBe("1");
      expect(await byEmail("crowd@example.com")).toEqual([]);
    });
  });

  describe("bad input", () => {
    it.each([
      ["no email", { email: undefined }, "email"],
      ["a bad email", { email: "not-an-email" }, "email"],
      ["no visitor id", { vid: undefined }, "vid"],
      ["a bad visitor id", { vid: "<script>" }, "vid"],
      ["a long name", { name: "x".repeat(101) }, "name"],
      ["a long extra field", { extra_field_2: "x".repeat(201) }, "extra_field_2"],
      ["a bad referral code", { refs: [{ code: "MARK 1", ts: 1 }] }, "refs.0.code"],
      ["too many referrals", { refs: [1, 2, 3].map((ts) => ({ code: "A", ts })) }, "refs"],
    ])("refuses %s (400, naming the field)", async (_, change, field) => {
      const res = await identify({ vid: browser(), email: "bad-input@example.com", ...change });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: "validation_failed", field });
    });

    it("refuses an unknown key (404), a body that is not JSON (400) and a paused campaign (409)", async () => {
      const unknown = await identify({ k: "pk_unknown00000000", vid: browser(), email: "x@example.com" });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.field).toBe("k");

      const notJson = await fetch(`${t.url}/api/v1/collect/identify`, {
        method: "POST",
        headers: { "content-type": "text/plain", origin: SITE },
        body: "{email:",
      });
      expect(notJson.status).toBe(400);
      expect((await notJson.json()).error.code).toBe("invalid_json");

      await t.api("PATCH", `/api/v1/campaigns/${campaign.id}`, { status: "paused" });
      try {
        const paused = await identify({ vid: browser(), email: "paused@example.com" });
        expect(paused.status).toBe(409);
      } finally {
        await t.api("PATCH", `/api/v1/campaigns/${campaign.id}`, { status: "active" });
      }
      expect(await byEmail("bad-input@example.com")).toEqual([]);
    });
  });
});
