// The owner corrects an ambassador (PATCH) and deletes one (DELETE, a GDPR erasure), as the owner, the ambassador,
// the site and the owner's webhook receiver see it: on real SQLite and PostgreSQL, with the real delivery worker.
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Receiver } from "./support/receiver.js";
import { dialects, pixelPost, startTestServer, type TestServer } from "./support/test-server.js";

const SECOND = 1000;
const DAY = 86_400 * SECOND;
const START = Date.UTC(2026, 10, 24, 12);
const SITE = "https://app.example";

describe.each(dialects)("ambassador corrections and deletion on $name", (dialect) => {
  let now = START;
  let t: TestServer;
  let receiver: Receiver;
  let campaign: any;
  let mark: any;
  let anna: any;
  let visitors = 0;

  beforeEach(async () => {
    now = START;
    t = await startTestServer(dialect, { clock: () => now, webhookWorker: false, random: () => 0.5 });
    receiver = await Receiver.start({ now: () => now });
    campaign = (await t.api("POST", "/api/v1/campaigns", { name: "App", url: SITE, events: ["download"] }))
      .body;
    const hook = await t.api("POST", `/api/v1/campaigns/${campaign.id}/webhooks`, {
      url: receiver.url(),
      events: ["subscriber_updated", "subscriber_deleted"],
    });
    expect(hook.status).toBe(201);
    receiver.useSecret(hook.body.secret);
    mark = (
      await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "mark@example.com",
        name: "Mark James",
        extra_field: "USA",
      })
    ).body;
    anna = (
      await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "anna@example.com",
        name: "Anna",
      })
    ).body;
  });
  afterEach(async () => {
    await t.close();
    await receiver.close();
  });

  const patch = (id: string, body: unknown) => t.api("PATCH", `/api/v1/subscribers/${id}`, body);
  const remove = (id: string) => t.api("DELETE", `/api/v1/subscribers/${id}`);
  const get = (id: string) => t.api("GET", `/api/v1/subscribers/${id}`);
  const list = async (query = "") =>
    (await t.api("GET", `/api/v1/campaigns/${campaign.id}/subscribers${query}`)).body;
  const vid = () => `visitor_${dialect.name}_${String(++visitors).padStart(6, "0")}`;
  const visit = (v: string, code: string) =>
    pixelPost(t.url, "visit", { k: campaign.public_key, vid: v, code, url: `${SITE}/?mwr=${code}` });
  const track = (v: string, email: string, refs: unknown[] = []) =>
    pixelPost(t.url, "track", { k: campaign.public_key, vid: v, event: "download", data: { email }, refs });
  const conversions = async () =>
    (await t.api("GET", `/api/v1/campaigns/${campaign.id}/conversions`)).body.data as any[];
  const widget = async (method: string, what: string, body?: unknown, session?: string) => {
    const res = await fetch(`${t.url}/api/v1/widget/${campaign.public_key}/${what}`, {
      method,
      headers: {
        origin: SITE,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(session ? { authorization: `Bearer ${session}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  /** Runs the delivery worker until nothing is due; returns what the receiver got meanwhile. */
  async function deliver() {
    const before = receiver.requests.length;
    while ((await t.server.webhooks.runOnce()) > 0);
    return receiver.requests.slice(before);
  }

  describe("PATCH /api/v1/subscribers/:id", () => {
    it("corrects each field, answers as GET does and reports each change, signed", async () => {
      await deliver();
      const steps: Array<[Record<string, unknown>, string, unknown, unknown]> = [
        [{ name: "Mark Jameson" }, "name", "Mark Jameson", "Mark James"],
        [{ extra_field: "Canada" }, "extra_field", "Canada", "USA"],
        [{ extra_field_2: "  VIP  " }, "extra_field_2", "VIP", null],
        [{ email: "Mark.J@Example.com" }, "email", "mark.j@example.com", "mark@example.com"],
      ];
      for (const [body, field, value, before] of steps) {
        now += SECOND;
        const res = await patch(mark.id, body);
        expect(res.status).toBe(200);
        expect(res.body[field]).toBe(value);
        expect(res.body).toEqual((await get(mark.id)).body);
        const [request, ...more] = await deliver();
        expect(more).toHaveLength(0);
        expect(request?.verification).toBe("ok");
        expect(request?.headers["webhook-id"]).toMatch(/^msg_/);
        expect(request?.json).toEqual({
          response: "subscriber_updated",
          list_uuid: campaign.id,
          subscriber: {
            subscriber_id: mark.id,
            name: res.body.name,
            email: res.body.email,
            extra_field: res.body.extra_field,
            extra_field_2: res.body.extra_field_2,
            code: mark.code,
            referral_link: mark.referral_link,
            people_referred: 0,
            verified: true,
            verified_at: null,
          },
          changes: [field],
          previous: { [field]: before },
          created_at: Math.floor(now / 1000),
        });
      }
      // The code stays: links already shared keep working.
      expect((await get(mark.id)).body).toMatchObject({ code: mark.code, email: "mark.j@example.com" });
    });

    it("changes several fields at once, clears text with null or an empty string", async () => {
      const res = await patch(mark.id, { name: null, extra_field: "", email: "mark@example.org" });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: null, extra_field: null, email: "mark@example.org" });
      const [request] = await deliver();
      expect(request?.json).toMatchObject({
        changes: ["email", "name", "extra_field"],
        previous: { email: "mark@example.com", name: "Mark James", extra_field: "USA" },
      });
      // The new email finds Mark; the old one is free for someone new.
      const again = await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "mark@example.org",
      });
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(mark.id);
      const fresh = await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "mark@example.com",
      });
      expect(fresh.status).toBe(201);
    });

    it("answers 200 unchanged and sends nothing when nothing changes", async () => {
      await deliver();
      for (const body of [{}, { name: "Mark James", email: " MARK@example.com " }, { extra_field_2: null }]) {
        const res = await patch(mark.id, body);
        expect(res.status).toBe(200);
        expect(res.body).toEqual((await get(mark.id)).body);
      }
      expect(await deliver()).toHaveLength(0);
    });

    it("refuses an email another ambassador of the campaign has: 409, field email, nothing written", async () => {
      await deliver();
      const res = await patch(mark.id, { email: "ANNA@example.com", name: "Changed" });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: "email_taken", field: "email" });
      expect((await get(mark.id)).body).toMatchObject({ email: "mark@example.com", name: "Mark James" });
      expect(await deliver()).toHaveLength(0);
      // The same email in another campaign is no conflict.
      const other = (
        await t.api("POST", "/api/v1/campaigns", { name: "Other", url: SITE, events: ["download"] })
      ).body;
      const tom = (
        await t.api("POST", `/api/v1/campaigns/${other.id}/subscribers`, { email: "tom@example.com" })
      ).body;
      expect((await patch(tom.id, { email: "anna@example.com" })).status).toBe(200);
    });

    it("gives an email asked for by two corrections at once to exactly one of them", async () => {
      await deliver();
      const answers = await Promise.all([
        patch(mark.id, { email: "shared@example.com" }),
        patch(anna.id, { email: "shared@example.com" }),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      expect(answers.find((a) => a.status === 409)?.body.error).toMatchObject({ field: "email" });
      expect((await list("?search=shared")).total).toBe(1);
      expect(await deliver()).toHaveLength(1);
    });

    it("refuses bad input with 400 naming the field, and unknown ids with 404", async () => {
      const cases: Array<[unknown, string]> = [
        [{ email: "not-an-email" }, "email"],
        [{ email: "" }, "email"],
        [{ email: null }, "email"],
        [{ email: `${"a".repeat(250)}@example.com` }, "email"],
        [{ name: "n".repeat(101) }, "name"],
        [{ extra_field: "x".repeat(201) }, "extra_field"],
        [{ extra_field_2: "x".repeat(201) }, "extra_field_2"],
        [{ name: 42 }, "name"],
        [{ name: "a\u0000b" }, "name"],
      ];
      for (const [body, field] of cases) {
        const res = await patch(mark.id, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error).toMatchObject({ code: "validation_failed", field });
      }
      for (const unknown of ["code", "verified", "people_referred"]) {
        const res = await patch(mark.id, { name: "Mark", [unknown]: "x" });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({
          code: "validation_failed",
          message: `unknown field "${unknown}"`,
          field: unknown,
        });
      }
      const notJson = await patch(mark.id, "{nope");
      expect(notJson.status).toBe(400);
      expect((await patch("sub_unknown", { name: "X" })).status).toBe(404);
      expect((await get(mark.id)).body).toMatchObject({ email: "mark@example.com", name: "Mark James" });
      expect(await deliver()).toHaveLength(0);
    });

    it("needs the admin key", async () => {
      const res = await t.api(
        "PATCH",
        `/api/v1/subscribers/${mark.id}`,
        { name: "X" },
        { authorization: "" },
      );
      expect(res.status).toBe(401);
      const del = await t.api("DELETE", `/api/v1/subscribers/${mark.id}`, undefined, {
        authorization: "Bearer wrong_key_0123456789abcdefgh",
      });
      expect(del.status).toBe(401);
      expect((await get(mark.id)).status).toBe(200);
    });
  });

  describe("DELETE /api/v1/subscribers/:id", () => {
    it("answers 204, then 404 everywhere, and sends subscriber_deleted with who it was, signed", async () => {
      await deliver();
      now += SECOND;
      const res = await remove(mark.id);
      expect(res.status).toBe(204);
      expect(res.body).toBe("");
      expect((await get(mark.id)).status).toBe(404);
      expect((await remove(mark.id)).status).toBe(404);
      expect((await patch(mark.id, { name: "Back" })).status).toBe(404);
      expect((await t.api("POST", `/api/v1/subscribers/${mark.id}/verify`)).status).toBe(404);

      const [request, ...more] = await deliver();
      expect(more).toHaveLength(0);
      expect(request?.verification).toBe("ok");
      expect(request?.json).toEqual({
        response: "subscriber_deleted",
        list_uuid: campaign.id,
        subscriber: {
          subscriber_id: mark.id,
          name: "Mark James",
          email: "mark@example.com",
          extra_field: "USA",
          extra_field_2: null,
          code: mark.code,
          referral_link: mark.referral_link,
          people_referred: 0,
          verified: true,
          verified_at: null,
        },
        created_at: Math.floor(now / 1000),
      });
      // A second deletion sent nothing more.
      expect(await deliver()).toHaveLength(0);
    });

    it("deletes once when two deletions arrive together", async () => {
      await deliver();
      const answers = await Promise.all([remove(mark.id), remove(mark.id)]);
      expect(answers.map((a) => a.status).sort()).toEqual([204, 404]);
      expect((await deliver()).map((r) => (r.json as any).response)).toEqual(["subscriber_deleted"]);
    });

    it("hides the ambassador from lists, search and the leaderboard, and erases their personal data", async () => {
      expect((await remove(mark.id)).status).toBe(204);
      const all = await list();
      expect(all.total).toBe(1);
      expect(all.data.map((s: any) => s.id)).toEqual([anna.id]);
      expect((await list("?search=mark")).total).toBe(0);
      expect((await list("?search=deleted")).total).toBe(0);
      const board = (await t.api("GET", `/api/v1/campaigns/${campaign.id}/leaderboard`)).body.data;
      expect(board.map((s: any) => s.id)).toEqual([anna.id]);

      const row = await t.server.database.db
        .selectFrom("subscribers")
        .selectAll()
        .where("id", "=", mark.id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        email: `${mark.id}@deleted.invalid`,
        name: null,
        extra_field: null,
        extra_field_2: null,
        code: mark.code,
      });
      expect(row.deleted_at).toBe(now);
    });

    it("retires the code: later visits and conversions carrying it are not attributed", async () => {
      // Before: one friend converted through Mark, another landed through his link.
      const early = vid();
      await visit(early, mark.code);
      const sara = vid();
      expect(
        (await track(sara, "sara@example.com", [{ code: mark.code, ts: now - DAY }])).body,
      ).toMatchObject({
        created: true,
        referred: true,
      });

      now += SECOND;
      expect((await remove(mark.id)).status).toBe(204);
      now += SECOND;

      const late = vid();
      expect((await visit(late, mark.code)).body.referred).toBe(false);
      const byRef = await track(late, "tom@example.com", [{ code: mark.code, ts: now - SECOND }]);
      expect(byRef.body).toMatchObject({ created: true, referred: false });
      // The browser that landed through his link before the deletion converts after it: organic too.
      const byVisit = await track(early, "ida@example.com");
      expect(byVisit.body).toMatchObject({ created: true, referred: false });
      for (const named of [{ referral_code: mark.code }, { subscriber_id: mark.id }]) {
        const api = await t.api("POST", `/api/v1/campaigns/${campaign.id}/conversions`, {
          event: "download",
          email: "ben@example.com",
          ...named,
        });
        expect(api.status).toBe(422);
        expect(api.body.error.code).toBe("unknown_referrer");
      }
      // A new ambassador cannot name him as their referrer either.
      const joined = await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "kim@example.com",
        referrer: mark.code,
      });
      expect(joined.status).toBe(422);

      // The owner's accounting keeps the conversion he earned before.
      const rows = await conversions();
      expect(rows.find((c) => c.email === "sara@example.com")).toMatchObject({
        subscriber_id: mark.id,
        referrer_code: mark.code,
      });
      expect(rows.filter((c) => c.subscriber_id === mark.id)).toHaveLength(1);
      expect(rows.find((c) => c.email === "tom@example.com")?.subscriber_id ?? null).toBeNull();
    });

    it("ends their widget sessions and the browsers linked to them", async () => {
      const joined = await widget("POST", "signup", { email: "lea@example.com", consent: true });
      expect(joined.status).toBe(201);
      const session = joined.body.session as string;
      expect((await widget("GET", "me", undefined, session)).status).toBe(200);
      const browser = vid();
      const identified = await fetch(`${t.url}/api/v1/collect/identify`, {
        method: "POST",
        headers: { "content-type": "text/plain", origin: SITE },
        body: JSON.stringify({ k: campaign.public_key, vid: browser, email: "lea@example.com", refs: [] }),
      });
      expect(identified.status).toBe(200);
      const lea = (await identified.json()) as { id: string };
      const links = () =>
        t.server.database.db
          .selectFrom("visitor_links")
          .selectAll()
          .where("subscriber_id", "=", lea.id)
          .execute();
      expect(await links()).toHaveLength(1);

      expect((await remove(lea.id)).status).toBe(204);
      expect((await widget("GET", "me", undefined, session)).status).toBe(401);
      expect((await widget("POST", "share", { network: "twitter" }, session)).status).toBe(401);
      expect(await links()).toHaveLength(0);
    });

    it("lets the same email join again later as a new ambassador, with a new code", async () => {
      expect((await remove(mark.id)).status).toBe(204);
      const again = await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "mark@example.com",
        name: "Mark James",
      });
      expect(again.status).toBe(201);
      expect(again.body.id).not.toBe(mark.id);
      expect(again.body.code).not.toBe(mark.code);
      expect(again.body.people_referred).toBe(0);
      expect((await list()).total).toBe(2);
      // And the new one can be corrected to anything but another live ambassador's email.
      expect((await patch(again.body.id, { email: "anna@example.com" })).status).toBe(409);
      expect((await patch(again.body.id, { email: "mark@example.net" })).status).toBe(200);
    });

    it("leaves nothing half-written when the deletion fails part-way", async () => {
      const joined = await widget("POST", "signup", { email: "lea@example.com", consent: true });
      const [lea] = (await list("?search=lea")).data;
      const session = joined.body.session as string;
      await deliver();
      // The database refuses the last step (erasing the row), after the message and the revocations were written.
      await refuseErasure(true);
      const failed = await remove(lea.id);
      expect(failed.status).toBe(500);

      expect((await get(lea.id)).body).toMatchObject({ id: lea.id, email: "lea@example.com" });
      expect((await widget("GET", "me", undefined, session)).status).toBe(200);
      expect((await visit(vid(), lea.code)).body.referred).toBe(true);
      expect(await deliver()).toHaveLength(0);
      const outbox = await t.server.database.db.selectFrom("webhook_messages").select("event_type").execute();
      expect(outbox.map((m) => m.event_type)).not.toContain("subscriber_deleted");

      await refuseErasure(false);
      expect((await remove(lea.id)).status).toBe(204);
      expect((await deliver()).map((r) => (r.json as any).response)).toEqual(["subscriber_deleted"]);
    });
  });

  /** A real trigger that makes the database refuse to mark an ambassador deleted (or stops refusing). */
  async function refuseErasure(on: boolean): Promise<void> {
    const db = t.server.database.db;
    if (dialect.name === "sqlite") {
      if (on)
        await sql`create trigger refuse_erasure before update of deleted_at on subscribers
          when new.deleted_at is not null begin select raise(abort, 'erasure refused'); end`.execute(db);
      else await sql`drop trigger refuse_erasure`.execute(db);
      return;
    }
    if (on) {
      await sql`create function refuse_erasure() returns trigger language plpgsql as $$
        begin raise exception 'erasure refused'; end $$`.execute(db);
      await sql`create trigger refuse_erasure before update of deleted_at on subscribers
        for each row when (new.deleted_at is not null) execute function refuse_erasure()`.execute(db);
    } else {
      await sql`drop trigger refuse_erasure on subscribers`.execute(db);
      await sql`drop function refuse_erasure()`.execute(db);
    }
  }
});
