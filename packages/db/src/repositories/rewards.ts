import { type Kysely, sql, type Updateable } from "kysely";
import type { Dialect } from "../connect.js";
import type { DB, RewardRow, RewardRuleRow, RewardRulesTable, RewardsTable } from "../schema.js";
import { list, runShaped } from "./batch-sql.js";

export async function insertRewardRule(db: Kysely<DB>, row: RewardRuleRow): Promise<void> {
  await db.insertInto("reward_rules").values(row).execute();
}

export async function getRewardRule(db: Kysely<DB>, id: string): Promise<RewardRuleRow | undefined> {
  return db.selectFrom("reward_rules").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function listRewardRules(
  db: Kysely<DB>,
  campaignId: string,
  includeArchived = false,
): Promise<RewardRuleRow[]> {
  let q = db.selectFrom("reward_rules").selectAll().where("campaign_id", "=", campaignId);
  if (!includeArchived) q = q.where("archived_at", "is", null);
  return q.orderBy("id").execute();
}

/** The live rules of the campaigns a batch touches, in one query. */
export async function listActiveRulesOf(
  db: Kysely<DB>,
  campaignIds: readonly string[],
): Promise<RewardRuleRow[]> {
  if (campaignIds.length === 0) return [];
  return runShaped<RewardRuleRow>(
    db,
    `activeRulesOf ${campaignIds.length}`,
    (p) =>
      `select * from "reward_rules" where "campaign_id" in ${list(p, campaignIds.length)} and "archived_at" is null order by "id"`,
    campaignIds,
  );
}

export async function updateRewardRule(
  db: Kysely<DB>,
  id: string,
  changes: Updateable<RewardRulesTable>,
): Promise<RewardRuleRow | undefined> {
  await db.updateTable("reward_rules").set(changes).where("id", "=", id).execute();
  return getRewardRule(db, id);
}

/** Counts friends per rule and referrer, once each; returns the keys `rule subscriber friend` that were new. */
export async function insertRuleFriends(
  db: Kysely<DB>,
  rows: ReadonlyArray<{
    rule_id: string;
    subscriber_id: string;
    friend_key: string;
    conversion_id: string;
    created_at: number;
  }>,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await db
    .insertInto("rule_friends")
    .values(rows)
    .onConflict((oc) => oc.columns(["rule_id", "subscriber_id", "friend_key"]).doNothing())
    .returning(["rule_id", "subscriber_id", "friend_key"])
    .execute();
  return new Set(inserted.map((r) => `${r.rule_id} ${r.subscriber_id} ${r.friend_key}`));
}

/** Removes a conversion's counted friends; returns the (rule, subscriber) pairs that lost one. */
export async function deleteRuleFriendsOf(
  db: Kysely<DB>,
  conversionId: string,
): Promise<Array<{ rule_id: string; subscriber_id: string }>> {
  return db
    .deleteFrom("rule_friends")
    .where("conversion_id", "=", conversionId)
    .returning(["rule_id", "subscriber_id"])
    .execute();
}

/**
 * Adds `delta` counted friends for a rule and ambassador and returns the row as it now stands. The row stays
 * locked until the transaction ends, so concurrent conversions for one referrer take turns here.
 */
export async function addRuleProgress(
  db: Kysely<DB>,
  ruleId: string,
  subscriberId: string,
  delta: number,
): Promise<{ counted: number; granted: number }> {
  return db
    .insertInto("rule_progress")
    .values({ rule_id: ruleId, subscriber_id: subscriberId, counted: Math.max(delta, 0), granted: 0 })
    .onConflict((oc) =>
      oc
        .columns(["rule_id", "subscriber_id"])
        .doUpdateSet({ counted: sql<number>`rule_progress.counted + ${delta}` }),
    )
    .returning(["counted", "granted"])
    .executeTakeFirstOrThrow();
}

export async function addRuleGranted(
  db: Kysely<DB>,
  ruleId: string,
  subscriberId: string,
  delta: number,
): Promise<void> {
  await db
    .updateTable("rule_progress")
    .set({ granted: sql<number>`granted + ${delta}` })
    .where("rule_id", "=", ruleId)
    .where("subscriber_id", "=", subscriberId)
    .execute();
}

export async function listRuleProgress(
  db: Kysely<DB>,
  subscriberId: string,
): Promise<Array<{ rule_id: string; counted: number; granted: number }>> {
  return db
    .selectFrom("rule_progress")
    .select(["rule_id", "counted", "granted"])
    .where("subscriber_id", "=", subscriberId)
    .execute();
}

/** Numbers newly counted friends after the ones already counted (call under the progress row's lock). */
export async function numberRuleFriends(
  db: Kysely<DB>,
  ruleId: string,
  subscriberId: string,
  friendKeys: readonly string[],
): Promise<void> {
  if (friendKeys.length === 0) return;
  const top = await db
    .selectFrom("rule_friends")
    .select((eb) => eb.fn.max("position").as("top"))
    .where("rule_id", "=", ruleId)
    .where("subscriber_id", "=", subscriberId)
    .executeTakeFirst();
  const base = Number(top?.top ?? 0);
  // One statement for the batch's friends of this rule and referrer.
  const cases = sql.join(
    friendKeys.map((key, i) => sql`when ${key} then cast(${base + i + 1} as integer)`),
    sql` `,
  );
  await db
    .updateTable("rule_friends")
    .set({ position: sql<number>`case friend_key ${cases} end` })
    .where("rule_id", "=", ruleId)
    .where("subscriber_id", "=", subscriberId)
    .where("friend_key", "in", friendKeys)
    .execute();
}

/** The conversions of the `count` friends counted last for a rule and referrer, oldest first. */
export async function listLastCountedConversions(
  db: Kysely<DB>,
  ruleId: string,
  subscriberId: string,
  count: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom("rule_friends")
    .select("conversion_id")
    .where("rule_id", "=", ruleId)
    .where("subscriber_id", "=", subscriberId)
    .orderBy("position", "desc")
    .limit(count)
    .execute();
  return rows.map((r) => r.conversion_id).reverse();
}

/** The highest sequence a rule's rewards for a recipient have reached (cancelled and flagged ones included). */
export async function maxRewardSequence(
  db: Kysely<DB>,
  ruleId: string,
  recipientEmail: string,
): Promise<number> {
  const row = await db
    .selectFrom("rewards")
    .select((eb) => eb.fn.max("sequence").as("top"))
    .where("rule_id", "=", ruleId)
    .where("recipient_email", "=", recipientEmail)
    .executeTakeFirst();
  return Number(row?.top ?? 0);
}

/** Inserts unless this nth reward already exists for the recipient (exactly once); true when inserted. */
export async function insertReward(db: Kysely<DB>, row: RewardRow): Promise<boolean> {
  const inserted = await db
    .insertInto("rewards")
    .values(row)
    .onConflict((oc) => oc.columns(["rule_id", "recipient_email", "sequence"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function getReward(db: Kysely<DB>, id: string): Promise<RewardRow | undefined> {
  return db.selectFrom("rewards").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function updateReward(
  db: Kysely<DB>,
  id: string,
  changes: Updateable<RewardsTable>,
): Promise<void> {
  await db.updateTable("rewards").set(changes).where("id", "=", id).execute();
}

export async function listRewards(
  db: Kysely<DB>,
  filter: { campaignId?: string; subscriberId?: string; status?: RewardRow["status"] },
  limit = 500,
): Promise<RewardRow[]> {
  let q = db.selectFrom("rewards").selectAll();
  if (filter.campaignId) q = q.where("campaign_id", "=", filter.campaignId);
  if (filter.subscriberId) q = q.where("subscriber_id", "=", filter.subscriberId);
  if (filter.status) q = q.where("status", "=", filter.status);
  return q.orderBy("created_at").orderBy("id").limit(limit).execute();
}

/** The most recent live rewards of a rule for a recipient, newest first (the ones a reversal takes back). */
export async function listLiveRewardsNewestFirst(
  db: Kysely<DB>,
  ruleId: string,
  recipientEmail: string,
  limit: number,
): Promise<RewardRow[]> {
  return db
    .selectFrom("rewards")
    .selectAll()
    .where("rule_id", "=", ruleId)
    .where("recipient_email", "=", recipientEmail)
    .where("status", "not in", ["cancelled", "flagged"])
    .orderBy("sequence", "desc")
    .limit(limit)
    .execute();
}

/** Rewards on hold whose time has come. */
export async function listDueHeldRewards(db: Kysely<DB>, now: number, limit: number): Promise<RewardRow[]> {
  return db
    .selectFrom("rewards")
    .selectAll()
    .where("status", "=", "pending")
    .where("deliver_at", "is not", null)
    .where("deliver_at", "<=", now)
    .where("needs_coupon", "=", 0)
    .orderBy("deliver_at")
    .limit(limit)
    .execute();
}

/**
 * Takes one unused code of the group for the reward, atomically; undefined when the group is empty. Two steps:
 * PostgreSQL may run an `IN (subquery … LIMIT 1)` once per row, so the update names the one code chosen.
 */
export async function takeCoupon(
  db: Kysely<DB>,
  dialect: Dialect,
  groupId: string,
  rewardId: string,
  now: number,
): Promise<string | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    let next = db
      .selectFrom("coupons")
      .select("code")
      .where("group_id", "=", groupId)
      .where("used_at", "is", null)
      .orderBy("created_at")
      .orderBy("code")
      .limit(1);
    if (dialect === "postgres") next = next.forUpdate().skipLocked();
    const candidate = await next.executeTakeFirst();
    if (!candidate) return undefined;
    const taken = await db
      .updateTable("coupons")
      .set({ reward_id: rewardId, used_at: now })
      .where("group_id", "=", groupId)
      .where("code", "=", candidate.code)
      .where("used_at", "is", null)
      .returning("code")
      .executeTakeFirst();
    if (taken) return taken.code;
  }
  return undefined;
}

export async function countUnusedCoupons(db: Kysely<DB>, groupId: string): Promise<number> {
  const row = await db
    .selectFrom("coupons")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("group_id", "=", groupId)
    .where("used_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A recipient's rewards that are still live (not cancelled or flagged) in a campaign. */
export async function listLiveRewardsOf(
  db: Kysely<DB>,
  campaignId: string,
  email: string,
): Promise<RewardRow[]> {
  return db
    .selectFrom("rewards")
    .selectAll()
    .where("campaign_id", "=", campaignId)
    .where("recipient_email", "=", email)
    .where("status", "not in", ["cancelled", "flagged"])
    .execute();
}

/** A rule's counted friends of an ambassador in the order they were counted, past the first `offset`. */
export async function listCountedConversionsFrom(
  db: Kysely<DB>,
  ruleId: string,
  subscriberId: string,
  offset: number,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom("rule_friends")
    .select("conversion_id")
    .where("rule_id", "=", ruleId)
    .where("subscriber_id", "=", subscriberId)
    .orderBy("position")
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((r) => r.conversion_id);
}

/** An ambassador's progress rows, locked to the commit on PostgreSQL (concurrent conversions wait their turn). */
export async function lockRuleProgressOf(
  db: Kysely<DB>,
  dialect: Dialect,
  subscriberId: string,
): Promise<Array<{ rule_id: string; counted: number; granted: number }>> {
  let q = db
    .selectFrom("rule_progress")
    .select(["rule_id", "counted", "granted"])
    .where("subscriber_id", "=", subscriberId)
    .orderBy("rule_id");
  if (dialect === "postgres") q = q.forUpdate();
  const rows = await q.execute();
  return rows.map((r) => ({ rule_id: r.rule_id, counted: Number(r.counted), granted: Number(r.granted) }));
}
