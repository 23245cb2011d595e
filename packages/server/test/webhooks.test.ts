// Webhooks as a customer's endpoint and the campaign owner see them: a real local receiver, the server's own
// delivery worker driven one round at a time (`runOnce`) under a fake clock, and the admin API.
import { ENDPOINT_DISABLE_AFTER_MS, RETRY_SCHEDULE_MS } from "@vouch/core";
import { nextDueAt } from "@vouch/db";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ReceivedRequest, Receiver, verifyAt } from "./support/receiver.js";
import { dialects, pixelPost, startTestServer, type TestServer } from "./support/test-server.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 10, 24, 12);

const idOf = (r: ReceivedRequest | undefined) => r?.headers["webhook-id"];
const emailOf = (r: ReceivedRequest | undefined) => (r?.json as any)?.event_data?.email;
const signaturesOf = (r: ReceivedRequest | undefined) =>
  String(r?.headers["webhook-signature"] ?? "").split(" ");

describe.each(dialects)("webhooks on $name", (dialect) => {
  let now = START;
  let t: TestServer;
  let receivers: Receiver[] = [];
  async function start(options: { clock?: () => number; webhookWorker?: boolean; random?: () => number }) {
    return startTestServer(dialect, options);
  }
  async function stop() {
    await t.close();
  }

  beforeEach(async () => {
    now = START;
    // No jitter (random 0.5 puts every retry exactly on the schedule); the worker runs only when a test says so.
    t = await start({ clock: () => now, webhookWorker: false, random: () => 0.5 });
  });
  afterEach(async () => {
    await stop();
    for (const r of receivers) await r.close();
    receivers = [];
  });

  async function receiver(clock: () => number = () => now): Promise<Receiver> {
    const r = await Receiver.start({ now: clock });
    receivers.push(r);
    return r;
  }
  const runOnce = () => t.server.webhooks.runOnce();
  const advance = (ms: number) => {
    now += ms;
  };
  /** Every round that is due until nothing is pending: the clock jumps to each next attempt. */
  async function drain(): Promise<number[]> {
    const rounds: number[] = [];
    for (let i = 0; i < 100; i++) {
      const due = await nextDueAt(t.server.database.db);
      if (due === null) return rounds;
      now = Math.max(now, due);
      rounds.push(now);
      await runOnce();
    }
    throw new Error("the queue never emptied");
  }

  async function setup(options: { events?: string[]; receiver?: Receiver } = {}) {
    const rec = options.receiver ?? (await receiver());
    const campaign = (
      await t.api("POST", "/api/v1/campaigns", {
        name: "App",
        url: "https://app.example",
        events: ["download"],
      })
    ).body;
    const mark = (
      await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "mark@example.com",
        name: "Mark James",
        extra_field: "USA",
      })
    ).body;
    const created = await t.api("POST", `/api/v1/campaigns/${campaign.id}/webhooks`, {
      url: rec.url(),
      events: options.events ?? ["event_conversion"],
    });
    expect(created.status).toBe(201);
    rec.useSecret(created.body.secret);
    const hook = created.body;
    let visitors = 0;
    const convert = (email: string, data: Record<string, unknown> = {}, referred = true) =>
      pixelPost(t.url, "track", {
        k: campaign.public_key,
        vid: `visitor_${String(++visitors).padStart(6, "0")}`,
        event: "download",
        data: { email, ...data },
        refs: referred ? [{ code: mark.code, ts: now - DAY }] : [],
      });
    const deliveries = async (query = "") =>
      (await t.api("GET", `/api/v1/webhooks/${hook.id}/deliveries${query}`)).body.data;
    const endpoint = async () => (await t.api("GET", `/api/v1/webhooks/${hook.id}`)).body;
    return {
      receiver: rec,
      campaign,
      mark,
      hook,
      secret: hook.secret as string,
      convert,
      deliveries,
      endpoint,
    };
  }

  describe("endpoint configuration", () => {
    it("creates an endpoint with a whsec_ secret shown once, never in GET", async () => {
      const { campaign, hook, secret, receiver: rec } = await setup();
      expect(hook).toMatchObject({
        campaign_id: campaign.id,
        url: rec.url(),
        events: ["event_conversion"],
        enabled: true,
        disabled_reason: null,
        failing_since: null,
        created_at: new Date(now).toISOString(),
      });
      expect(hook.id).toMatch(/^whk_/);
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      expect(Buffer.from(secret.slice("whsec_".length), "base64")).toHaveLength(24);

      const list = await t.api("GET", `/api/v1/campaigns/${campaign.id}/webhooks`);
      const one = await t.api("GET", `/api/v1/webhooks/${hook.id}`);
      expect(list.status).toBe(200);
      expect(list.body.data).toHaveLength(1);
      expect(list.body.data[0]).not.toHaveProperty("secret");
      expect(one.status).toBe(200);
      expect(one.body).not.toHaveProperty("secret");
      expect(one.body).toEqual(list.body.data[0]);
      expect(JSON.stringify([list.body, one.body])).not.toContain(secret.slice("whsec_".length));

      const second = await t.api("POST", `/api/v1/campaigns/${campaign.id}/webhooks`, {
        url: rec.url("/other"),
        events: ["new_registration"],
      });
      expect(second.body.secret).not.toBe(secret);
    });

    it("changes url, events and enabled with PATCH; deletes with 204 and then answers 404", async () => {
      const { hook, convert, receiver: rec } = await setup();
      const moved = await receiver();
      advance(MINUTE);
      const patched = await t.api("PATCH", `/api/v1/webhooks/${hook.id}`, {
        url: moved.url("/v2"),
        events: ["event_conversion", "new_registration"],
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        url: moved.url("/v2"),
        events: ["event_conversion", "new_registration"],
        enabled: true,
        updated_at: new Date(now).toISOString(),
        created_at: new Date(START).toISOString(),
      });
      expect(patched.body).not.toHaveProperty("secret");

      await convert("after-move@example.com");
      expect(await runOnce()).toBe(1);
      expect(rec.requests).toHaveLength(0);
      expect(moved.requests.map((r) => r.path)).toEqual(["/v2"]);

      const off = await t.api("PATCH", `/api/v1/webhooks/${hook.id}`, { enabled: false });
      expect(off.body).toMatchObject({ enabled: false, disabled_reason: "disabled by the owner" });
      await convert("while-off@example.com");
      expect(await runOnce()).toBe(0);
      const on = await t.api("PATCH", `/api/v1/webhooks/${hook.id}`, { enabled: true });
      expect(on.body).toMatchObject({ enabled: true, disabled_reason: null });

      // A message still queued when the endpoint is deleted goes nowhere.
      await convert("before-delete@example.com");
      const deleted = await t.api("DELETE", `/api/v1/webhooks/${hook.id}`);
      expect(deleted.status).toBe(204);
      expect(deleted.body).toBe("");
      expect(await runOnce()).toBe(0);
      expect(moved.requests).toHaveLength(1);
      expect((await t.api("GET", `/api/v1/webhooks/${hook.id}`)).status).toBe(404);
      expect((await t.api("DELETE", `/api/v1/webhooks/${hook.id}`)).status).toBe(404);
      expect((await t.api("PATCH", `/api/v1/webhooks/${hook.id}`, { enabled: true })).status).toBe(404);
    });

    const bad: Array<[string, Record<string, unknown>, string | undefined]> = [
      ["an unknown event name", { events: ["event_converted"] }, "events.0"],
      ["no events", { events: [] }, "events"],
      ["the same event twice", { events: ["event_conversion", "event_conversion"] }, "events"],
      ["an ftp URL", { url: "ftp://127.0.0.1/hook" }, "url"],
      ["a value that is no URL", { url: "receiver" }, "url"],
      ["a URL with credentials", { url: "http://user:pass@127.0.0.1/hook" }, "url"],
      ["a URL with only a user name", { url: "http://user@127.0.0.1/hook" }, "url"],
      ["no URL", { url: undefined }, "url"],
      ["a URL over 2048 characters", { url: `http://127.0.0.1/${"a".repeat(2048)}` }, "url"],
    ];
    it.each(bad)(
      "refuses %s with 400 naming the field, and creates nothing",
      async (_name, change, field) => {
        const { campaign } = await setup();
        const res = await t.api("POST", `/api/v1/campaigns/${campaign.id}/webhooks`, {
          url: "http://127.0.0.1:9/hook",
          events: ["event_conversion"],
          ...change,
        });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({
          code: "validation_failed",
          field,
          message: expect.any(String),
        });
        expect((await t.api("GET", `/api/v1/campaigns/${campaign.id}/webhooks`)).body.data).toHaveLength(1);
      },
    );

    it("refuses a secret chosen by the caller, an empty PATCH and a bad PATCH url", async () => {
      const { campaign, hook } = await setup();
      const ownSecret = await t.api("POST", `/api/v1/campaigns/${campaign.id}/webhooks`, {
        url: "http://127.0.0.1:9/hook",
        events: ["event_conversion"],
        secret: "whsec_bWluZQ==",
      });
      expect(ownSecret.status).toBe(400);
      expect(ownSecret.body.error.message).toContain('"secret"');
      const empty = await t.api("PATCH", `/api/v1/webhooks/${hook.id}`, {});
      expect(empty.status).toBe(400);
      const ftp = await t.api("PATCH", `/api/v1/webhooks/${hook.id}`, { url: "ftp://127.0.0.1/" });
      expect(ftp.status).toBe(400);
      expect(ftp.body.error.field).toBe("url");
      expect((await t.api("GET", `/api/v1/webhooks/${hook.id}`)).body.url).toBe(hook.url);
    });

    it("needs the admin key and an existing campaign", async () => {
      const { campaign, hook } = await setup();
      const body = { url: "http://127.0.0.1:9/hook", events: ["event_conversion"] };
      expect(
        (await t.api("POST", `/api/v1/campaigns/${campaign.id}/webhooks`, body, { authorization: "" }))
          .status,
      ).toBe(401);
      expect(
        (await t.api("GET", `/api/v1/webhooks/${hook.id}`, undefined, { authorization: "" })).status,
      ).toBe(401);
      expect((await t.api("POST", "/api/v1/campaigns/cmp_nothing/webhooks", body)).status).toBe(404);
    });
  });

  describe("event_conversion", () => {
    it("delivers an attributed conversion once, signed, in the seed's exact shape", async () => {
      const { campaign, mark, convert, deliveries, secret, receiver: rec } = await setup();
      const res = await convert("john@example.com", {
        first_name: "John",
        last_name: "Smith",
        currency: "USD",
        amount: 15.7,
        transaction_id: "TRX_123",
      });
      expect(res.status).toBe(201);
      expect(rec.requests).toHaveLength(0);

      expect(await runOnce()).toBe(1);
      expect(rec.requests).toHaveLength(1);
      const [req] = rec.requests;
      expect(req?.method).toBe("POST");
      expect(req?.path).toBe("/hook");
      expect(req?.headers["content-type"]).toBe("application/json");
      expect(idOf(req)).toMatch(/^msg_/);
      expect(req?.headers["webhook-timestamp"]).toBe(String(now / 1000));
      expect(signaturesOf(req)).toEqual([expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/)]);
      expect(req?.verification).toBe("ok");
      expect(verifyAt(secret, req as ReceivedRequest, now)).toBe("ok");
      expect(verifyAt("whsec_c29tZW9uZSBlbHNlJ3Mgc2VjcmV0", req as ReceivedRequest, now)).toBe(
        "bad_signature",
      );
      expect(req?.json).toEqual({
        response: "event_conversion",
        list_uuid: campaign.id,
        event_name: "download",
        event_data: {
          id: res.body.id,
          currency: "USD",
          amount: 15.7,
          transaction_id: "TRX_123",
          source: "direct_visit",
          first_name: "John",
          last_name: "Smith",
          email: "john@example.com",
          created_at: now / 1000,
        },
        referrer: {
          subscriber_id: mark.id,
          name: "Mark James",
          email: "mark@example.com",
          extra_field: "USA",
          extra_field_2: null,
          code: mark.code,
          referral_link: `https://app.example/?mwr=${mark.code}`,
          people_referred: 1,
        },
      });
      const log = await deliveries();
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ message_id: idOf(req), status: 200, message_status: "delivered" });

      // Delivered means done: no later round sends it again.
      advance(3 * DAY);
      expect(await runOnce()).toBe(0);
      expect(rec.requests).toHaveLength(1);
    });

    it("sends nothing for a repeat of the same email, nor for an organic conversion", async () => {
      const { convert, receiver: rec } = await setup();
      await convert("sara@example.com", { amount: 10 });
      expect(await runOnce()).toBe(1);
      const repeat = await convert("SARA@example.com", { amount: 99 });
      expect(repeat.status).toBe(200);
      const organic = await convert("walk-in@example.com", {}, false);
      expect(organic.body).toMatchObject({ created: true, referred: false });
      expect(await runOnce()).toBe(0);
      advance(DAY);
      expect(await runOnce()).toBe(0);
      expect(rec.requests).toHaveLength(1);
    });

    it("goes only to endpoints subscribed to it, each signed with its own secret", async () => {
      const { campaign, convert, secret, receiver: conversions } = await setup();
      const registrations = await receiver();
      const other = await t.api("POST", `/api/v1/campaigns/${campaign.id}/webhooks`, {
        url: registrations.url(),
        events: ["new_registration"],
      });
      const both = await receiver();
      const third = await t.api("POST", `/api/v1/campaigns/${campaign.id}/webhooks`, {
        url: both.url(),
        events: ["new_registration", "event_conversion"],
      });
      both.useSecret(third.body.secret);
      await convert("friend@example.com");
      expect(await runOnce()).toBe(2);
      expect(registrations.requests).toHaveLength(0);
      expect(conversions.requests).toHaveLength(1);
      expect(both.requests).toHaveLength(1);
      expect(both.requests[0]?.verification).toBe("ok");
      expect(verifyAt(secret, both.requests[0] as ReceivedRequest, now)).toBe("bad_signature");
      expect(verifyAt(other.body.secret, conversions.requests[0] as ReceivedRequest, now)).toBe(
        "bad_signature",
      );
      expect(idOf(both.requests[0])).not.toBe(idOf(conversions.requests[0]));
      expect(both.requests[0]?.rawBody).toBe(conversions.requests[0]?.rawBody);
    });

    it("sends one webhook when the same friend converts twenty times at once", async () => {
      const { convert, receiver: rec } = await setup();
      const results = await Promise.all(Array.from({ length: 20 }, () => convert("race@example.com")));
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(await runOnce()).toBe(1);
      expect(rec.requests).toHaveLength(1);
      expect(rec.requests[0]?.json).toMatchObject({ referrer: { people_referred: 1 } });
    });

    it("sends nothing for a conversion that is refused inside its transaction", async () => {
      const { campaign, mark, deliveries, receiver: rec } = await setup();
      const path = `/api/v1/campaigns/${campaign.id}/conversions`;
      const refused = await t.api("POST", path, {
        event: "download",
        email: "ghost@example.com",
        referral_code: "NOPE-2222",
        amount: 5,
      });
      expect(refused.status).toBe(422);
      expect(refused.body.error).toMatchObject({ code: "unknown_referrer", field: "referral_code" });
      expect(await runOnce()).toBe(0);
      advance(DAY);
      expect(await runOnce()).toBe(0);
      expect(rec.requests).toHaveLength(0);
      expect(await deliveries()).toEqual([]);

      // A good and a bad request together: only the good one is reported.
      const [good, bad] = await Promise.all([
        t.api("POST", path, { event: "download", email: "real@example.com", referral_code: mark.code }),
        t.api("POST", path, { event: "download", email: "fake@example.com", referral_code: "NOPE-3333" }),
      ]);
      expect([good.status, bad.status]).toEqual([201, 422]);
      expect(await runOnce()).toBe(1);
      expect(rec.requests.map(emailOf)).toEqual(["real@example.com"]);
    });
  });

  describe("new_registration", () => {
    it("reports an ambassador signing up with a referrer, and without one", async () => {
      const { campaign, mark, receiver: rec } = await setup({ events: ["new_registration"] });
      const sara = await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "sara@example.com",
        name: "Sara",
        extra_field_2: "newsletter",
        referrer: mark.code,
      });
      expect(sara.status).toBe(201);
      advance(SECOND);
      const solo = await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "solo@example.com",
      });
      expect(await runOnce()).toBe(2);
      const markNow = (await t.api("GET", `/api/v1/subscribers/${mark.id}`)).body;
      const bodies = rec.requests.map((r) => r.json as any).sort((a, b) => a.created_at - b.created_at);
      expect(bodies[0]).toEqual({
        response: "new_registration",
        list_uuid: campaign.id,
        subscriber_id: sara.body.id,
        name: "Sara",
        email: "sara@example.com",
        extra_field: null,
        extra_field_2: "newsletter",
        code: sara.body.code,
        source: "api",
        referral_link: sara.body.referral_link,
        referred: true,
        referral: {
          name: "Mark James",
          email: "mark@example.com",
          code: mark.code,
          people_referred: markNow.people_referred,
        },
        verified: true,
        created_at: START / 1000,
      });
      expect(bodies[1]).toMatchObject({
        subscriber_id: solo.body.id,
        email: "solo@example.com",
        name: null,
        referred: false,
        referral: "",
        verified: true,
        created_at: START / 1000 + 1,
      });
      expect(rec.requests.every((r) => r.verification === "ok")).toBe(true);

      // The same email again changes nothing and reports nothing.
      const again = await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "sara@example.com",
      });
      expect(again.status).toBe(200);
      expect(await runOnce()).toBe(0);
      expect(rec.requests).toHaveLength(2);
    });

    it("reports nothing for a signup refused for an unknown referrer", async () => {
      const { campaign, receiver: rec } = await setup({ events: ["new_registration"] });
      const res = await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "nobody@example.com",
        referrer: "NOPE-2222",
      });
      expect(res.status).toBe(422);
      expect(await runOnce()).toBe(0);
      expect(rec.requests).toHaveLength(0);
    });
  });

  describe("retries", () => {
    it("retries a receiver that was down and delivers once it is back", async () => {
      const { convert, deliveries, endpoint, receiver: rec } = await setup();
      await rec.stop();
      await convert("sara@example.com");
      const firstAttempt = now;
      expect(await runOnce()).toBe(1);
      let log = await deliveries();
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({
        attempted_at: new Date(firstAttempt).toISOString(),
        status: null,
        message_status: "pending",
        error: expect.stringContaining("ECONNREFUSED"),
        response_body: "",
      });
      expect((await endpoint()).failing_since).toBe(new Date(firstAttempt).toISOString());

      advance(RETRY_SCHEDULE_MS[0]! - 1);
      expect(await runOnce()).toBe(0);
      await rec.restart();
      advance(1);
      expect(await runOnce()).toBe(1);
      expect(rec.requests).toHaveLength(1);
      const [req] = rec.requests;
      expect(idOf(req)).toBe(log[0].message_id);
      expect(req?.headers["webhook-timestamp"]).toBe(String(now / 1000));
      expect(req?.verification).toBe("ok");
      log = await deliveries();
      expect(log.map((a: any) => [a.status, a.message_status])).toEqual([
        [200, "delivered"],
        [null, "delivered"],
      ]);
      expect((await endpoint()).failing_since).toBeNull();
      advance(3 * DAY);
      expect(await runOnce()).toBe(0);
      expect(rec.requests).toHaveLength(1);
    });

    it("sends a retry with the same webhook-id and a fresh timestamp, then stops", async () => {
      const { convert, deliveries, receiver: rec } = await setup();
      rec.respond({ status: 500, body: "database is down" });
      await convert("sara@example.com");
      expect(await runOnce()).toBe(1);
      advance(5 * SECOND);
      expect(await runOnce()).toBe(1);
      expect(rec.requests).toHaveLength(2);
      const [first, second] = rec.requests;
      expect(idOf(second)).toBe(idOf(first));
      expect(second?.rawBody).toBe(first?.rawBody);
      expect(Number(second?.headers["webhook-timestamp"]) - Number(first?.headers["webhook-timestamp"])).toBe(
        5,
      );
      expect(rec.requests.map((r) => r.verification)).toEqual(["ok", "ok"]);
      const log = await deliveries();
      expect(log[1]).toMatchObject({
        status: 500,
        error: "receiver answered 500",
        response_body: "database is down",
      });
      expect(log[0]).toMatchObject({ status: 200, error: null, message_status: "delivered" });
      advance(3 * DAY);
      expect(await runOnce()).toBe(0);
    });

    it("does not follow a redirect: a 302 is a failure, retried at the same URL", async () => {
      const { convert, deliveries, receiver: rec } = await setup();
      rec.respond({ status: 302, headers: { location: rec.url("/moved") } });
      await convert("sara@example.com");
      expect(await runOnce()).toBe(1);
      expect(rec.requests.map((r) => r.path)).toEqual(["/hook"]);
      expect((await deliveries())[0]).toMatchObject({
        status: 302,
        error: "receiver answered 302",
        message_status: "pending",
      });
      advance(5 * SECOND);
      expect(await runOnce()).toBe(1);
      expect(rec.requests.map((r) => r.path)).toEqual(["/hook", "/hook"]);
    });

    it("counts only 2xx as success: 201 and 204 deliver, 304 does not", async () => {
      const { convert, deliveries, receiver: rec } = await setup();
      rec.respond({ status: 201 }, { status: 204 }, { status: 304 });
      await convert("a@example.com");
      await convert("b@example.com");
      await convert("c@example.com");
      expect(await runOnce()).toBe(3);
      const log = await deliveries();
      expect(log.map((a: any) => [a.status, a.message_status]).sort()).toEqual([
        [201, "delivered"],
        [204, "delivered"],
        [304, "pending"],
      ]);
    });

    it("disables the endpoint on 410 Gone and sends nothing more until it is enabled again", async () => {
      const { campaign, hook, convert, deliveries, endpoint, receiver: rec } = await setup();
      rec.respond({ status: 410, body: "no such hook" });
      await convert("first@example.com");
      expect(await runOnce()).toBe(1);
      expect(await endpoint()).toMatchObject({
        enabled: false,
        disabled_reason: "the receiver answered 410 Gone",
      });
      expect((await deliveries())[0]).toMatchObject({ status: 410, message_status: "failed" });

      await convert("second@example.com");
      expect(await runOnce()).toBe(0);
      advance(3 * DAY);
      expect(await runOnce()).toBe(0);
      expect(rec.requests).toHaveLength(1);
      const test = await t.api("POST", `/api/v1/webhooks/${hook.id}/test`);
      expect(test.status).toBe(400);
      expect(test.body.error.field).toBe("enabled");
      const listed = (await t.api("GET", `/api/v1/campaigns/${campaign.id}/webhooks`)).body.data;
      expect(listed[0]).toMatchObject({ enabled: false, disabled_reason: "the receiver answered 410 Gone" });

      const on = await t.api("PATCH", `/api/v1/webhooks/${hook.id}`, { enabled: true });
      expect(on.body).toMatchObject({ enabled: true, disabled_reason: null, failing_since: null });
      await convert("third@example.com");
      expect(await runOnce()).toBe(1);
      expect(rec.requests.map(emailOf)).toEqual(["first@example.com", "third@example.com"]);

      // The message that met the 410 failed for good; its owner can send it again by hand.
      const gone = idOf(rec.requests[0]);
      advance(MINUTE);
      expect((await t.api("POST", `/api/v1/webhook-messages/${gone}/retry`)).status).toBe(202);
      expect(await runOnce()).toBe(1);
      expect(idOf(rec.requests[2])).toBe(gone);
      expect(emailOf(rec.requests[2])).toBe("first@example.com");
      expect((await deliveries())[0]).toMatchObject({
        message_id: gone,
        status: 200,
        message_status: "delivered",
      });

      // What happened while it was disabled was kept, failed: a replay sends it now.
      const replay = await t.api("POST", `/api/v1/webhooks/${hook.id}/replay`, { since: START / 1000 });
      expect(replay.body).toEqual({ replayed: 1 });
      expect(await runOnce()).toBe(1);
      expect(emailOf(rec.requests[3])).toBe("second@example.com");
    });

    it("refuses to retry or replay for a disabled endpoint", async () => {
      const { hook, convert, receiver: rec } = await setup();
      rec.respond({ status: 500 });
      await convert("sara@example.com");
      await runOnce();
      await t.api("PATCH", `/api/v1/webhooks/${hook.id}`, { enabled: false });
      const replay = await t.api("POST", `/api/v1/webhooks/${hook.id}/replay`, { since: START / 1000 });
      expect(replay.status).toBe(400);
      expect(replay.body.error.field).toBe("enabled");
      const retry = await t.api("POST", `/api/v1/webhook-messages/${idOf(rec.requests[0])}/retry`);
      expect(retry.status).toBe(400);
    });

    it("stores a reply holding NUL bytes and finishes the round", async () => {
      const { convert, deliveries, receiver: rec } = await setup();
      rec.respond({ status: 200, body: "ok\u0000\u0001" });
      await convert("nul@example.com");
      expect(await runOnce()).toBe(1);
      const [attempt] = await deliveries();
      expect(attempt).toMatchObject({ status: 200, message_status: "delivered" });
      expect(attempt.response_body).toBe("ok\uFFFD\u0001");
      expect(await runOnce()).toBe(0);
    });

    it("honours Retry-After: not due after 5 s, due after an hour", async () => {
      const { convert, receiver: rec } = await setup();
      rec.respond({ status: 429, headers: { "retry-after": "3600" } });
      await convert("sara@example.com");
      const first = now;
      expect(await runOnce()).toBe(1);
      advance(5 * SECOND);
      expect(await runOnce()).toBe(0);
      now = first + HOUR - 1;
      expect(await runOnce()).toBe(0);
      now = first + HOUR;
      expect(await runOnce()).toBe(1);
      expect(rec.requests).toHaveLength(2);
      expect(idOf(rec.requests[1])).toBe(idOf(rec.requests[0]));
    });

    it("ignores a Retry-After longer than a day and keeps its own schedule", async () => {
      const { convert, receiver: rec } = await setup();
      rec.respond({ status: 503, headers: { "retry-after": String(30 * 24 * 3600) } });
      await convert("sara@example.com");
      expect(await runOnce()).toBe(1);
      advance(RETRY_SCHEDULE_MS[0]!);
      expect(await runOnce()).toBe(1);
      expect(rec.requests).toHaveLength(2);
    });

    it("retries a receiver that always fails on the schedule for about three days, then gives up", async () => {
      const { convert, deliveries, endpoint, receiver: rec } = await setup();
      rec.respondAlways({ status: 500, body: "nope" });
      await convert("sara@example.com");
      const first = now;
      const rounds = await drain();

      const attempts = RETRY_SCHEDULE_MS.length + 1;
      expect(attempts).toBe(12);
      expect(rounds).toHaveLength(attempts);
      expect(rec.requests).toHaveLength(attempts);
      expect(new Set(rec.requests.map(idOf)).size).toBe(1);
      expect(rec.requests.every((r) => r.verification === "ok")).toBe(true);
      const stamps = rec.requests.map((r) => Number(r.headers["webhook-timestamp"]));
      const gaps = stamps.slice(1).map((s, i) => (s - (stamps[i] as number)) * SECOND);
      expect(gaps).toEqual(RETRY_SCHEDULE_MS);
      const spanMs = (stamps.at(-1)! - stamps[0]!) * SECOND;
      expect(spanMs).toBe(67 * HOUR + 35 * MINUTE + 5 * SECOND);
      expect(spanMs / DAY).toBeCloseTo(2.8, 1);
      expect(stamps[0]).toBe(first / 1000);

      const log = await deliveries();
      expect(log).toHaveLength(attempts);
      expect(log.map((a: any) => a.attempted_at)).toEqual(
        rounds.map((at) => new Date(at).toISOString()).reverse(),
      );
      expect(log.every((a: any) => a.status === 500 && a.message_status === "failed")).toBe(true);
      expect(log.every((a: any) => a.error === "receiver answered 500")).toBe(true);
      // Under five days of failure: the endpoint stays on, showing since when it fails.
      expect(await endpoint()).toMatchObject({ enabled: true, failing_since: new Date(first).toISOString() });

      advance(30 * DAY);
      expect(await runOnce()).toBe(0);
      expect(rec.requests).toHaveLength(attempts);
    });

    it("disables an endpoint that failed every delivery for five days straight", async () => {
      const { hook, convert, deliveries, endpoint, receiver: rec } = await setup();
      rec.respondAlways({ status: 503 });
      const first = now;
      let friends = 0;
      for (;;) {
        await convert(`friend${++friends}@example.com`);
        while ((await runOnce()) > 0) {}
        const state = await endpoint();
        if (!state.enabled) break;
        expect(state.failing_since).toBe(new Date(first).toISOString());
        expect(now - first).toBeLessThan(ENDPOINT_DISABLE_AFTER_MS);
        advance(6 * HOUR);
      }
      expect(now - first).toBe(ENDPOINT_DISABLE_AFTER_MS);
      expect(ENDPOINT_DISABLE_AFTER_MS).toBe(5 * DAY);
      expect(await endpoint()).toMatchObject({
        enabled: false,
        disabled_reason: "every delivery failed for 5 days",
      });

      // Nothing reaches the receiver any more: new events are not queued, queued ones fail without a request.
      const seen = rec.requests.length;
      await convert("after@example.com");
      advance(4 * DAY);
      await drain();
      expect(rec.requests).toHaveLength(seen);
      const latest = (await deliveries("?limit=1"))[0];
      expect(latest).toMatchObject({ status: null, error: "endpoint disabled", message_status: "failed" });
      expect((await t.api("POST", `/api/v1/webhooks/${hook.id}/test`)).status).toBe(400);
    });

    it("keeps an endpoint that fails for days but succeeds in between", async () => {
      const { convert, endpoint, receiver: rec } = await setup();
      rec.respondAlways({ status: 503 });
      let friends = 0;
      const step = async () => {
        await convert(`friend${++friends}@example.com`);
        while ((await runOnce()) > 0) {}
        advance(6 * HOUR);
      };
      for (let i = 0; i < 16; i++) await step(); // 4 days of failures
      rec.respondAlways({ status: 200 });
      await step();
      expect((await endpoint()).failing_since).toBeNull();
      rec.respondAlways({ status: 503 });
      const failingAgain = now;
      for (let i = 0; i < 12; i++) await step(); // 3 more days
      expect(await endpoint()).toMatchObject({
        enabled: true,
        failing_since: new Date(failingAgain).toISOString(),
      });
    });
  });

  describe("secret rotation", () => {
    it("signs with both secrets for 24 hours, then with the new one only", async () => {
      const { hook, secret: old, convert, receiver: rec } = await setup();
      const rotated = await t.api("POST", `/api/v1/webhooks/${hook.id}/rotate-secret`);
      expect(rotated.status).toBe(200);
      const fresh = rotated.body.secret as string;
      expect(fresh).toMatch(/^whsec_/);
      expect(fresh).not.toBe(old);
      expect((await t.api("GET", `/api/v1/webhooks/${hook.id}`)).body).not.toHaveProperty("secret");
      const rotatedAt = now;

      await convert("during@example.com");
      await runOnce();
      const during = rec.requests[0] as ReceivedRequest;
      expect(signaturesOf(during)).toHaveLength(2);
      expect(signaturesOf(during).every((s) => s.startsWith("v1,"))).toBe(true);
      expect(verifyAt(old, during, now)).toBe("ok");
      expect(verifyAt(fresh, during, now)).toBe("ok");

      now = rotatedAt + DAY - SECOND;
      await convert("late@example.com");
      await runOnce();
      const late = rec.requests[1] as ReceivedRequest;
      expect(verifyAt(old, late, now)).toBe("ok");
      expect(verifyAt(fresh, late, now)).toBe("ok");

      now = rotatedAt + DAY;
      await convert("after@example.com");
      await runOnce();
      const after = rec.requests[2] as ReceivedRequest;
      expect(signaturesOf(after)).toHaveLength(1);
      expect(verifyAt(fresh, after, now)).toBe("ok");
      expect(verifyAt(old, after, now)).toBe("bad_signature");
    });

    it("answers 404 for an unknown endpoint", async () => {
      expect((await t.api("POST", "/api/v1/webhooks/whk_nothing/rotate-secret")).status).toBe(404);
    });
  });

  describe("test sends, manual retry and replay", () => {
    it("sends one signed sample per subscribed event, marked test", async () => {
      const {
        campaign,
        hook,
        receiver: rec,
      } = await setup({ events: ["event_conversion", "new_registration"] });
      const res = await t.api("POST", `/api/v1/webhooks/${hook.id}/test`);
      expect(res.status).toBe(202);
      expect(res.body.messages).toEqual([expect.stringMatching(/^msg_/), expect.stringMatching(/^msg_/)]);
      expect(await runOnce()).toBe(2);
      expect(rec.requests.map(idOf).sort()).toEqual([...res.body.messages].sort());
      expect(rec.requests.map((r) => (r.json as any).response).sort()).toEqual([
        "event_conversion",
        "new_registration",
      ]);
      for (const r of rec.requests) {
        expect(r.verification).toBe("ok");
        expect(r.json).toMatchObject({ test: true, list_uuid: campaign.id });
      }
      // A sample is not a conversion.
      expect((await t.api("GET", `/api/v1/campaigns/${campaign.id}/conversions`)).body.data).toEqual([]);
      expect((await t.api("POST", "/api/v1/webhooks/whk_nothing/test")).status).toBe(404);
    });

    it("re-sends a delivered message on request, with the same webhook-id", async () => {
      const { convert, receiver: rec } = await setup();
      await convert("sara@example.com");
      await runOnce();
      const id = idOf(rec.requests[0]);
      advance(HOUR);
      const res = await t.api("POST", `/api/v1/webhook-messages/${id}/retry`);
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ id, status: "pending" });
      expect(await runOnce()).toBe(1);
      expect(rec.requests).toHaveLength(2);
      expect(idOf(rec.requests[1])).toBe(id);
      expect(rec.requests[1]?.rawBody).toBe(rec.requests[0]?.rawBody);
      expect(rec.requests[1]?.headers["webhook-timestamp"]).toBe(String(now / 1000));
      expect(rec.requests[1]?.verification).toBe("ok");
      expect(await runOnce()).toBe(0);
      expect((await t.api("POST", "/api/v1/webhook-messages/msg_nothing/retry")).status).toBe(404);
    });

    it("replays the messages that failed since a given time", async () => {
      const { hook, convert, deliveries, endpoint, receiver: rec } = await setup();
      rec.respondAlways({ status: 500 });
      await convert("early@example.com");
      await drain();
      advance(DAY);
      const between = now;
      advance(HOUR);
      await convert("late@example.com");
      await drain();
      expect(new Set((await deliveries()).map((a: any) => a.message_status))).toEqual(new Set(["failed"]));
      const failedRequests = rec.requests.length;
      // Over five days of failures turned the endpoint off; its owner fixes the receiver and turns it back on.
      expect((await endpoint()).enabled).toBe(false);
      rec.respondAlways({ status: 200 });
      expect((await t.api("PATCH", `/api/v1/webhooks/${hook.id}`, { enabled: true })).status).toBe(200);

      advance(HOUR);
      const replay = (since: unknown) => t.api("POST", `/api/v1/webhooks/${hook.id}/replay`, { since });
      const recent = await replay(new Date(between).toISOString());
      expect(recent.status).toBe(202);
      expect(recent.body).toEqual({ replayed: 1 });
      expect(await runOnce()).toBe(1);
      const lateReplay = rec.requests[failedRequests];
      expect(emailOf(lateReplay)).toBe("late@example.com");
      expect(idOf(lateReplay)).toBe(idOf(rec.requests[failedRequests - 1]));
      expect(lateReplay?.verification).toBe("ok");

      const all = await replay(START / 1000);
      expect(all.body).toEqual({ replayed: 1 });
      expect(await runOnce()).toBe(1);
      expect(emailOf(rec.requests.at(-1))).toBe("early@example.com");
      expect((await replay(START / 1000)).body).toEqual({ replayed: 0 });
      expect(await runOnce()).toBe(0);

      const bad = await replay("yesterday");
      expect(bad.status).toBe(400);
      expect(bad.body.error.field).toBe("since");
    });
  });

  describe("delivery log", () => {
    it("lists every attempt, newest first, with time, status, duration, error and the first 1 KB", async () => {
      const { hook, convert, deliveries, receiver: rec } = await setup();
      rec.respond({ status: 500, body: "x".repeat(5 * 1024), delayMs: 150 }, { status: 200, body: "thanks" });
      await convert("sara@example.com");
      const first = now;
      await runOnce();
      advance(5 * SECOND);
      await runOnce();
      const log = await deliveries();
      expect(log).toHaveLength(2);
      expect(log[0]).toEqual({
        id: expect.stringMatching(/^att_/),
        message_id: idOf(rec.requests[0]),
        event_type: "event_conversion",
        message_status: "delivered",
        attempted_at: new Date(now).toISOString(),
        status: 200,
        duration_ms: expect.any(Number),
        error: null,
        response_body: "thanks",
      });
      expect(log[1]).toMatchObject({
        message_id: idOf(rec.requests[0]),
        attempted_at: new Date(first).toISOString(),
        status: 500,
        error: "receiver answered 500",
      });
      expect(log[1].response_body).toBe("x".repeat(1024));
      expect(log[1].duration_ms).toBeGreaterThanOrEqual(150);
      expect(log[1].duration_ms).toBeLessThan(5_000);

      expect(await deliveries("?limit=1")).toEqual([log[0]]);
      expect(await deliveries(`?before=${encodeURIComponent(log[0].attempted_at)}`)).toEqual([log[1]]);
      const badLimit = await t.api("GET", `/api/v1/webhooks/${hook.id}/deliveries?limit=0`);
      expect(badLimit.status).toBe(400);
      expect(badLimit.body.error.field).toBe("limit");
      expect((await t.api("GET", "/api/v1/webhooks/whk_nothing/deliveries")).status).toBe(404);
    });
  });

  describe("the live worker", () => {
    it("delivers a conversion within seconds without anyone calling runOnce", async () => {
      // This test's server runs the real worker on the real clock, in place of the fake-clock one.
      await stop();
      t = await start({});
      const rec = await receiver(Date.now);
      now = Date.now();
      const { convert } = await setup({ receiver: rec });
      const sent = Date.now();
      const res = await convert("live@example.com", { amount: 15.7, currency: "USD" });
      expect(res.status).toBe(201);
      const [req] = await rec.waitFor(1, 5_000);
      expect(req!.receivedAt - sent).toBeLessThan(5_000);
      expect(req?.verification).toBe("ok");
      expect(req?.json).toMatchObject({
        response: "event_conversion",
        event_data: { id: res.body.id, amount: 15.7, email: "live@example.com" },
      });
      // Delivered once: the worker does not send it again.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(rec.requests).toHaveLength(1);
    });
  });
});
