// Does a conversion satisfy a rule's conditions? Pure, so the same answer comes from the ingest transaction,
// a status change and a test table.
import { currencyExponent, isCurrency } from "../money.js";
import type { AmountCondition, DataCondition, RewardCondition } from "./rule-schema.js";

/** What conditions can see of a conversion: the stored row's amount, currency, verified flag and custom fields. */
export interface ConversionFacts {
  amount_minor: number | null;
  currency: string | null;
  verified: boolean;
  data: Readonly<Record<string, string>>;
}

/** True when every condition holds; no conditions means every conversion counts. */
export function conversionMatches(
  conditions: readonly RewardCondition[],
  conversion: ConversionFacts,
): boolean {
  return conditions.every((condition) => conditionHolds(condition, conversion));
}

function conditionHolds(condition: RewardCondition, conversion: ConversionFacts): boolean {
  switch (condition.field) {
    case "amount":
      return amountHolds(condition, conversion);
    case "currency":
      if (conversion.currency === null) return false;
      return condition.op === "="
        ? conversion.currency === condition.value
        : condition.value.includes(conversion.currency);
    case "verified":
      return conversion.verified === condition.value;
    default:
      return dataHolds(condition, conversion.data);
  }
}

function amountHolds(condition: AmountCondition, conversion: ConversionFacts): boolean {
  const { amount_minor: amount, currency } = conversion;
  if (amount === null || currency === null || !isCurrency(currency)) return false;
  if (condition.currency !== undefined && condition.currency !== currency) return false;
  // The threshold in this currency's minor units need not be whole (49.99 against JPY), so compare with its
  // floor and exactness rather than a rounded value: 50 JPY > 49.5 holds, 50 JPY = 49.5 does not.
  const { floor, exact } = scaledThreshold(condition.value, currencyExponent(currency));
  const ceil = exact ? floor : floor + 1;
  switch (condition.op) {
    case ">=":
      return amount >= ceil;
    case ">":
      return amount > floor;
    case "<=":
      return amount <= floor;
    case "<":
      return amount < ceil;
    case "=":
      return exact && amount === floor;
  }
}

/**
 * `value × 10^exponent` for a non-negative number, from its shortest decimal form (what the owner typed), so
 * 49.99 USD is exactly 4999 although 49.99 * 100 is 4998.999…: the integer part and whether anything was cut.
 */
function scaledThreshold(value: number, exponent: number): { floor: number; exact: boolean } {
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
  if (!match) throw new RangeError(`Not a non-negative finite number: ${value}`);
  const [, whole = "0", fraction = "", exp = "0"] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exp) + exponent;
  const kept = point <= 0 ? "0" : digits.slice(0, point).padEnd(point, "0");
  const dropped = point <= 0 ? digits : digits.slice(point);
  return { floor: Number(kept), exact: !/[1-9]/.test(dropped) };
}

function dataHolds(condition: DataCondition, data: Readonly<Record<string, string>>): boolean {
  const key = condition.field.slice("data.".length);
  // Own properties only: a custom field named "constructor" must not find Object.prototype's.
  const raw = Object.hasOwn(data, key) ? data[key] : undefined;
  const actual = raw?.trim();
  if (actual === undefined || actual === "") return condition.op === "!=";
  switch (condition.op) {
    case "=":
      return actual === condition.value;
    case "!=":
      return actual !== condition.value;
    case "contains":
      return actual.includes(condition.value);
    case "in":
      return condition.value.includes(actual);
  }
}
