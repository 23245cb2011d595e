// The counting math of reward rules, kept apart from storage so it can be read and tested as arithmetic.
// Evaluation is incremental: callers pass the referrer's counted friends before and after one change and how many
// rewards of the rule already stand, never the conversions themselves.
import type { RewardRepeat } from "./rule-schema.js";

export interface UnlockRule {
  referrals_required: number;
  repeat: RewardRepeat;
  /** Only for "every"; absent or null means no cap. */
  max_times?: number | null | undefined;
}

/**
 * How many rewards `count` counted friends earn under the rule in total: once → 0 or 1; every → one per
 * `referrals_required` friends, up to max_times.
 */
export function rewardsEarned(rule: UnlockRule, count: number): number {
  const n = checkRule(rule);
  checkCount("count", count);
  if (rule.repeat === "once") return count >= n ? 1 : 0;
  const earned = Math.floor(count / n);
  return rule.max_times == null ? earned : Math.min(earned, rule.max_times);
}

/**
 * New rewards to grant after a change moved the referrer's count from `countBefore` to `countAfter`.
 * `granted`: the rule's rewards for this referrer that still stand (not cancelled). A change that does not raise
 * the count grants nothing; otherwise the difference between what the new count earns and what is granted.
 */
export function rewardsToGrant(input: {
  rule: UnlockRule;
  countBefore: number;
  countAfter: number;
  granted: number;
}): number {
  const { rule, countBefore, countAfter, granted } = input;
  checkCount("countBefore", countBefore);
  checkCount("granted", granted);
  const earned = rewardsEarned(rule, countAfter);
  if (countAfter <= countBefore) return 0;
  return Math.max(0, earned - granted);
}

/**
 * After a decrease (a cancellation or a refund): how many of the most recently granted rewards the new count no
 * longer backs. The caller cancels those not yet sent and flags sent ones for clawback.
 */
export function rewardsNoLongerEarned(input: {
  rule: UnlockRule;
  countAfter: number;
  granted: number;
}): number {
  checkCount("granted", input.granted);
  return Math.max(0, input.granted - rewardsEarned(input.rule, input.countAfter));
}

/**
 * Progress toward the next reward of the rule, or null when it can grant no more (a "once" rule already granted,
 * an "every" rule at max_times). For "every" it counts the friends beyond those that earned the granted rewards.
 * `have` stays within 0…need: a count that fell below what backs the granted rewards shows 0, and one awaiting
 * its grant shows need.
 */
export function progressToward(
  rule: UnlockRule,
  count: number,
  granted: number,
): { have: number; need: number } | null {
  const n = checkRule(rule);
  checkCount("count", count);
  checkCount("granted", granted);
  if (rule.repeat === "once") return granted >= 1 ? null : { have: Math.min(count, n), need: n };
  if (rule.max_times != null && granted >= rule.max_times) return null;
  return { have: clamp(count - granted * n, 0, n), need: n };
}

function checkRule(rule: UnlockRule): number {
  const n = rule.referrals_required;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new RangeError(`referrals_required must be a positive integer: ${n}`);
  const max = rule.max_times;
  if (max != null && (!Number.isSafeInteger(max) || max < 1)) {
    throw new RangeError(`max_times must be a positive integer: ${max}`);
  }
  return n;
}

function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer: ${value}`);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
