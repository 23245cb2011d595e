// The widgets' public API as a customer's site calls it: sign-up (with the referrer the browser remembers),
// the ambassador view behind a session token, share counting, CORS, validation and the per-IP sign-up limit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtWidgets } from "../../widgets/test/support/built-script.js";
import { Receiver } from "./support/receiver.js";
import { dialects, pixelPost, startTestServer, type TestServer } from "./support/test-server.js";

const DAY = 86_400_000;

describe.each(dialects)("widget API on $name", (dialect) => {
  let t: TestServer;
  let campaign: any;
  let mark: any;
  // A fake clock: every sign-up moves it on a little, so the per-IP limit refills between ordinary tests.
  let now = Date.UTC(2026, 10, 24, 12);

  beforeAll(async () => {
    t = await startTestServer(dialect, { clock: () => now });
    campaign = (
      await t.api("POST", "/api/v1/campaigns", {
        name: "Acme App",
        url: "https://acme.example.com/",
        events: ["download"],
      })
    ).body;
    await t.api("POST", `/api/v1/campaigns/${campaign.id}/reward-rules`, {
      name: "Free account",
      event: "download",
      referrals_required: 2,
      description: "A free account when 2 friends download the app",
    });
    mark = (
      await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "mark@example.com",
        name: "Mark James",
      })
    ).body;
  });
  afterAll(async () => t?.close());

  const path = (what: string, key = campaign.public_key) => `/api/v1/widget/${key}/${what}`;

  /** Calls like the widget does: JSON, no admin key, from the site's origin. */
  async function widget(method: string, url: string, body?: unknown, session?: string) {
    const res = await fetch(`${t.url}${url}`, {
      method,
      headers: {
        origin: "https://acme.example.com",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(session ? { authorization: `Bearer ${session}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }

  async function signup(body: Record<string, unknown>) {
    now += 6_000;
    return widget("POST", path("signup"), { consent: true, ...body });
  }

  it("answers the CORS preflight for JSON with a session header", async () => {
    const res = await fetch(`${t.url}${path("signup")}`, {
      method: "OPTIONS",
      headers: {
        origin: "https://acme.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,authorization",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
    expect(res.headers.get("access-control-allow-methods")).toMatch(/POST/);
  });

  it("signs up an ambassador and returns a session with their view", async () => {
    const res = await signup({ email: "Ann@Example.com", name: "Ann Lee", extra_field: "Berlin" });
    expect(res.status).toBe(201);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.body.created).toBe(true);
    expect(res.body.session).toMatch(/^vws_[0-9a-z]{40}$/);
    expect(Date.parse(res.body.expires_at) - now).toBe(30 * DAY);
    expect(res.body.ambassador).toMatchObject({
      name: "Ann Lee",
      email: "ann@example.com",
      people_referred: 0,
      progress: [{ name: "Free account", event: "download", have: 0, need: 2, complete: false }],
      rewards: [],
      friends: [],
      shares: {},
    });
    expect(res.body.ambassador.referral_link).toBe(
      `https://acme.example.com/?mwr=${res.body.ambassador.code}`,
    );
    // The ambassador is a subscriber like any other, unreferred, with the extra field kept.
    const list = (await t.api("GET", `/api/v1/campaigns/${campaign.id}/subscribers?search=ann@`)).body;
    expect(list.data).toEqual([
      expect.objectContaining({ email: "ann@example.com", extra_field: "Berlin", referred_by: null }),
    ]);
  });

  it("announces the new ambassador with a new_registration webhook whose source is widget", async () => {
    const receiver = await Receiver.start({ now: () => now });
    try {
      const hook = await t.api("POST", `/api/v1/campaigns/${campaign.id}/webhooks`, {
        url: receiver.url(),
        events: ["new_registration"],
      });
      receiver.useSecret(hook.body.secret);
      await signup({ email: "wendy@example.com", name: "Wendy" });
      const [delivery] = await receiver.waitFor(1);
      expect(delivery?.verification).toBe("ok");
      expect(delivery?.json).toMatchObject({
        response: "new_registration",
        email: "wendy@example.com",
        source: "widget",
      });
      await t.api("PATCH", `/api/v1/webhooks/${hook.body.id}`, { enabled: false });
    } finally {
      await receiver.close();
    }
  });

  it("answers the same email again with the existing ambassador, unchanged, and a new session", async () => {
    const first = await signup({ email: "bea@example.com", name: "Bea" });
    const again = await signup({ email: "BEA@example.com", name: "Someone else" });
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    expect(again.body.ambassador).toMatchObject({ name: "Bea", code: first.body.ambassador.code });
    expect(again.body.session).not.toBe(first.body.session);
    for (const session of [first.body.session, again.body.session]) {
      expect((await widget("GET", path("me"), undefined, session)).body.code).toBe(
        first.body.ambassador.code,
      );
    }
  });

  it("records the referrer the visitor's cookie remembers, matched case-insensitively", async () => {
    const res = await signup({
      email: "sara@example.com",
      refs: [{ code: mark.code.toLowerCase(), ts: now - 60_000 }],
    });
    expect(res.status).toBe(201);
    const sara = (await t.api("GET", `/api/v1/campaigns/${campaign.id}/subscribers?search=sara@`)).body
      .data[0];
    expect(sara.referred_by).toBe(mark.id);
  });

  it("records the referrer of the visitor id's recorded visit when the browser sent no referral", async () => {
    const vid = "visitor_tom_0001";
    const visit = await pixelPost(t.url, "visit", {
      k: campaign.public_key,
      vid,
      code: mark.code,
      url: `https://acme.example.com/?mwr=${mark.code}`,
    });
    expect(visit.status).toBe(201);
    await signup({ email: "tom@example.com", vid, refs: [] });
    const tom = (await t.api("GET", `/api/v1/campaigns/${campaign.id}/subscribers?search=tom@`)).body.data[0];
    expect(tom.referred_by).toBe(mark.id);
  });

  it("ignores unknown, malformed and expired referrals, and never refers someone to themselves", async () => {
    const res = await signup({
      email: "zoe@example.com",
      vid: "not a visitor id!",
      refs: [{ code: "NOBODY-1" }, { code: "bad code!", ts: now }, { code: mark.code, ts: now - 120 * DAY }],
    });
    expect(res.status).toBe(201);
    const zoe = (await t.api("GET", `/api/v1/campaigns/${campaign.id}/subscribers?search=zoe@`)).body.data[0];
    expect(zoe.referred_by).toBeNull();
    const self = await signup({ email: "mark@example.com", refs: [{ code: mark.code, ts: now }] });
    expect(self.status).toBe(200);
    expect(self.body.ambassador.code).toBe(mark.code);
  });

  it.each([
    [{ email: "not-an-email" }, "email", /valid email/],
    [{ name: "Ann" }, "email", /required/],
    [{ email: "a@example.com", consent: false }, "consent", /accepted/],
    [{ email: "a@example.com", consent: undefined }, "consent", /accepted|required/],
    [{ email: "a@example.com", name: "x".repeat(101) }, "name", /at most 100/],
    [{ email: "a@example.com", extra_field_2: "x".repeat(201) }, "extra_field_2", /at most 200/],
  ])("refuses %j with 400 naming %s", async (body, field, message) => {
    const res = await signup(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "validation_failed", field });
    expect(res.body.error.message).toMatch(message);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("answers an unknown public key with 404", async () => {
    const res = await widget("POST", path("signup", "pk_nosuchkey000"), {
      email: "a@example.com",
      consent: true,
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    expect((await widget("GET", path("me", "pk_nosuchkey000"), undefined, "vws_x")).status).toBe(404);
  });

  it("shows the ambassador their friends masked, progress as have of need, and rewards earned", async () => {
    const joined = await signup({ email: "mark@example.com" });
    const session = joined.body.session;
    const convert = (email: string) =>
      t.api("POST", `/api/v1/campaigns/${campaign.id}/conversions`, {
        event: "download",
        email,
        referral_code: mark.code,
      });
    expect((await convert("sara@example.com")).status).toBe(201);
    now += 60_000;
    let me = (await widget("GET", path("me"), undefined, session)).body;
    expect(me).toMatchObject({
      people_referred: 1,
      progress: [{ name: "Free account", have: 1, need: 2, complete: false }],
      rewards: [],
      friends: [{ email: "s***@example.com", event: "download" }],
    });
    expect(JSON.stringify(me)).not.toContain("sara@");

    expect((await convert("tom@example.com")).status).toBe(201);
    me = (await widget("GET", path("me"), undefined, session)).body;
    expect(me.people_referred).toBe(2);
    expect(me.friends.map((f: any) => f.email)).toEqual(["t***@example.com", "s***@example.com"]);
    expect(me.progress).toEqual([expect.objectContaining({ have: 2, need: 2, complete: true })]);
    expect(me.rewards).toEqual([
      expect.objectContaining({
        name: "Free account",
        description: "A free account when 2 friends download the app",
        status: "sent",
      }),
    ]);
  });

  it("refuses a missing, wrong, foreign or expired session with 401", async () => {
    const { session } = (await signup({ email: "exp@example.com" })).body;
    expect((await widget("GET", path("me"))).status).toBe(401);
    expect((await widget("GET", path("me"), undefined, `vws_${"a".repeat(40)}`)).status).toBe(401);
    const other = (
      await t.api("POST", "/api/v1/campaigns", {
        name: "Other",
        url: "https://other.example.com",
        events: ["x"],
      })
    ).body;
    const foreign = await widget("GET", path("me", other.public_key), undefined, session);
    expect(foreign.status).toBe(401);
    expect(foreign.body.error.code).toBe("unauthorized");
    expect((await widget("GET", path("me"), undefined, session)).status).toBe(200);
    now += 30 * DAY + 1;
    expect((await widget("GET", path("me"), undefined, session)).status).toBe(401);
  });

  it("counts shares per network for the session's ambassador", async () => {
    const { session, ambassador } = (await signup({ email: "sharer@example.com" })).body;
    expect(ambassador.shares).toEqual({});
    const share = (network: unknown) => widget("POST", path("share"), { network }, session);
    expect((await share("twitter")).body).toEqual({ network: "twitter", shares: 1 });
    expect((await share("twitter")).body).toEqual({ network: "twitter", shares: 2 });
    expect((await share("whatsapp")).body).toEqual({ network: "whatsapp", shares: 1 });
    const bad = await share("myspace");
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("network");
    expect((await widget("POST", path("share"), { network: "email" })).status).toBe(401);
    const me = (await widget("GET", path("me"), undefined, session)).body;
    expect(me.shares).toEqual({ twitter: 2, whatsapp: 1 });
  });

  it("limits sign-ups per IP address, then lets them through again", async () => {
    now += 10 * 60_000;
    const burst = [];
    for (let i = 0; i < 11; i++) {
      burst.push(await widget("POST", path("signup"), { email: `burst${i}@example.com`, consent: true }));
    }
    expect(burst.slice(0, 10).map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(burst[10]?.status).toBe(429);
    expect(burst[10]?.body.error.code).toBe("rate_limited");
    now += 6_000;
    const later = await widget("POST", path("signup"), { email: "burst10@example.com", consent: true });
    expect(later.status).toBe(201);
  });

  it("refuses sign-ups while the campaign is paused", async () => {
    await t.api("PATCH", `/api/v1/campaigns/${campaign.id}`, { status: "paused" });
    const res = await signup({ email: "late@example.com" });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("campaign_paused");
    await t.api("PATCH", `/api/v1/campaigns/${campaign.id}`, { status: "active" });
  });

  it("serves the built widgets script to any site, gzipped when asked", async () => {
    const built = builtWidgets();
    const res = await fetch(`${t.url}/widgets/widgets.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/javascript/);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(Buffer.from(await res.arrayBuffer()).equals(built)).toBe(true);
  });
});
