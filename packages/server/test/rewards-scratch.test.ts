import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dialects, pixelPost, startTestServer, type TestServer } from "./support/test-server.js";
const DAY = 86_400_000;
describe.each(dialects)("scratch $name", (dialect) => {
  let now = Date.UTC(2026, 10, 24, 12);
  let t: TestServer;
  let v = 0;
  beforeEach(async () => { t = await startTestServer(dialect, { clock: () => now } as any); });
  afterEach(async () => t.close());
  async function setup(rule: any) {
    const campaign = (await t.api("POST", "/api/v1/campaigns", { name: "P", url: "https://a.example", events: ["demo"] })).body;
    const mark = (await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, { email: "mark@example.com" })).body;
    const r = await t.api("POST", `/api/v1/campaigns/${campaign.id}/reward-rules`, { name: "R", event: "demo", description: "d", ...rule });
    expect(r.status).toBe(201);
    const refer = async (email: string, data = {}) => (await pixelPost(t.url, "track", { k: campaign.public_key, vid: `v_${++v}xxxxxxxx`, event: "demo", data: { email, ...data }, refs: [{ code: mark.code, ts: now - DAY }] })).body;
    return { campaign, mark, rule: r.body, refer };
  }
  it("same-ms sequential friends: reward windows", async () => {
    let overlaps = 0;
    for (let k = 0; k < 10; k++) {
      const { campaign, refer } = await setup({ referrals_required: 3, repeat: "every" });
      const ids = [];
      for (let i = 0; i < 6; i++) ids.push((await refer(`f${i}@x.test`)).id);
      const rw = (await t.api("GET", `/api/v1/campaigns/${campaign.id}/rewards`)).body.data;
      const named = rw.flatMap((r: any) => r.conversions);
      if (new Set(named).size !== 6) overlaps++;
    }
    console.log(dialect.name, "overlapping runs of 10:", overlaps);
  });
  it("lowering the threshold", async () => {
    const { campaign, mark, rule, refer } = await setup({ referrals_required: 3 });
    await refer("a@x.test"); await refer("b@x.test");
    const p = await t.api("PATCH", `/api/v1/reward-rules/${rule.id}`, { referrals_required: 2 });
    console.log("patch", p.status);
    console.log("after lowering", JSON.stringify((await t.api("GET", `/api/v1/subscribers/${mark.id}`)).body.progress), (await t.api("GET", `/api/v1/campaigns/${campaign.id}/rewards`)).body.data.length);
  });
  it("owner cancels an every reward, then more friends", async () => {
    const { campaign, mark, refer } = await setup({ referrals_required: 1, repeat: "every", delivery: "manual" });
    await refer("a@x.test");
    const rw = (await t.api("GET", `/api/v1/campaigns/${campaign.id}/rewards`)).body.data;
    console.log((await t.api("PATCH", `/api/v1/rewards/${rw[0].id}`, { status: "cancelled" })).status);
    await refer("b@x.test");
    console.log("after owner cancel", JSON.stringify((await t.api("GET", `/api/v1/campaigns/${campaign.id}/rewards`)).body.data.map((r: any) => r.status)), JSON.stringify((await t.api("GET", `/api/v1/subscribers/${mark.id}`)).body.progress));
  });
  it("rule on other campaign / patch event unknown / get archived list", async () => {
    const { rule } = await setup({ referrals_required: 1 });
    console.log("patch unknown event", JSON.stringify((await t.api("PATCH", `/api/v1/reward-rules/${rule.id}`, { event: "nope" })).body));
    console.log("hold 0", JSON.stringify((await t.api("PATCH", `/api/v1/reward-rules/${rule.id}`, { delivery: { hold_days: 0 } })).body));
    console.log("value fixed no currency", JSON.stringify((await t.api("PATCH", `/api/v1/reward-rules/${rule.id}`, { value: { type: "fixed", amount: 5 } })).body));
    console.log("percent 101", JSON.stringify((await t.api("PATCH", `/api/v1/reward-rules/${rule.id}`, { value: { type: "percent", amount: 101 } })).body));
    console.log("cond", JSON.stringify((await t.api("PATCH", `/api/v1/reward-rules/${rule.id}`, { conditions: [{ field: "plan", op: "=", value: "PRO" }] })).body));
    console.log("cond email", JSON.stringify((await t.api("PATCH", `/api/v1/reward-rules/${rule.id}`, { conditions: [{ field: "data.email", op: "=", value: "PRO" }] })).body));
    console.log("max once", JSON.stringify((await t.api("PATCH", `/api/v1/reward-rules/${rule.id}`, { max_times: 3 })).body));
  });
});
