import type { Kysely } from "kysely";
import type { CouponGroupRow, DB } from "../schema.js";

export async function insertCouponGroup(db: Kysely<DB>, row: CouponGroupRow): Promise<void> {
  await db.insertInto("coupon_groups").values(row).execute();
}

export async function getCouponGroup(db: Kysely<DB>, id: string): Promise<CouponGroupRow | undefined> {
  return db.selectFrom("coupon_groups").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function listCouponGroups(db: Kysely<DB>, campaignId: string): Promise<CouponGroupRow[]> {
  return db
    .selectFrom("coupon_groups")
    .selectAll()
    .where("campaign_id", "=", campaignId)
    .orderBy("id")
    .execute();
}

/** Adds codes; a code the group already holds is skipped. Returns how many were added. */
export async function insertCoupons(
  db: Kysely<DB>,
  groupId: string,
  codes: readonly string[],
  now: number,
): Promise<number> {
  let added = 0;
  for (let i = 0; i < codes.length; i += 500) {
    const rows = codes
      .slice(i, i + 500)
      .map((code) => ({ group_id: groupId, code, reward_id: null, created_at: now, used_at: null }));
    const inserted = await db
      .insertInto("coupons")
      .values(rows)
      .onConflict((oc) => oc.columns(["group_id", "code"]).doNothing())
      .returning("code")
      .execute();
    added += inserted.length;
  }
  return added;
}
