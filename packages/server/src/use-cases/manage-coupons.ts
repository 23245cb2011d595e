import { newId } from "@vouch/core";
import {
  type CampaignRow,
  type CouponGroupRow,
  countUnusedCoupons,
  type DB,
  type Dialect,
  insertCouponGroup,
  insertCoupons,
  type Kysely,
  listRewardRules,
  listRewards,
  takeCoupon,
  updateReward,
} from "@vouch/db";
import { announceSent } from "./manage-rewards.js";

export async function createCouponGroup(
  db: Kysely<DB>,
  campaign: CampaignRow,
  input: { name: string; low_stock_threshold: number },
  now: number,
): Promise<CouponGroupRow> {
  const row: CouponGroupRow = {
    id: newId("cpg", now),
    campaign_id: campaign.id,
    name: input.name,
    low_stock_threshold: input.low_stock_threshold,
    created_at: now,
  };
  await insertCouponGroup(db, row);
  return row;
}

/**
 * Adds codes to a group, then hands them to rewards that were waiting for one (oldest first); a waiting reward
 * whose rule delivers immediately is sent now. All in one transaction.
 */
export async function addCoupons(
  db: Kysely<DB>,
  dialect: Dialect,
  group: CouponGroupRow,
  codes: readonly string[],
  now: number,
): Promise<{ added: number; skipped: number; filled: number; remaining: number }> {
  return db.transaction().execute(async (trx) => {
    const added = await insertCoupons(trx, group.id, codes, now);
    const rules = (await listRewardRules(trx, group.campaign_id, true)).filter(
      (r) => r.coupon_group_id === group.id,
    );
    const waiting = (await listRewards(trx, { campaignId: group.campaign_id, status: "pending" })).filter(
      (r) => r.needs_coupon === 1 && rules.some((rule) => rule.id === r.rule_id),
    );
    let filled = 0;
    for (const reward of waiting) {
      const code = await takeCoupon(trx, dialect, group.id, reward.id, now);
      if (!code) break;
      filled++;
      const rule = rules.find((r) => r.id === reward.rule_id);
      const send = rule?.delivery === "immediate";
      await updateReward(trx, reward.id, {
        coupon_code: code,
        needs_coupon: 0,
        updated_at: now,
        ...(send ? { status: "sent", sent_at: now } : {}),
      });
      if (send)
        await announceSent(
          trx,
          { ...reward, coupon_code: code, needs_coupon: 0, status: "sent", sent_at: now },
          now,
        );
    }
    return {
      added,
      skipped: codes.length - added,
      filled,
      remaining: await countUnusedCoupons(trx, group.id),
    };
  });
}

export async function couponGroupView(db: Kysely<DB>, group: CouponGroupRow) {
  const remaining = await countUnusedCoupons(db, group.id);
  return {
    id: group.id,
    campaign_id: group.campaign_id,
    name: group.name,
    low_stock_threshold: group.low_stock_threshold,
    remaining,
    low_stock: remaining <= group.low_stock_threshold,
    created_at: new Date(group.created_at).toISOString(),
  };
}
