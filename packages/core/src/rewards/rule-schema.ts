// Reward rules as the admin API accepts them: "3 friends who sign up to PRO → 50% off", "every 3 demos → a free
// month". Every field is bounded; conditions are plain data so evaluation stays a pure function.
import { z } from "zod";
import { fromMinorUnits, isCurrency, toMinorUnits } from "../money.js";
import { currency, eventName, prefixedId, text } from "../schemas/common.js";
import { CUSTOM_KEY_PATTERN, SEED_DATA_KEYS } from "./custom-data.js";

export const MAX_CONDITIONS = 20;
export const MAX_IN_VALUES = 50;
/** The same ceiling as a conversion's amount, so no threshold is out of reach by construction. */
const MAX_CONDITION_AMOUNT = 1e12;

const amountCondition = z.strictObject({
  field: z.literal("amount"),
  op: z.enum([">=", "<=", ">", "<", "="], 'must be one of ">=", "<=", ">", "<", "="'),
  /** In the seed's units (49.99), compared exactly against the conversion's minor units. */
  value: z
    .number("must be a number")
    .min(0, "must not be negative")
    .max(MAX_CONDITION_AMOUNT, `must be at most ${MAX_CONDITION_AMOUNT}`),
  /** When given, a conversion in any other currency fails the condition. */
  currency: currency.optional(),
});

const currencyCondition = z.discriminatedUnion(
  "op",
  [
    z.strictObject({ field: z.literal("currency"), op: z.literal("="), value: currency }),
    z.strictObject({
      field: z.literal("currency"),
      op: z.literal("in"),
      value: z
        .array(currency)
        .min(1, "needs at least one currency")
        .max(MAX_IN_VALUES, `may list at most ${MAX_IN_VALUES} currencies`),
    }),
  ],
  { error: 'must be "=" or "in"' },
);

const verifiedCondition = z.strictObject({
  field: z.literal("verified"),
  op: z.literal("="),
  value: z.boolean("must be true or false"),
});

const dataField = z
  .templateLiteral(["data.", z.string().regex(CUSTOM_KEY_PATTERN)], {
    error: `must be "data.<key>", the key holding letters, digits and _ only, at most 40 characters`,
  })
  .refine(
    (field) => !SEED_DATA_KEYS.includes(field.slice("data.".length)),
    "names a standard field, not a custom one: use the amount or currency condition",
  );
const dataText = text(200).min(1, "must not be empty");

const dataCondition = z.discriminatedUnion(
  "op",
  [
    z.strictObject({ field: dataField, op: z.enum(["=", "!=", "contains"]), value: dataText }),
    z.strictObject({
      field: dataField,
      op: z.literal("in"),
      value: z
        .array(dataText)
        .min(1, "needs at least one value")
        .max(MAX_IN_VALUES, `may list at most ${MAX_IN_VALUES} values`),
    }),
  ],
  { error: 'must be "=", "!=", "in" or "contains"' },
);

const conditionShape = z.union([amountCondition, currencyCondition, verifiedCondition, dataCondition]);

/** The one shape a condition's `field` asks for, so a mistake is reported against that shape alone. */
function shapeFor(input: unknown): z.ZodType | undefined {
  const field = typeof input === "object" && input !== null && "field" in input ? input.field : undefined;
  if (typeof field !== "string") return undefined;
  if (field.startsWith("data.")) return dataCondition;
  switch (field) {
    case "amount":
      return amountCondition;
    case "currency":
      return currencyCondition;
    case "verified":
      return verifiedCondition;
    default:
      return undefined;
  }
}

/**
 * One condition on the conversion. A bare union answers some mistakes with "Invalid input" and no path; checking
 * first against the shape its `field` names reports each one at the property that is wrong.
 */
export const rewardCondition = z.preprocess((input, ctx) => {
  const shape = shapeFor(input);
  if (!shape) {
    ctx.addIssue({
      code: "custom",
      path: ["field"],
      message: 'must be "amount", "currency", "verified" or "data.<key>"',
      input,
    });
    return input;
  }
  const result = shape.safeParse(input);
  for (const issue of result.error?.issues ?? []) {
    ctx.addIssue({ code: "custom", path: issue.path, message: issue.message, input });
  }
  return input;
}, conditionShape);
export type RewardCondition = z.infer<typeof rewardCondition>;
export type AmountCondition = z.infer<typeof amountCondition>;
export type CurrencyCondition = z.infer<typeof currencyCondition>;
export type VerifiedCondition = z.infer<typeof verifiedCondition>;
export type DataCondition = z.infer<typeof dataCondition>;

export const rewardValue = z.discriminatedUnion(
  "type",
  [
    z
      .strictObject({
        type: z.literal("fixed"),
        amount: z
          .number("must be a number")
          .positive("must be more than 0")
          .max(1e9, "must be at most 1000000000"),
        currency,
      })
      .refine(
        // A $10.005 reward cannot be paid; the currency's minor unit decides how many decimals make sense.
        (v) =>
          !isCurrency(v.currency) ||
          fromMinorUnits(toMinorUnits(v.amount, v.currency), v.currency) === v.amount,
        { message: "has more decimals than the currency allows", path: ["amount"] },
      ),
    z.strictObject({
      type: z.literal("percent"),
      amount: z.number("must be a number").positive("must be more than 0").max(100, "must be at most 100"),
    }),
  ],
  { error: 'must be "fixed" or "percent"' },
);
export type RewardValue = z.infer<typeof rewardValue>;

export const rewardDelivery = z.union(
  [
    z.enum(["immediate", "manual"]),
    z.strictObject({
      hold_days: z
        .int("must be a whole number of days")
        .min(1, "must be at least 1")
        .max(365, "must be at most 365"),
    }),
  ],
  { error: 'must be "immediate", "manual" or {"hold_days": 1-365}' },
);
export type RewardDelivery = z.infer<typeof rewardDelivery>;

export const REWARD_REPEATS = ["once", "every"] as const;
export type RewardRepeat = (typeof REWARD_REPEATS)[number];
export const REWARD_RECIPIENTS = ["referrer", "referee"] as const;
export type RewardRecipient = (typeof REWARD_RECIPIENTS)[number];

const fields = {
  name: text(100).min(1, "must not be empty"),
  event: eventName,
  referrals_required: z
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(10_000, "must be at most 10000"),
  repeat: z.enum(REWARD_REPEATS, 'must be "once" or "every"'),
  max_times: z.int("must be a whole number").min(1, "must be at least 1").max(1000, "must be at most 1000"),
  conditions: z.array(rewardCondition).max(MAX_CONDITIONS, `may hold at most ${MAX_CONDITIONS} conditions`),
  description: text(500).min(1, "must not be empty"),
  value: rewardValue,
  coupon_group: prefixedId("cpg"),
  delivery: rewardDelivery,
  recipient: z.enum(REWARD_RECIPIENTS, 'must be "referrer" or "referee"'),
};

/** A cap on the number of rewards only means something when the rule repeats. */
function refuseMaxTimesWithOnce(
  rule: { repeat?: RewardRepeat | undefined; max_times?: number | null | undefined },
  ctx: z.RefinementCtx,
): void {
  if (rule.repeat === "once" && rule.max_times !== undefined && rule.max_times !== null) {
    ctx.addIssue({
      code: "custom",
      path: ["max_times"],
      message: 'applies only to repeat "every"; a "once" rule grants one reward',
    });
  }
}

export const createRewardRuleInput = z
  .strictObject({
    name: fields.name,
    event: fields.event,
    referrals_required: fields.referrals_required,
    repeat: fields.repeat.default("once"),
    max_times: fields.max_times.optional(),
    conditions: fields.conditions.default([]),
    description: fields.description,
    value: fields.value.optional(),
    coupon_group: fields.coupon_group.optional(),
    delivery: fields.delivery.default("immediate"),
    recipient: fields.recipient.default("referrer"),
  })
  .superRefine(refuseMaxTimesWithOnce);
export type CreateRewardRuleInput = z.infer<typeof createRewardRuleInput>;

/**
 * A partial change. No defaults here, or an update would silently reset fields it does not mention; `null` clears
 * the optional ones (max_times, value, coupon_group). A change that makes the whole rule inconsistent (repeat
 * "once" with an existing max_times) can only be seen once merged: re-parse the merged rule with
 * `createRewardRuleInput`.
 */
export const updateRewardRuleInput = z
  .strictObject({
    name: fields.name.optional(),
    event: fields.event.optional(),
    referrals_required: fields.referrals_required.optional(),
    repeat: fields.repeat.optional(),
    max_times: fields.max_times.nullable().optional(),
    conditions: fields.conditions.optional(),
    description: fields.description.optional(),
    value: fields.value.nullable().optional(),
    coupon_group: fields.coupon_group.nullable().optional(),
    delivery: fields.delivery.optional(),
    recipient: fields.recipient.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "give at least one field to change")
  .superRefine(refuseMaxTimesWithOnce);
export type UpdateRewardRuleInput = z.infer<typeof updateRewardRuleInput>;
