import {
  type CreateRewardRuleInput,
  createRewardRuleInput,
  newId,
  type UpdateRewardRuleInput,
} from "@vouch/core";
import {
  type CampaignRow,
  type DB,
  getCouponGroup,
  insertRewardRule,
  type Kysely,
  type RewardRuleRow,
  updateRewardRule,
} from "@vouch/db";
import { AppError, notFound } from "../errors.js";
import { parse } from "../http/parse.js";
import { campaignEvents } from "../views/campaign-view.js";
import { rewardRuleView } from "../views/reward-view.js";

export async function createRewardRule(
  db: Kysely<DB>,
  campaign: CampaignRow,
  input: CreateRewardRuleInput,
  now: number,
): Promise<RewardRuleRow> {
  await assertRuleFits(db, campaign, input);
  const row: RewardRuleRow = {
    id: newId("rul", now),
    campaign_id: campaign.id,
    ...columns(input),
    archived_at: null,
    created_at: now,
    updated_at: now,
  };
  await insertRewardRule(db, row);
  return row;
}

/** A change is checked as the whole rule it makes (repeat "once" with a max_times left over is refused). */
export async function changeRewardRule(
  db: Kysely<DB>,
  campaign: CampaignRow,
  rule: RewardRuleRow,
  input: UpdateRewardRuleInput,
  now: number,
): Promise<RewardRuleRow> {
  const current = rewardRuleView(rule);
  const merged = parse(createRewardRuleInput, {
    name: input.name ?? current.name,
    event: input.event ?? current.event,
    referrals_required: input.referrals_required ?? current.referrals_required,
    repeat: input.repeat ?? current.repeat,
    ...optional("max_times", input.max_times, current.max_times),
    conditions: input.conditions ?? current.conditions,
    description: input.description ?? current.description,
    ...optional<"value", unknown>("value", input.value, current.value),
    ...optional("coupon_group", input.coupon_group, current.coupon_group),
    delivery: input.delivery ?? current.delivery,
    recipient: input.recipient ?? current.recipient,
  });
  await assertRuleFits(db, campaign, merged);
  const row = await updateRewardRule(db, rule.id, { ...columns(merged), updated_at: now });
  if (!row) throw notFound("reward rule");
  return row;
}

function optional<K extends string, V>(
  key: K,
  given: V | null | undefined,
  current: V | null,
): Record<K, V> | Record<string, never> {
  const value = given === undefined ? current : given;
  return value === null || value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function columns(input: CreateRewardRuleInput) {
  const hold = typeof input.delivery === "object" ? input.delivery.hold_days : null;
  return {
    name: input.name,
    event: input.event,
    referrals_required: input.referrals_required,
    repeat: input.repeat,
    max_times: input.max_times ?? null,
    conditions: JSON.stringify(input.conditions),
    description: input.description,
    value: input.value ? JSON.stringify(input.value) : null,
    coupon_group_id: input.coupon_group ?? null,
    delivery: hold === null ? (input.delivery as "immediate" | "manual") : ("hold" as const),
    hold_days: hold,
    recipient: input.recipient,
  };
}

async function assertRuleFits(
  db: Kysely<DB>,
  campaign: CampaignRow,
  input: CreateRewardRuleInput,
): Promise<void> {
  if (!campaignEvents(campaign).includes(input.event)) {
    throw new AppError("unknown_event", `"${input.event}" is not an event of this campaign`, "event");
  }
  if (input.coupon_group) {
    const group = await getCouponGroup(db, input.coupon_group);
    if (group?.campaign_id !== campaign.id)
      throw new AppError(
        "validation_failed",
        "coupon_group is not a coupon group of this campaign",
        "coupon_group",
      );
  }
}
