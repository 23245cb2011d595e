import { progressToward, type RewardValuePayload } from "@vouch/core";
import type { RewardRow, RewardRuleRow } from "@vouch/db";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function rewardRuleView(r: RewardRuleRow) {
  return {
    id: r.id,
    campaign_id: r.campaign_id,
    name: r.name,
    event: r.event,
    referrals_required: r.referrals_required,
    repeat: r.repeat,
    max_times: r.max_times,
    conditions: JSON.parse(r.conditions) as unknown[],
    description: r.description,
    value: r.value === null ? null : (JSON.parse(r.value) as RewardValuePayload),
    coupon_group: r.coupon_group_id,
    delivery: r.delivery === "hold" ? { hold_days: r.hold_days } : r.delivery,
    recipient: r.recipient,
    archived: r.archived_at !== null,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

export function rewardView(r: RewardRow, rule: RewardRuleRow | undefined) {
  return {
    id: r.id,
    campaign_id: r.campaign_id,
    rule: r.rule_id,
    name: rule?.name ?? null,
    description: rule?.description ?? null,
    value: rule?.value ? (JSON.parse(rule.value) as RewardValuePayload) : null,
    subscriber: r.subscriber_id,
    recipient_email: r.recipient_email,
    status: r.status,
    needs_coupon: r.needs_coupon === 1,
    coupon_code: r.coupon_code,
    conversions: JSON.parse(r.conversion_ids) as string[],
    deliver_at: iso(r.deliver_at),
    created_at: iso(r.created_at),
    sent_at: iso(r.sent_at),
  };
}

/** Per live referrer rule: how far the ambassador is toward the next reward. */
export function progressView(
  rules: RewardRuleRow[],
  progress: Array<{ rule_id: string; counted: number; granted: number }>,
) {
  return rules
    .filter((r) => r.archived_at === null && r.recipient === "referrer")
    .map((rule) => {
      const p = progress.find((x) => x.rule_id === rule.id) ?? { counted: 0, granted: 0 };
      const next = progressToward(rule, p.counted, p.granted);
      return {
        rule: rule.id,
        name: rule.name,
        have: next?.have ?? rule.referrals_required,
        need: rule.referrals_required,
        complete: next === null,
      };
    });
}
