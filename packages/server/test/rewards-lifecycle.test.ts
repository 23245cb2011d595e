// What happens to rewards after they are granted, as the owner drives it over HTTP: conversions confirmed,
// cancelled or refunded (by id, by transaction id, by CSV), coupon codes running out and coming back, and rewards
// held for N days and sent by the scheduled job under a fake clock. A real receiver hears the webhooks.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Receiver } from "./support/receiver.js";
import { dialects, pixelPost, startTestServer, type TestServer } from "./support/test-server.js";

const MINUTE = 60_000;
const DAY = 86_400_000;
const START = Date.UTC(2026, 10, 24, 12);
const iso = (ms: number) => new Date(ms).toISOString();
const friendEmail = (name: string) => `${name}@friends.test`;

describe.each(dialects)("reward lifecycle on $name", (dialect) => {
  let now = START;
  let t: TestServer;
  let receivers: Receiver[] = [];
  let visitors = 0;

  beforeEach(async () => {
    now = START;
    // No background loops: the webhook worker and the held-rewards job run when a test says so.
    const options = { clock: () => now, webhookWorker: false, random: () => 0.5 };
    t = await startTestServer(dialect, options);
  });
  afterEach(async () => {
    await t.close();
    for (const r of receivers) await r.close();
    receivers = [];
  });

  const runWebhooks = () => t.server.webhooks.runOnce();
  const runHolds = () => t.server.rewards.runOnce();

  /**
   * A campaign, Mark, a receiver of every reward event, and one rule (given outright, or made once the campaign
   * exists, for rules that name a coupon group of the campaign).
   */
  async function program(
    rule: Record<string, unknown> | ((campaign: any) => Promise<Record<string, unknown>>),
    settings: Record<string, unknown> = {},
  ) {
    const campaign = (
      await t.api("POST", "/api/v1/campaigns", {
        name: "Program",
        url: "https://app.example",
        events: ["purchase"],
        ...settings,
      })
    ).body;
    const mark = (
      await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "mark@example.com",
        name: "Mark James",
      })
    ).body;
    const rec = await Receiver.start({ now: () => now });
    receivers.push(rec);
    const hook = await t.api("POST", `/api/v1/campaigns/${campaign.id}/webhooks`, {
      url: rec.url(),
      events: ["reward_unlocked", "reward_sent", "conversion_updated"],
    });
    rec.useSecret(hook.body.secret);
    const fields = typeof rule === "function" ? await rule(campaign) : rule;
    now += 1000;
    const created = await t.api("POST", `/api/v1/campaigns/${campaign.id}/reward-rules`, {
      name: "Free ticket",
      event: "purchase",
      description: "A free ticket",
      ...fields,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    /** A friend buying through Mark's link, a minute after the last; returns the conversion id. */
    const refer = async (name: string, transactionId = `T-${name}`) => {
      now += MINUTE;
      const res = await pixelPost(t.url, "track", {
        k: campaign.public_key,
        vid: `visitor_${String(++visitors).padStart(6, "0")}`,
        event: "purchase",
        data: { email: friendEmail(name), amount: 30, currency: "EUR", transaction_id: transactionId },
        refs: [{ code: mark.code, ts: now - DAY }],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.referred).toBe(true);
      return res.body.id as string;
    };
    const rewards = async (status?: string) =>
      (await t.api("GET", `/api/v1/campaigns/${campaign.id}/rewards${status ? `?status=${status}` : ""}`))
        .body.data as any[];
    const statuses = async () => (await rewards()).map((r) => r.status);
    const progress = async () => (await t.api("GET", `/api/v1/subscribers/${mark.id}`)).body.progress;
    const setStatus = (id: string, status: string) => t.api("PATCH", `/api/v1/conversions/${id}`, { status });
    /** The webhook bodies delivered since the last call, as [response, reward status] pairs. */
    let seen = 0;
    const heard = async () => {
      await runWebhooks();
      const fresh = rec.requests.slice(seen);
      seen = rec.requests.length;
      for (const r of fresh) expect(r.verification).toBe("ok");
      return fresh.map((r) => r.json as any);
    };
    return { campaign, mark, rule: created.body, rec, refer, rewards, statuses, progress, setStatus, heard };
  }

  describe("conversions cancelled or refunded", () => {
    it("before sending: the reward not yet sent is cancelled; replaying the change does nothing", async () => {
      const p = await program({ referrals_required: 3, delivery: "manual" });
      const [a, b, c] = [await p.refer("a"), await p.refer("b"), await p.refer("c")];
      const [reward] = await p.rewards();
      expect(reward).toMatchObject({ status: "pending", conversions: [a, b, c] });
      await p.heard();

      now += DAY;
      const cancelled = await p.setStatus(b, "cancelled");
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ id: b, status: "cancelled", changed: true });
      expect(cancelled.body.rewards_changed.map((r: any) => [r.id, r.status])).toEqual([
        [reward.id, "cancelled"],
      ]);
      expect(await p.statuses()).toEqual(["cancelled"]);
      expect(await p.progress()).toEqual([
        { rule: p.rule.id, name: "Free ticket", have: 2, need: 3, complete: false },
      ]);
      const [update] = await p.heard();
      expect(update).toMatchObject({
        response: "conversion_updated",
        event_data: { status: "cancelled", previous_status: "confirmed" },
        rewards: [{ id: reward.id, status: "cancelled" }],
      });

      // The same change again, by id and by transaction id: nothing moves, nothing is sent.
      const replay = await p.setStatus(b, "cancelled");
      expect(replay.status).toBe(200);
      expect(replay.body).toMatchObject({ status: "cancelled", changed: false, rewards_changed: [] });
      const byTransaction = await t.api("PATCH", `/api/v1/campaigns/${p.campaign.id}/transactions/T-b`, {
        status: "cancelled",
      });
      expect(byTransaction.body).toMatchObject({ id: b, changed: false, rewards_changed: [] });
      expect(await p.statuses()).toEqual(["cancelled"]);
      expect(await p.heard()).toEqual([]);
      // A cancelled reward cannot be sent any more.
      expect((await t.api("PATCH", `/api/v1/rewards/${reward.id}`, { status: "sent" })).status).toBe(400);
    });

    it("after sending: the sent reward is flagged for clawback, and the owner settles it", async () => {
      const p = await program({ referrals_required: 2 });
      const a = await p.refer("a");
      await p.refer("b");
      const [reward] = await p.rewards("sent");
      await p.heard();

      now += DAY;
      const refunded = await t.api("PATCH", `/api/v1/campaigns/${p.campaign.id}/transactions/T-a`, {
        status: "refunded",
      });
      expect(refunded.status).toBe(200);
      expect(refunded.body).toMatchObject({ id: a, status: "refunded", changed: true });
      expect(await p.rewards("flagged")).toEqual([
        expect.objectContaining({ id: reward.id, sent_at: reward.sent_at }),
      ]);
      const [update] = await p.heard();
      expect(update).toMatchObject({
        response: "conversion_updated",
        rewards: [{ id: reward.id, status: "flagged" }],
      });
      expect((await p.setStatus(a, "refunded")).body.changed).toBe(false);
      expect(await p.heard()).toEqual([]);

      // The owner clawed it back.
      const settled = await t.api("PATCH", `/api/v1/rewards/${reward.id}`, { status: "cancelled" });
      expect(settled.body).toMatchObject({ id: reward.id, status: "cancelled" });
      expect(await p.statuses()).toEqual(["cancelled"]);
    });

    it("takes back only what the threshold no longer backs: the newest reward of an every rule", async () => {
      const p = await program({ referrals_required: 2, repeat: "every", delivery: "manual" });
      const ids = [];
      for (const f of ["a", "b", "c", "d", "e"]) ids.push(await p.refer(f));
      const [first, second] = await p.rewards();
      expect([first.status, second.status]).toEqual(["pending", "pending"]);
      await t.api("PATCH", `/api/v1/rewards/${first.id}`, { status: "sent" });

      // 5 friends back 2 rewards; without one of them 4 still do.
      expect((await p.setStatus(ids[0] as string, "cancelled")).body.rewards_changed).toEqual([]);
      expect(await p.statuses()).toEqual(["sent", "pending"]);
      // 3 back only the first: the second, not yet sent, is cancelled; the sent one stays.
      const res = await p.setStatus(ids[1] as string, "cancelled");
      expect(res.body.rewards_changed.map((r: any) => [r.id, r.status])).toEqual([[second.id, "cancelled"]]);
      expect(await p.statuses()).toEqual(["sent", "cancelled"]);
      expect(await p.progress()).toEqual([
        { rule: p.rule.id, name: "Free ticket", have: 1, need: 2, complete: false },
      ]);
    });

    it("grants again a reward earned again after a reversal, naming the friends that earn it now", async () => {
      const p = await program({ referrals_required: 2, delivery: "manual" });
      const a = await p.refer("a");
      const b = await p.refer("b");
      const [first] = await p.rewards();
      expect(first.conversions).toEqual([a, b]);
      await p.setStatus(a, "cancelled");
      expect(await p.statuses()).toEqual(["cancelled"]);
      const c = await p.refer("c");
      const live = await p.rewards("pending");
      expect(live).toHaveLength(1);
      expect(live[0].conversions).toEqual([b, c]);
    });

    it("does not claw back a sent reward for a friend of one the owner cancelled", async () => {
      const p = await program({ referrals_required: 1, repeat: "every", delivery: "manual" });
      await p.refer("a");
      const b = await p.refer("b");
      const [r1, r2] = await p.rewards();
      await t.api("PATCH", `/api/v1/rewards/${r1.id}`, { status: "sent" });
      await t.api("PATCH", `/api/v1/rewards/${r2.id}`, { status: "cancelled" });
      const res = await p.setStatus(b, "cancelled");
      expect(res.body.rewards_changed).toEqual([]);
      expect(await p.statuses()).toEqual(["sent", "cancelled"]);
    });

    it("names distinct friends for each reward when friends convert in the same millisecond", async () => {
      const p = await program({ referrals_required: 2, repeat: "every" });
      const ids: string[] = [];
      for (const f of ["a", "b", "c", "d", "e", "f"]) {
        ids.push(await p.refer(f));
        now -= MINUTE; // refer() moves the clock on; hold it still
      }
      const granted = await p.rewards();
      expect(granted).toHaveLength(3);
      expect(granted.flatMap((r) => r.conversions).sort()).toEqual([...ids].sort());
    });

    it("manual confirmation: a pending conversion counts only once confirmed, once", async () => {
      const p = await program({ referrals_required: 2 }, { confirmation: "manual" });
      const a = await p.refer("a");
      const b = await p.refer("b");
      expect(await p.rewards()).toEqual([]);
      expect(await p.progress()).toEqual([
        { rule: p.rule.id, name: "Free ticket", have: 0, need: 2, complete: false },
      ]);
      expect((await p.setStatus(a, "confirmed")).body).toMatchObject({ status: "confirmed", changed: true });
      expect(await p.rewards()).toEqual([]);
      now += DAY;
      expect((await p.setStatus(b, "confirmed")).body.changed).toBe(true);
      const granted = await p.rewards();
      expect(granted).toEqual([
        expect.objectContaining({
          status: "sent",
          conversions: [a, b],
          created_at: iso(now),
          sent_at: iso(now),
        }),
      ]);
      expect((await p.heard()).map((w) => [w.response, w.reward?.status])).toEqual(
        expect.arrayContaining([
          ["reward_unlocked", "sent"],
          ["reward_sent", "sent"],
        ]),
      );
      // Confirming again grants nothing more.
      expect((await p.setStatus(b, "confirmed")).body.changed).toBe(false);
      expect(await p.rewards()).toEqual(granted);
      expect((await p.heard()).filter((w) => w.response !== "conversion_updated")).toEqual([]);
    });

    it("refuses a status a conversion cannot take, and an unknown one", async () => {
      const p = await program({ referrals_required: 5 });
      const a = await p.refer("a");
      await p.setStatus(a, "cancelled");
      const table: Array<[id: string, body: unknown, status: number]> = [
        [a, { status: "confirmed" }, 400],
        [a, { status: "refunded" }, 400],
        [a, { status: "pending" }, 400],
        [a, { status: "lost" }, 400],
        [a, {}, 400],
        ["cnv_nothing", { status: "cancelled" }, 404],
      ];
      for (const [id, body, status] of table) {
        const res = await t.api("PATCH", `/api/v1/conversions/${id}`, body);
        expect(res.status, JSON.stringify(body)).toBe(status);
      }
      const unknown = await t.api("PATCH", `/api/v1/campaigns/${p.campaign.id}/transactions/T-zzz`, {
        status: "cancelled",
      });
      expect(unknown.status).toBe(404);
    });

    it("applies a CSV of transaction_id,status row by row, with a report", async () => {
      const p = await program({ referrals_required: 2, repeat: "every", delivery: "manual" });
      for (const f of ["a", "b", "c", "d"]) await p.refer(f);
      expect(await p.statuses()).toEqual(["pending", "pending"]);
      const csv = [
        "transaction_id,status",
        "T-a,cancelled",
        "T-a,cancelled",
        "T-b,refunded",
        "T-nobody,cancelled",
        "T-c,lost",
        "T-d,confirmed",
      ].join("\n");
      const res = await t.api("POST", `/api/v1/campaigns/${p.campaign.id}/conversions/statuses`, csv, {
        "content-type": "text/csv",
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ updated: 2, unchanged: 2, failed: 2 });
      expect(res.body.rows.map((r: any) => [r.line, r.transaction_id, r.result])).toEqual([
        [2, "T-a", "updated"],
        [3, "T-a", "unchanged"],
        [4, "T-b", "updated"],
        [5, "T-nobody", "error"],
        [6, "T-c", "error"],
        [7, "T-d", "unchanged"],
      ]);
      // 2 friends left back 1 reward: the newer one is cancelled.
      expect(await p.statuses()).toEqual(["pending", "cancelled"]);
      // The same file again changes nothing more.
      const again = await t.api("POST", `/api/v1/campaigns/${p.campaign.id}/conversions/statuses`, csv, {
        "content-type": "text/csv",
      });
      expect(again.body).toMatchObject({ updated: 0, unchanged: 4, failed: 2 });
      expect(await p.statuses()).toEqual(["pending", "cancelled"]);
      const noHeader = await t.api(
        "POST",
        `/api/v1/campaigns/${p.campaign.id}/conversions/statuses`,
        "T-a,x",
        {
          "content-type": "text/csv",
        },
      );
      expect(noHeader.status).toBe(400);
      expect(noHeader.body.error.field).toBe("csv");
    });
  });

  describe("coupon groups", () => {
    async function couponGroup(campaign: any, lowStock = 1) {
      const res = await t.api("POST", `/api/v1/campaigns/${campaign.id}/coupon-groups`, {
        name: "Tickets",
        low_stock_threshold: lowStock,
      });
      expect(res.status).toBe(201);
      return res.body;
    }
    const upload = async (group: any, csv: string) => {
      const res = await t.api("POST", `/api/v1/coupon-groups/${group.id}/codes`, csv, {
        "content-type": "text/csv",
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    const groupNow = async (group: any) => (await t.api("GET", `/api/v1/coupon-groups/${group.id}`)).body;

    it("hands each unlock exactly one code, whatever the upload order", async () => {
      let group: any;
      const p = await program(async (campaign) => {
        group = await couponGroup(campaign, 0);
        await upload(group, "code\nC1\nC2\nC3\nC4\nC5\nC6\nC7\nC8\n");
        return { referrals_required: 1, repeat: "every", coupon_group: group.id };
      });
      for (const f of ["a", "b", "c"]) await p.refer(f);
      const granted = await p.rewards();
      expect(granted.map((r) => [r.status, r.coupon_code])).toEqual([
        ["sent", "C1"],
        ["sent", "C2"],
        ["sent", "C3"],
      ]);
      expect((await groupNow(group)).remaining).toBe(5);
    });

    it("one code per reward; an empty group leaves the reward pending, needing a coupon, until codes come", async () => {
      let group: any;
      const p = await program(async (campaign) => {
        group = await couponGroup(campaign, 1);
        expect(group).toMatchObject({
          name: "Tickets",
          remaining: 0,
          low_stock: true,
          low_stock_threshold: 1,
        });
        expect(await upload(group, "code\nTIX-B\nTIX-A\nTIX-A\n")).toEqual({
          added: 2,
          skipped: 1,
          filled: 0,
          remaining: 2,
        });
        expect(await groupNow(group)).toMatchObject({ remaining: 2, low_stock: false });
        return { referrals_required: 1, repeat: "every", coupon_group: group.id };
      });
      expect(p.rule.coupon_group).toBe(group.id);

      await p.refer("a");
      await p.refer("b");
      expect((await p.rewards()).map((r) => [r.status, r.coupon_code, r.needs_coupon])).toEqual([
        ["sent", "TIX-A", false],
        ["sent", "TIX-B", false],
      ]);
      expect(await groupNow(group)).toMatchObject({ remaining: 0, low_stock: true });

      await p.refer("c");
      const waiting = (await p.rewards()).at(-1);
      expect(waiting).toMatchObject({
        status: "pending",
        needs_coupon: true,
        coupon_code: null,
        sent_at: null,
      });
      expect(await p.rewards("pending")).toEqual([waiting]);
      const told = await p.heard();
      expect(told.map((w) => [w.response, w.reward.coupon_code, w.reward.status])).toEqual(
        expect.arrayContaining([
          ["reward_unlocked", "TIX-A", "sent"],
          ["reward_sent", "TIX-A", "sent"],
          ["reward_unlocked", "TIX-B", "sent"],
          ["reward_sent", "TIX-B", "sent"],
          ["reward_unlocked", null, "pending"],
        ]),
      );
      expect(told).toHaveLength(5);
      const refused = await t.api("PATCH", `/api/v1/rewards/${waiting.id}`, { status: "sent" });
      expect(refused.status).toBe(400);
      expect(refused.body.error.field).toBe("status");

      now += DAY;
      expect(await upload(group, "code\nTIX-C\n")).toEqual({ added: 1, skipped: 0, filled: 1, remaining: 0 });
      const filled = (await p.rewards()).at(-1);
      expect(filled).toMatchObject({
        id: waiting.id,
        status: "sent",
        needs_coupon: false,
        coupon_code: "TIX-C",
        sent_at: iso(now),
      });
      expect((await p.heard()).map((w) => [w.response, w.reward.id, w.reward.coupon_code])).toEqual([
        ["reward_sent", waiting.id, "TIX-C"],
      ]);
      // A code already handed out is no new code.
      expect(await upload(group, "code\nTIX-A\n")).toEqual({ added: 0, skipped: 1, filled: 0, remaining: 0 });
    });
  });

  describe("holds", () => {
    it("a held reward is sent by the scheduled job when the hold is over, not before, once", async () => {
      const p = await program({ referrals_required: 1, delivery: { hold_days: 14 } });
      await p.refer("a");
      const unlocked = now;
      const [reward] = await p.rewards();
      expect(reward).toMatchObject({
        status: "pending",
        deliver_at: iso(unlocked + 14 * DAY),
        sent_at: null,
      });
      expect((await p.heard()).map((w) => [w.response, w.reward.status])).toEqual([
        ["reward_unlocked", "pending"],
      ]);

      now = unlocked + 14 * DAY - 1;
      expect(await runHolds()).toBe(0);
      expect(await p.statuses()).toEqual(["pending"]);

      now = unlocked + 14 * DAY;
      expect(await runHolds()).toBe(1);
      expect(await p.rewards()).toEqual([{ ...reward, status: "sent", sent_at: iso(now) }]);
      const [sent] = await p.heard();
      expect(sent).toMatchObject({ response: "reward_sent", reward: { id: reward.id, status: "sent" } });
      now += DAY;
      expect(await runHolds()).toBe(0);
      expect(await p.heard()).toEqual([]);
    });

    it("a held reward whose conversion is cancelled during the hold is never sent", async () => {
      const p = await program({ referrals_required: 1, delivery: { hold_days: 14 } });
      const a = await p.refer("a");
      now += 3 * DAY;
      expect((await p.setStatus(a, "cancelled")).body.rewards_changed).toHaveLength(1);
      expect(await p.statuses()).toEqual(["cancelled"]);
      now += 30 * DAY;
      expect(await runHolds()).toBe(0);
      expect(await p.statuses()).toEqual(["cancelled"]);
      // Delivered in one round, so in either order; never a reward_sent.
      expect((await p.heard()).map((w) => w.response).sort()).toEqual([
        "conversion_updated",
        "reward_unlocked",
      ]);
    });

    it("a held reward waiting for a coupon goes out once the hold is over and a code has come", async () => {
      let group: any;
      const p = await program(async (campaign) => {
        group = (await t.api("POST", `/api/v1/campaigns/${campaign.id}/coupon-groups`, { name: "Codes" }))
          .body;
        return { referrals_required: 1, delivery: { hold_days: 7 }, coupon_group: group.id };
      });
      await p.refer("a");
      const unlocked = now;
      expect(await p.rewards()).toEqual([
        expect.objectContaining({
          status: "pending",
          needs_coupon: true,
          deliver_at: iso(unlocked + 7 * DAY),
        }),
      ]);
      now = unlocked + 7 * DAY;
      expect(await runHolds()).toBe(0);

      now += DAY;
      const res = await t.api("POST", `/api/v1/coupon-groups/${group.id}/codes`, { codes: ["LATE-1"] });
      expect(res.body).toMatchObject({ added: 1, filled: 1 });
      // Held rewards go out with the job, not with the upload.
      expect(await p.rewards()).toEqual([
        expect.objectContaining({ status: "pending", needs_coupon: false, coupon_code: "LATE-1" }),
      ]);
      expect(await runHolds()).toBe(1);
      expect(await p.rewards()).toEqual([
        expect.objectContaining({ status: "sent", coupon_code: "LATE-1", sent_at: iso(now) }),
      ]);
    });
  });
});
