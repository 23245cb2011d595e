import { describe, expect, it } from "vitest";
import { type ConversionFacts, conversionMatches } from "./conditions.js";
import { rewardCondition } from "./rule-schema.js";
import {
  progressToward,
  rewardsEarned,
  rewardsNoLongerEarned,
  rewardsToGrant,
  type UnlockRule,
} from "./unlocks.js";

const proPlan: UnlockRule = { referrals_required: 3, repeat: "once" }; // 50% off, 3 friends on PRO
const ticket: UnlockRule = { referrals_required: 5, repeat: "once" }; // free ticket, 5 friends who purchase
const month: UnlockRule = { referrals_required: 3, repeat: "every" }; // free month every 3 demos
const monthCapped: UnlockRule = { referrals_required: 3, repeat: "every", max_times: 2 };
const account: UnlockRule = { referrals_required: 3, repeat: "once" }; // free account, 3 downloads
const bronze: UnlockRule = { referrals_required: 3, repeat: "once" };
const gold: UnlockRule = { referrals_required: 10, repeat: "once" };

/** Counts one friend at a time from 0 to `to`, granting what each step unlocks: the grants per step 1…to. */
function grantsAlongTheWay(rule: UnlockRule, to: number): number[] {
  const grants: number[] = [];
  let granted = 0;
  for (let count = 1; count <= to; count++) {
    const now = rewardsToGrant({ rule, countBefore: count - 1, countAfter: count, granted });
    granted += now;
    grants.push(now);
  }
  return grants;
}

describe("the seed's programs, friends counted one by one from 0 to 12", () => {
  // Step:                                            1  2  3  4  5  6  7  8  9 10 11 12
  it.each<[string, UnlockRule, number[]]>([
    ["50% off for 3 friends on PRO (once, 3)", proPlan, [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    ["free ticket for 5 purchases (once, 5)", ticket, [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]],
    ["free month every 3 demos (every, 3)", month, [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]],
    ["free month every 3 demos, at most twice", monthCapped, [0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]],
    ["free account for 3 downloads (once, 3)", account, [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    ["tier bronze (once, 3)", bronze, [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    ["tier gold (once, 10) on the same event", gold, [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]],
  ])("%s", (_, rule, expected) => {
    expect(grantsAlongTheWay(rule, 12)).toEqual(expected);
  });

  it("50% off counts only friends who signed up to PRO", () => {
    const conditions = [rewardCondition.parse({ field: "data.plan", op: "=", value: "PRO" })];
    const signup = (plan: string): ConversionFacts => ({
      amount_minor: null,
      currency: null,
      verified: false,
      data: { plan },
    });
    const signups = ["PRO", "FREE", "PRO", "TEAM", "FREE", "PRO", "PRO"].map(signup);
    let count = 0;
    let granted = 0;
    const grants = signups.map((conversion) => {
      if (!conversionMatches(conditions, conversion)) return 0;
      count += 1;
      const now = rewardsToGrant({ rule: proPlan, countBefore: count - 1, countAfter: count, granted });
      granted += now;
      return now;
    });
    // The third PRO signup is the sixth conversion; the fourth PRO earns nothing more.
    expect(grants).toEqual([0, 0, 0, 0, 0, 1, 0]);
  });
});

describe("rewardsToGrant", () => {
  it.each<[string, UnlockRule, number, number, number, number]>([
    ["once: reaching N", account, 2, 3, 0, 1],
    ["once: below N", account, 1, 2, 0, 0],
    ["once: already granted", account, 3, 4, 1, 0],
    ["once: a rule created after 5 friends, on the 6th", account, 5, 6, 0, 1],
    ["once: earned again after its reward was cancelled", account, 2, 3, 0, 1],
    ["once: a jump past N grants one", ticket, 0, 12, 0, 1],
    ["every: a bulk confirmation 2 → 7 grants two", month, 2, 7, 0, 2],
    ["every: 8 → 9 with 2 granted", month, 8, 9, 2, 1],
    ["every: 9 → 10 with 3 granted", month, 9, 10, 3, 0],
    ["every: catches up what was missed", month, 9, 10, 1, 2],
    ["every: the cap stops it", monthCapped, 8, 9, 2, 0],
    ["every: the cap trims a jump", { ...month, max_times: 3 }, 5, 12, 1, 2],
    ["every: null max_times is no cap", { ...month, max_times: null }, 29, 30, 9, 1],
    ["never negative: more granted than earned", month, 3, 4, 5, 0],
    ["a decrease grants nothing", month, 7, 6, 0, 0],
    ["an unchanged count grants nothing", account, 3, 3, 0, 0],
    ["from 0 to 0", account, 0, 0, 0, 0],
    ["N = 1 once", { referrals_required: 1, repeat: "once" }, 0, 1, 0, 1],
    ["N = 10,000 every", { referrals_required: 10_000, repeat: "every" }, 19_999, 20_000, 1, 1],
  ])("%s", (_, rule, countBefore, countAfter, granted, expected) => {
    expect(rewardsToGrant({ rule, countBefore, countAfter, granted })).toBe(expected);
  });

  it.each<[string, UnlockRule, number, number, number]>([
    ["0 referrals required", { referrals_required: 0, repeat: "once" }, 0, 1, 0],
    ["a fractional N", { referrals_required: 2.5, repeat: "every" }, 0, 5, 0],
    ["max_times 0", { referrals_required: 3, repeat: "every", max_times: 0 }, 0, 3, 0],
    ["a negative count", account, -1, 3, 0],
    ["a fractional count", account, 0, 2.5, 0],
    ["a negative granted", account, 0, 3, -1],
    ["NaN", account, 0, Number.NaN, 0],
  ])("throws on %s", (_, rule, countBefore, countAfter, granted) => {
    expect(() => rewardsToGrant({ rule, countBefore, countAfter, granted })).toThrow(RangeError);
  });
});

describe("rewardsNoLongerEarned after a cancellation or refund", () => {
  it.each<[string, UnlockRule, number, number, number]>([
    ["once: 3 → 2 with the reward granted", account, 2, 1, 1],
    ["once: 4 → 3, still backed", account, 3, 1, 0],
    ["once: 2 → 1 with nothing granted", account, 1, 0, 0],
    ["once: 0 friends left", ticket, 0, 1, 1],
    ["every: 7 → 6 with 2 granted", month, 6, 2, 0],
    ["every: 6 → 5 with 2 granted", month, 5, 2, 1],
    ["every: down to 2 with 3 granted", month, 2, 3, 3],
    ["every: 12 → 11 with 4 granted", month, 11, 4, 1],
    ["every, capped at 2: 12 → 6 with 2 granted", monthCapped, 6, 2, 0],
    ["every, capped at 2: 12 → 5 with 2 granted", monthCapped, 5, 2, 1],
    ["tiers: gold at 10 → 9", gold, 9, 1, 1],
    ["tiers: bronze at 10 → 9", bronze, 9, 1, 0],
    ["nothing granted, nothing taken back", month, 0, 0, 0],
  ])("%s", (_, rule, countAfter, granted, expected) => {
    expect(rewardsNoLongerEarned({ rule, countAfter, granted })).toBe(expected);
  });

  it("a refund followed by a new friend takes back one reward and grants it again", () => {
    // every 3: 6 friends, 2 granted; a refund leaves 5, then a new friend brings 6 back.
    const takenBack = rewardsNoLongerEarned({ rule: month, countAfter: 5, granted: 2 });
    const regranted = rewardsToGrant({ rule: month, countBefore: 5, countAfter: 6, granted: 2 - takenBack });
    expect([takenBack, regranted]).toEqual([1, 1]);
  });
});

describe("rewardsEarned", () => {
  it.each<[UnlockRule, number, number]>([
    [account, 0, 0],
    [account, 3, 1],
    [account, 300, 1],
    [month, 2, 0],
    [month, 3, 1],
    [month, 11, 3],
    [monthCapped, 11, 2],
  ])("%j with %i friends → %i", (rule, count, expected) => {
    expect(rewardsEarned(rule, count)).toBe(expected);
  });
});

describe("progressToward", () => {
  it.each<[string, UnlockRule, number, number, { have: number; need: number } | null]>([
    ["once, no friends yet", account, 0, 0, { have: 0, need: 3 }],
    ["once, 2 of 3", account, 2, 0, { have: 2, need: 3 }],
    ["once, reached but not yet granted", account, 4, 0, { have: 3, need: 3 }],
    ["once, granted", account, 3, 1, null],
    ["ticket, 4 of 5", ticket, 4, 0, { have: 4, need: 5 }],
    ["every, 2 toward the first", month, 2, 0, { have: 2, need: 3 }],
    ["every, 7 friends, 2 granted", month, 7, 2, { have: 1, need: 3 }],
    ["every, 6 friends, 2 granted", month, 6, 2, { have: 0, need: 3 }],
    ["every, a refund left fewer than the grants need", month, 4, 2, { have: 0, need: 3 }],
    ["every, a grant still to come", month, 9, 2, { have: 3, need: 3 }],
    ["every, capped, one left", monthCapped, 4, 1, { have: 1, need: 3 }],
    ["every, capped, all granted", monthCapped, 12, 2, null],
    ["gold, 9 of 10", gold, 9, 0, { have: 9, need: 10 }],
  ])("%s", (_, rule, count, granted, expected) => {
    expect(progressToward(rule, count, granted)).toEqual(expected);
  });
});
