// The reward_unlocked and reward_sent webhook bodies, in the shape of the seed's other events: `response`,
// `list_uuid`, then the reward and the subscriber as event_conversion shows a referrer.
import type { ReferrerObject } from "../webhooks/payloads.js";

export const REWARD_STATUSES = ["pending", "approved", "sent", "cancelled", "flagged"] as const;
export type RewardStatus = (typeof REWARD_STATUSES)[number];

/** A reward's value in the seed's units (15.7, not 1570), as the owner entered it on the rule. */
export interface RewardValuePayload {
  type: "fixed" | "percent";
  amount: number;
  currency?: string;
}

export interface RewardPayloadReward {
  id: string;
  name: string;
  description: string;
  value: RewardValuePayload | null;
  coupon_code: string | null;
  status: RewardStatus;
}

export interface RewardPayload {
  response: "reward_unlocked" | "reward_sent";
  list_uuid: string;
  reward: RewardPayloadReward;
  subscriber: ReferrerObject;
}

export function rewardPayload(
  kind: "reward_unlocked" | "reward_sent",
  input: { campaignId: string; reward: RewardPayloadReward; subscriber: ReferrerObject },
): RewardPayload {
  const r = input.reward;
  return {
    response: kind,
    list_uuid: input.campaignId,
    // Field by field, so a caller's row with extra columns never leaks them into a webhook.
    reward: {
      id: r.id,
      name: r.name,
      description: r.description,
      value: r.value === null ? null : rewardValuePayload(r.value),
      coupon_code: r.coupon_code,
      status: r.status,
    },
    subscriber: referrerObject(input.subscriber),
  };
}

function referrerObject(s: ReferrerObject): ReferrerObject {
  return {
    subscriber_id: s.subscriber_id,
    name: s.name,
    email: s.email,
    extra_field: s.extra_field,
    extra_field_2: s.extra_field_2,
    code: s.code,
    referral_link: s.referral_link,
    people_referred: s.people_referred,
  };
}

function rewardValuePayload(value: RewardValuePayload): RewardValuePayload {
  return value.currency === undefined
    ? { type: value.type, amount: value.amount }
    : { type: value.type, amount: value.amount, currency: value.currency };
}
