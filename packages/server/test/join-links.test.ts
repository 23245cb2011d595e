// One-click join links for known customers, over HTTP: the owner issues a signed link (or signs it on their own
// server with the SDK), the widget posts its parameters and the customer is signed in as an ambassador — new or
// existing, as often as they open it, never as anyone's referral. Forged, tampered, expired, rotated and
// foreign links are refused with a clear 4xx.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { joinLink } from "../../sdk/src/index.js";
import { Receiver } from "./support/receiver.js";
import { dialects, pixelPost, startTestServer, type TestServer } from "./support/test-server.js";

const DAY = 86_400_000;

describe.each(dialects)("join links on $name", (dialect) => {
  let t: TestServer;
  let campaign: any;
  let other: any;
  let mark: any;
  let browsers = 0;
  // A fake clock; every join moves it on, so the per-IP limit refills between ordinary tests.
  let now = Date.UTC(2026, 10, 24, 12);

  beforeAll(async () => {
    t = await startTestServer(dialect, { clock: () => now });
    const create = async (name: string) =>
      (
        await t.api("POST", "/api/v1/campaigns", {
          name,
          url: "https://www.example.com/",
          events: ["download"],
        })
      ).body;
    campaign = await create("Acme App");
    other = await create("Other App");
    mark = (
      await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "mark@example.com",
        name: "Mark James",
      })
    ).body;
  });
  afterAll(async () => t?.close());

  const browser = () => `joinbrowser_${dialect.name}_${String(++browsers).padStart(4, "0")}`;

  async function issue(body: Record<string, unknown>, campaignId = campaign.id) {
    return t.api("POST", `/api/v1/campaigns/${campaignId}/join-links`, body);
  }

  /** The link's query parameters, as the widget reads them from the address bar. */
  function paramsOf(url: string): Record<string, string> {
    return Object.fromEntries(new URL(url).searchParams);
  }

  /** Posts like the widget: JSON, no admin key, from the site's origin. */
  async function join(body: Record<string, unknown>, key = campaign.public_key, advance = true) {
    if (advance) now += 4_000;
    const res = await fetch(`${t.url}/api/v1/widget/${key}/join`, {
      method: "POST",
      headers: { origin: "https://www.example.com", "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  }

  const subscriberByEmail = async (email: string) =>
    (await t.api("GET", `/api/v1/campaigns/${campaign.id}/subscribers?search=${encodeURIComponent(email)}`))
      .body.data[0];

  describe("the secret", () => {
    it("is created on first read, stays the same, and a rotation replaces it", async () => {
      const first = await t.api("GET", `/api/v1/campaigns/${other.id}/join-link-secret`);
      expect(first.status).toBe(200);
      expect(first.body.secret).toMatch(/^vjl_[0-9a-z]{40}$/);
      expect(first.body.created_at).toBe(new Date(now).toISOString());
      expect((await t.api("GET", `/api/v1/campaigns/${other.id}/join-link-secret`)).body.secret).toBe(
        first.body.secret,
      );
      const rotated = await t.api("POST", `/api/v1/campaigns/${other.id}/join-link-secret/rotate`);
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^vjl_/);
      expect(rotated.body.secret).not.toBe(first.body.secret);
      expect((await t.api("GET", `/api/v1/campaigns/${other.id}/join-link-secret`)).body.secret).toBe(
        rotated.body.secret,
      );
    });

    it("is the owner's: no admin key, no secret; unknown campaign, 404", async () => {
      const res = await fetch(`${t.url}/api/v1/campaigns/${campaign.id}/join-link-secret`);
      expect(res.status).toBe(401);
      const missing = await t.api("GET", "/api/v1/campaigns/cmp_nosuchcampaign/join-link-secret");
      expect(missing.status).toBe(404);
    });
  });

  describe("issuing a link", () => {
    it("puts rh_email, rh_name, rh_exp and rh_sig on the campaign's URL, expiring in 30 days", async () => {
      const res = await issue({ email: " Sara@Example.com ", name: "Sara Smith" });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        email: "sara@example.com",
        name: "Sara Smith",
        expires_at: new Date(Math.floor(now / 1000) * 1000 + 30 * DAY).toISOString(),
      });
      const url = new URL(res.body.url);
      expect(`${url.origin}${url.pathname}`).toBe("https://www.example.com/");
      expect(paramsOf(res.body.url)).toEqual({
        rh_email: "sara@example.com",
        rh_name: "Sara Smith",
        rh_exp: String(Math.floor(now / 1000) + 30 * 86_400),
        rh_sig: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      });
    });

    it("uses the page given, keeping its parameters, and the lifetime asked for", async () => {
      const res = await issue({
        email: "ann@example.com",
        url: "https://www.example.com/refer?lang=en",
        expires_in_days: 7,
      });
      expect(res.status).toBe(201);
      expect(res.body.name).toBeNull();
      const url = new URL(res.body.url);
      expect(url.pathname).toBe("/refer");
      expect(url.searchParams.get("lang")).toBe("en");
      expect(url.searchParams.has("rh_name")).toBe(false);
      expect(res.body.expires_at).toBe(new Date(Math.floor(now / 1000) * 1000 + 7 * DAY).toISOString());
    });

    it.each([
      [{ name: "Sara" }, "email", /required/],
      [{ email: "not-an-email" }, "email", /valid email/],
      [{ email: "a@example.com", name: "x".repeat(101) }, "name", /at most 100/],
      [{ email: "a@example.com", url: "ftp://www.example.com/" }, "url", /./],
      [{ email: "a@example.com", url: "https://www.example.com/?mwr=MARK-1" }, "url", /referral code/],
      [{ email: "a@example.com", expires_in_days: 0 }, "expires_in_days", /./],
      [{ email: "a@example.com", expires_in_days: 367 }, "expires_in_days", /./],
      [{ email: "a@example.com", sig: "x" }, "sig", /unknown field "sig"/],
    ])("refuses %j with 400 naming %s", async (body, field, message) => {
      const res = await issue(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
      if (field) expect(res.body.error.field).toBe(field);
      expect(res.body.error.message).toMatch(message);
    });

    it("answers an unknown campaign with 404", async () => {
      expect((await issue({ email: "a@example.com" }, "cmp_nosuchcampaign")).status).toBe(404);
    });
  });

  describe("opening a link", () => {
    it("makes a new customer an ambassador, signed in, announced with source join_link", async () => {
      const receiver = await Receiver.start({ now: () => now });
      try {
        const hook = await t.api("POST", `/api/v1/campaigns/${campaign.id}/webhooks`, {
          url: receiver.url(),
          events: ["new_registration"],
        });
        receiver.useSecret(hook.body.secret);
        const link = (await issue({ email: "sara@example.com", name: "Sara Smith" })).body.url;
        const res = await join(paramsOf(link));
        expect(res.status).toBe(201);
        expect(res.headers.get("access-control-allow-origin")).toBe("*");
        expect(res.body).toMatchObject({
          created: true,
          session: expect.stringMatching(/^vws_[0-9a-z]{40}$/),
          ambassador: { email: "sara@example.com", name: "Sara Smith", people_referred: 0 },
        });
        expect(res.body.ambassador.referral_link).toBe(
          `https://www.example.com/?mwr=${res.body.ambassador.code}`,
        );
        const me = await fetch(`${t.url}/api/v1/widget/${campaign.public_key}/me`, {
          headers: { authorization: `Bearer ${res.body.session}` },
        });
        expect(((await me.json()) as any).email).toBe("sara@example.com");
        expect(await subscriberByEmail("sara@example.com")).toMatchObject({
          name: "Sara Smith",
          referred_by: null,
        });

        const [delivery] = await receiver.waitFor(1);
        expect(delivery?.verification).toBe("ok");
        expect(delivery?.json).toMatchObject({
          response: "new_registration",
          email: "sara@example.com",
          source: "join_link",
        });
        await t.api("PATCH", `/api/v1/webhooks/${hook.body.id}`, { enabled: false });
      } finally {
        await receiver.close();
      }
    });

    it("is idempotent: opened again, the same ambassador with a new session", async () => {
      const link = (await issue({ email: "sara@example.com", name: "Sara Smith" })).body.url;
      const first = await join(paramsOf(link));
      const again = await join(paramsOf(link));
      expect(first.status).toBe(200);
      expect(again.status).toBe(200);
      expect(again.body.created).toBe(false);
      expect(again.body.ambassador.code).toBe(first.body.ambassador.code);
      expect(again.body.session).not.toBe(first.body.session);
      const list = await t.api("GET", `/api/v1/campaigns/${campaign.id}/subscribers?search=sara@`);
      expect(list.body.total).toBe(1);
    });

    it("finds an existing ambassador unchanged, whatever name the link carries", async () => {
      const link = (await issue({ email: "MARK@example.com", name: "Someone Else" })).body.url;
      const res = await join(paramsOf(link));
      expect(res.status).toBe(200);
      expect(res.body.created).toBe(false);
      expect(res.body.ambassador).toMatchObject({ code: mark.code, name: "Mark James" });
    });

    it("is never a referral: not the browser's referral cookie, not its visitor id's referred visit", async () => {
      const vid = browser();
      const visit = await pixelPost(t.url, "visit", {
        k: campaign.public_key,
        vid,
        code: mark.code,
        url: `https://www.example.com/?mwr=${mark.code}`,
      });
      expect(visit.status).toBe(201);
      const statsBefore = (await t.api("GET", `/api/v1/campaigns/${campaign.id}/stats`)).body;
      const link = (await issue({ email: "noor@example.com", name: "Noor" })).body.url;
      // What a widget holding Mark's referral would send; join takes none of it as a referral.
      const res = await join({ ...paramsOf(link), vid, refs: [{ code: mark.code, ts: now }] });
      expect(res.status).toBe(201);
      expect(await subscriberByEmail("noor@example.com")).toMatchObject({ referred_by: null });
      const statsAfter = (await t.api("GET", `/api/v1/campaigns/${campaign.id}/stats`)).body;
      expect(statsAfter.visits).toBe(statsBefore.visits);
      expect(statsAfter.referred_visits).toBe(statsBefore.referred_visits);
      expect(res.body.ambassador.people_referred).toBe(0);
      expect((await subscriberByEmail("mark@example.com")).people_referred).toBe(mark.people_referred);
    });

    it("ties the browser to the ambassador: her own link bought through in it is a self-referral", async () => {
      const vid = browser();
      const link = (await issue({ email: "nina@example.com" })).body.url;
      const nina = (await join({ ...paramsOf(link), vid })).body.ambassador;
      const buy = (from: string, email: string) =>
        pixelPost(t.url, "track", {
          k: campaign.public_key,
          vid: from,
          event: "download",
          data: { email },
          refs: [{ code: nina.code, ts: now }],
        });
      const own = await buy(vid, "nina.other@example.com");
      expect(own.status).toBe(201);
      expect(own.body.referred).toBe(false);
      // The same purchase from a browser nobody joined in is Nina's referral.
      expect((await buy(browser(), "nina.friend@example.com")).body.referred).toBe(true);
    });

    it("needs no double opt-in: the link reached the customer's inbox", async () => {
      await t.api("PATCH", `/api/v1/campaigns/${campaign.id}`, { double_opt_in: true });
      try {
        const link = (await issue({ email: "dora@example.com" })).body.url;
        expect((await join(paramsOf(link))).status).toBe(201);
        expect(await subscriberByEmail("dora@example.com")).toMatchObject({ verified: true });
      } finally {
        await t.api("PATCH", `/api/v1/campaigns/${campaign.id}`, { double_opt_in: false });
      }
    });

    it("confirms an ambassador still waiting to confirm their email: the link reached the same inbox", async () => {
      const added = await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "penny@example.com",
        verified: false,
      });
      expect(added.body).toMatchObject({ verified: false });
      const link = (await issue({ email: "penny@example.com" })).body.url;
      const res = await join(paramsOf(link));
      expect(res.status).toBe(200);
      expect(res.body.created).toBe(false);
      expect(await subscriberByEmail("penny@example.com")).toMatchObject({
        id: added.body.id,
        verified: true,
      });
    });

    it("accepts a link signed on the owner's server with the SDK and the campaign's secret", async () => {
      const { secret } = (await t.api("GET", `/api/v1/campaigns/${campaign.id}/join-link-secret`)).body;
      const link = joinLink({
        secret,
        campaignId: campaign.id,
        url: "https://www.example.com/refer",
        email: "Owen@Example.com",
        name: "Owen",
        expiresAt: Math.floor(now / 1000) + 3600,
      });
      const res = await join(paramsOf(link));
      expect(res.status).toBe(201);
      expect(res.body.ambassador).toMatchObject({ email: "owen@example.com", name: "Owen" });
    });
  });

  describe("refusing a link", () => {
    let good: Record<string, string>;
    beforeAll(async () => {
      good = paramsOf((await issue({ email: "vic@example.com", name: "Vic" })).body.url);
    });

    const forged = "A".repeat(43);

    it.each<[string, (p: Record<string, string>) => Record<string, unknown>]>([
      ["a forged signature", (p) => ({ ...p, rh_sig: forged })],
      ["another email", (p) => ({ ...p, rh_email: "mallory@example.com" })],
      ["another name", (p) => ({ ...p, rh_name: "Mallory" })],
      ["the name removed", ({ rh_name: _, ...p }) => p],
      ["a later expiry", (p) => ({ ...p, rh_exp: String(Number(p.rh_exp) + 86_400) })],
      [
        "one character of the signature changed",
        (p) => ({ ...p, rh_sig: `${p.rh_sig?.slice(0, 42)}${p.rh_sig?.endsWith("A") ? "B" : "A"}` }),
      ],
    ])("refuses %s with 403 join_link_invalid", async (_what, change) => {
      const res = await join(change(good));
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: "join_link_invalid", field: "rh_sig" });
      expect(res.body.error.message).toMatch(/not valid/);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(await subscriberByEmail("mallory@example.com")).toBeUndefined();
    });

    it("refuses another campaign's link (its key, its secret)", async () => {
      const res = await join(good, other.public_key);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("join_link_invalid");
    });

    it("refuses every link of a campaign whose owner never asked for a secret", async () => {
      const fresh = (
        await t.api("POST", "/api/v1/campaigns", {
          name: "Fresh",
          url: "https://www.example.com/",
          events: ["x"],
        })
      ).body;
      const res = await join(
        { rh_email: "vic@example.com", rh_exp: "1999999999", rh_sig: forged },
        fresh.public_key,
      );
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("join_link_invalid");
    });

    it("refuses an expired link with 410 join_link_expired, and only a genuine one is called expired", async () => {
      const link = paramsOf((await issue({ email: "eve@example.com", expires_in_days: 1 })).body.url);
      // The clock only moves forward: the rate limiter's buckets are kept in its time.
      now += DAY;
      const res = await join(link);
      expect(res.status).toBe(410);
      expect(res.body.error).toMatchObject({ code: "join_link_expired", field: "rh_exp" });
      expect(res.body.error.message).toMatch(/expired on .*ask for a new one/);
      expect((await join({ ...link, rh_sig: forged })).status).toBe(403);
      expect(await subscriberByEmail("eve@example.com")).toBeUndefined();
    });

    it("refuses links signed before a rotation of the secret", async () => {
      const link = paramsOf((await issue({ email: "rob@example.com" }, other.id)).body.url);
      await t.api("POST", `/api/v1/campaigns/${other.id}/join-link-secret/rotate`);
      const res = await join(link, other.public_key);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("join_link_invalid");
    });

    it.each<[string, Record<string, unknown>, string, RegExp]>([
      ["no rh_sig", { rh_email: "a@example.com", rh_exp: "1999999999" }, "rh_sig", /required/],
      [
        "a short rh_sig",
        { rh_email: "a@example.com", rh_exp: "1999999999", rh_sig: "abc" },
        "rh_sig",
        /43-character/,
      ],
      ["no rh_exp", { rh_email: "a@example.com", rh_sig: "A".repeat(43) }, "rh_exp", /required/],
      [
        "a date as rh_exp",
        { rh_email: "a@example.com", rh_exp: "2030-01-01", rh_sig: "A".repeat(43) },
        "rh_exp",
        /unix time/,
      ],
      [
        "a bad rh_email",
        { rh_email: "sara", rh_exp: "1999999999", rh_sig: "A".repeat(43) },
        "rh_email",
        /valid email/,
      ],
    ])("refuses %s with 400 naming the parameter", async (_what, body, field, message) => {
      const res = await join(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: "validation_failed", field });
      expect(res.body.error.message).toMatch(message);
    });

    it("answers an unknown public key with 404 and a paused program with 409", async () => {
      expect((await join(good, "pk_nosuchkey000")).status).toBe(404);
      await t.api("PATCH", `/api/v1/campaigns/${campaign.id}`, { status: "paused" });
      try {
        const res = await join(good);
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe("campaign_paused");
      } finally {
        await t.api("PATCH", `/api/v1/campaigns/${campaign.id}`, { status: "active" });
      }
    });

    it("limits joins per address: 20 a minute, then 429 with Retry-After", async () => {
      now += 60_000;
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await join(good, campaign.public_key, false)).status);
      expect(statuses.every((s) => s === 200 || s === 201)).toBe(true);
      const limited = await join(good, campaign.public_key, false);
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe("rate_limited");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      now += 3_000;
      expect((await join(good, campaign.public_key, false)).status).toBe(200);
    });
  });
});
