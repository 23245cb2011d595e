import { describe, expect, it } from "vitest";
import { createRewardRuleInput, rewardCondition, updateRewardRuleInput } from "./rule-schema.js";

const base = {
  name: "Free account",
  event: "download",
  referrals_required: 3,
  description: "A free account",
};

/** The first problem as the API reports it: the field path and the message. */
function firstIssue(result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) {
  const issue = result.error?.issues[0];
  return issue ? { field: issue.path.join("."), message: issue.message } : null;
}

describe("createRewardRuleInput: the seed's four programs", () => {
  it.each([
    [
      "50% off for 3 friends who sign up to PRO",
      {
        name: "50% off",
        event: "signup",
        referrals_required: 3,
        description: "50% discount for 3 friends on the PRO plan",
        conditions: [{ field: "data.plan", op: "=", value: " PRO " }],
        value: { type: "percent", amount: 50 },
      },
      {
        repeat: "once",
        conditions: [{ field: "data.plan", op: "=", value: "PRO" }],
        value: { type: "percent", amount: 50 },
      },
    ],
    [
      "free ticket for 5 friends who purchase",
      { name: "Free ticket", event: "purchase", referrals_required: 5, description: "A free ticket" },
      { repeat: "once", conditions: [], delivery: "immediate", recipient: "referrer" },
    ],
    [
      "free month every time 3 friends schedule a demo, up to 12",
      {
        name: "Free month",
        event: "demo",
        referrals_required: 3,
        repeat: "every",
        max_times: 12,
        description: "A free month",
        delivery: { hold_days: 30 },
      },
      { repeat: "every", max_times: 12, delivery: { hold_days: 30 } },
    ],
    [
      "free account when 3 people download",
      { ...base, value: { type: "fixed", amount: 15.7, currency: "usd" }, coupon_group: "cpg_01hx" },
      { value: { type: "fixed", amount: 15.7, currency: "USD" }, coupon_group: "cpg_01hx" },
    ],
  ])("%s", (_, input, expected) => {
    const parsed = createRewardRuleInput.parse(input);
    expect(parsed).toMatchObject(expected);
  });

  it("fills the defaults", () => {
    expect(createRewardRuleInput.parse(base)).toEqual({
      ...base,
      repeat: "once",
      conditions: [],
      delivery: "immediate",
      recipient: "referrer",
    });
  });
});

describe("createRewardRuleInput refuses", () => {
  it.each([
    ["an empty name", { ...base, name: "   " }, "name", "must not be empty"],
    ["a long name", { ...base, name: "x".repeat(101) }, "name", "must be at most 100 characters"],
    ["a missing description", { ...base, description: undefined }, "description", undefined],
    ["a long description", { ...base, description: "x".repeat(501) }, "description", undefined],
    ["a bad event name", { ...base, event: "sign up" }, "event", undefined],
    ["0 referrals", { ...base, referrals_required: 0 }, "referrals_required", "must be at least 1"],
    [
      "10,001 referrals",
      { ...base, referrals_required: 10_001 },
      "referrals_required",
      "must be at most 10000",
    ],
    ["2.5 referrals", { ...base, referrals_required: 2.5 }, "referrals_required", undefined],
    ["an unknown repeat", { ...base, repeat: "twice" }, "repeat", 'must be "once" or "every"'],
    [
      "max_times on a once rule",
      { ...base, max_times: 2 },
      "max_times",
      'applies only to repeat "every"; a "once" rule grants one reward',
    ],
    ["max_times 0", { ...base, repeat: "every", max_times: 0 }, "max_times", "must be at least 1"],
    ["max_times 1001", { ...base, repeat: "every", max_times: 1001 }, "max_times", "must be at most 1000"],
    [
      "21 conditions",
      {
        ...base,
        conditions: Array.from({ length: 21 }, () => ({ field: "verified", op: "=", value: true })),
      },
      "conditions",
      "may hold at most 20 conditions",
    ],
    [
      "a fixed value without currency",
      { ...base, value: { type: "fixed", amount: 10 } },
      "value.currency",
      undefined,
    ],
    [
      "a fixed value in a made-up currency",
      { ...base, value: { type: "fixed", amount: 10, currency: "ABC" } },
      "value.currency",
      "must be an ISO 4217 currency code, e.g. USD",
    ],
    [
      "a fixed value of 0",
      { ...base, value: { type: "fixed", amount: 0, currency: "USD" } },
      "value.amount",
      "must be more than 0",
    ],
    [
      "a fixed value above 1e9",
      { ...base, value: { type: "fixed", amount: 1e9 + 1, currency: "USD" } },
      "value.amount",
      "must be at most 1000000000",
    ],
    [
      "a fixed value with sub-cent decimals",
      { ...base, value: { type: "fixed", amount: 10.005, currency: "USD" } },
      "value.amount",
      "has more decimals than the currency allows",
    ],
    [
      "a fixed yen value with decimals",
      { ...base, value: { type: "fixed", amount: 100.5, currency: "JPY" } },
      "value.amount",
      "has more decimals than the currency allows",
    ],
    [
      "a percent above 100",
      { ...base, value: { type: "percent", amount: 101 } },
      "value.amount",
      "must be at most 100",
    ],
    [
      "a percent of 0",
      { ...base, value: { type: "percent", amount: 0 } },
      "value.amount",
      "must be more than 0",
    ],
    [
      "a percent with a currency",
      { ...base, value: { type: "percent", amount: 10, currency: "USD" } },
      "value",
      undefined,
    ],
    [
      "an unknown value type",
      { ...base, value: { type: "points", amount: 10 } },
      "value.type",
      'must be "fixed" or "percent"',
    ],
    ["a coupon group that is not an id", { ...base, coupon_group: "summer" }, "coupon_group", undefined],
    ["a hold of 0 days", { ...base, delivery: { hold_days: 0 } }, "delivery.hold_days", "must be at least 1"],
    [
      "a hold of 366 days",
      { ...base, delivery: { hold_days: 366 } },
      "delivery.hold_days",
      "must be at most 365",
    ],
    ["a hold of 1.5 days", { ...base, delivery: { hold_days: 1.5 } }, "delivery", undefined],
    [
      "an unknown delivery",
      { ...base, delivery: "later" },
      "delivery",
      'must be "immediate", "manual" or {"hold_days": 1-365}',
    ],
    ["an unknown recipient", { ...base, recipient: "both" }, "recipient", 'must be "referrer" or "referee"'],
    ["an unknown field", { ...base, points: 5 }, "", undefined],
  ])("%s", (_, input, field, message) => {
    const result = createRewardRuleInput.safeParse(input);
    expect(result.success).toBe(false);
    const issue = firstIssue(result);
    expect(issue?.field).toBe(field);
    if (message !== undefined) expect(issue?.message).toBe(message);
  });

  it("accepts the bounds themselves", () => {
    const parsed = createRewardRuleInput.parse({
      ...base,
      name: "x".repeat(100),
      description: "y".repeat(500),
      referrals_required: 10_000,
      repeat: "every",
      max_times: 1000,
      conditions: Array.from({ length: 20 }, () => ({ field: "verified", op: "=", value: true })),
      value: { type: "fixed", amount: 1e9, currency: "USD" },
      delivery: { hold_days: 365 },
      recipient: "referee",
    });
    expect(parsed.conditions).toHaveLength(20);
  });
});

describe("rewardCondition", () => {
  it.each([
    [
      { field: "amount", op: ">=", value: 49.99 },
      { field: "amount", op: ">=", value: 49.99 },
    ],
    [
      { field: "amount", op: "<", value: 0, currency: "eur" },
      { field: "amount", op: "<", value: 0, currency: "EUR" },
    ],
    [
      { field: "currency", op: "=", value: "gbp" },
      { field: "currency", op: "=", value: "GBP" },
    ],
    [
      { field: "currency", op: "in", value: ["usd", "EUR"] },
      { field: "currency", op: "in", value: ["USD", "EUR"] },
    ],
    [
      { field: "verified", op: "=", value: false },
      { field: "verified", op: "=", value: false },
    ],
    [
      { field: "data.plan", op: "!=", value: "FREE" },
      { field: "data.plan", op: "!=", value: "FREE" },
    ],
    [
      { field: "data.Plan_2", op: "in", value: [" PRO", "TEAM "] },
      { field: "data.Plan_2", op: "in", value: ["PRO", "TEAM"] },
    ],
    [
      { field: `data.${"k".repeat(40)}`, op: "contains", value: "pro" },
      { field: `data.${"k".repeat(40)}`, op: "contains", value: "pro" },
    ],
  ])("accepts %j", (input, expected) => {
    expect(rewardCondition.parse(input)).toEqual(expected);
  });

  // Each refusal names the property that is wrong and why, never a bare "Invalid input".
  const FIELD = 'must be "amount", "currency", "verified" or "data.<key>"';
  const DATA_KEY = 'must be "data.<key>", the key holding letters, digits and _ only, at most 40 characters';
  it.each([
    [{ field: "plan", op: "=", value: "PRO" }, "field", FIELD],
    [{ op: "=", value: "PRO" }, "field", FIELD],
    [{ field: 5, op: "=", value: "PRO" }, "field", FIELD],
    [{ field: "toString", op: "=", value: "PRO" }, "field", FIELD],
    [{ field: "data", op: "=", value: "PRO" }, "field", FIELD],
    [null, "field", FIELD],
    ["amount >= 5", "field", FIELD],
    [{ field: "amount", op: "=>", value: 5 }, "op", 'must be one of ">=", "<=", ">", "<", "="'],
    [{ field: "amount", op: ">=", value: -1 }, "value", "must not be negative"],
    [{ field: "amount", op: ">=", value: 1e13 }, "value", "must be at most 1000000000000"],
    [{ field: "amount", op: ">=", value: "50" }, "value", "must be a number"],
    [{ field: "amount", op: ">=", value: Number.NaN }, "value", "must be a number"],
    [
      { field: "amount", op: ">=", value: 5, currency: "XYZ" },
      "currency",
      "must be an ISO 4217 currency code, e.g. USD",
    ],
    [{ field: "amount", op: ">=", value: 5, cents: true }, "", 'Unrecognized key: "cents"'],
    [{ field: "currency", op: "!=", value: "USD" }, "op", 'must be "=" or "in"'],
    [
      { field: "currency", op: "=", value: ["USD"] },
      "value",
      "Invalid input: expected string, received array",
    ],
    [{ field: "currency", op: "in", value: [] }, "value", "needs at least one currency"],
    [{ field: "currency", op: "in", value: ["USD", "EURO"] }, "value.1", undefined],
    [
      { field: "currency", op: "in", value: Array(51).fill("USD") },
      "value",
      "may list at most 50 currencies",
    ],
    [{ field: "verified", op: "=", value: "yes" }, "value", "must be true or false"],
    [{ field: "verified", op: "!=", value: true }, "op", undefined],
    [{ field: "data.my-plan", op: "=", value: "PRO" }, "field", DATA_KEY],
    [{ field: `data.${"k".repeat(41)}`, op: "=", value: "PRO" }, "field", DATA_KEY],
    [{ field: "data.", op: "=", value: "PRO" }, "field", DATA_KEY],
    [
      { field: "data.amount", op: "=", value: "5" },
      "field",
      "names a standard field, not a custom one: use the amount or currency condition",
    ],
    [{ field: "data.plan", op: "~", value: "PRO" }, "op", 'must be "=", "!=", "in" or "contains"'],
    [{ field: "data.plan", op: "=", value: "  " }, "value", "must not be empty"],
    [{ field: "data.plan", op: "=", value: "x".repeat(201) }, "value", "must be at most 200 characters"],
    [
      { field: "data.plan", op: "=", value: ["PRO"] },
      "value",
      "Invalid input: expected string, received array",
    ],
    [
      { field: "data.plan", op: "in", value: "PRO" },
      "value",
      "Invalid input: expected array, received string",
    ],
    [{ field: "data.plan", op: "in", value: ["PRO", ""] }, "value.1", "must not be empty"],
    [{ field: "data.plan", op: "in", value: Array(51).fill("PRO") }, "value", "may list at most 50 values"],
    [{ field: "data.plan", op: "contains", value: "a\u0000b" }, "value", "must not contain NUL characters"],
  ])("refuses %j at %s", (input, field, message) => {
    const issue = firstIssue(rewardCondition.safeParse(input));
    expect(issue?.field).toBe(field);
    if (message !== undefined) expect(issue?.message).toBe(message);
  });

  it("reports a bad condition at its place in the rule", () => {
    const result = createRewardRuleInput.safeParse({
      ...base,
      conditions: [
        { field: "verified", op: "=", value: true },
        { field: "amount", op: ">=", value: -5 },
      ],
    });
    expect(firstIssue(result)).toEqual({ field: "conditions.1.value", message: "must not be negative" });
  });
});

describe("updateRewardRuleInput", () => {
  it.each([
    [{ name: " Gold " }, { name: "Gold" }],
    [
      { repeat: "every", max_times: 3 },
      { repeat: "every", max_times: 3 },
    ],
    [{ max_times: null }, { max_times: null }],
    [
      { value: null, coupon_group: null },
      { value: null, coupon_group: null },
    ],
    [{ conditions: [] }, { conditions: [] }],
    [{ delivery: "manual" }, { delivery: "manual" }],
  ])("accepts %j without adding defaults", (input, expected) => {
    expect(updateRewardRuleInput.parse(input)).toEqual(expected);
  });

  it.each([
    [{}, "", "give at least one field to change"],
    [
      { repeat: "once", max_times: 4 },
      "max_times",
      'applies only to repeat "every"; a "once" rule grants one reward',
    ],
    [{ referrals_required: 0 }, "referrals_required", "must be at least 1"],
    [{ name: null }, "name", undefined],
    [{ id: "rul_1" }, "", undefined],
  ])("refuses %j", (input, field, message) => {
    const result = updateRewardRuleInput.safeParse(input);
    expect(result.success).toBe(false);
    const issue = firstIssue(result);
    expect(issue?.field).toBe(field);
    if (message !== undefined) expect(issue?.message).toBe(message);
  });
});
