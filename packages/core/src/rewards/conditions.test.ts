import { describe, expect, it } from "vitest";
import { type ConversionFacts, conversionMatches } from "./conditions.js";
import { rewardCondition } from "./rule-schema.js";

// Conditions go through the schema first, as the API stores them (currency uppercased, values trimmed).
const cond = (input: unknown) => rewardCondition.parse(input);

const usd4999: ConversionFacts = {
  amount_minor: 4999,
  currency: "USD",
  verified: true,
  data: { plan: "PRO" },
};
const jpy50: ConversionFacts = { amount_minor: 50, currency: "JPY", verified: false, data: {} };
const bhd: ConversionFacts = { amount_minor: 12_345, currency: "BHD", verified: true, data: {} }; // 12.345 BHD
const noAmount: ConversionFacts = { amount_minor: null, currency: null, verified: true, data: {} };
const eurNoAmount: ConversionFacts = { amount_minor: null, currency: "EUR", verified: false, data: {} };
const custom: ConversionFacts = {
  amount_minor: 0,
  currency: "USD",
  verified: false,
  data: { plan: "PRO", tier: " Gold  ", note: "Referred via PRO newsletter", blank: "" },
};

describe("conversionMatches: one condition", () => {
  it.each<[string, unknown, ConversionFacts, boolean]>([
    // amount, exact on minor units: 49.99 is 4999 cents although 49.99 * 100 is 4998.999…
    ["49.99 >= 49.99", { field: "amount", op: ">=", value: 49.99 }, usd4999, true],
    ["49.99 = 49.99", { field: "amount", op: "=", value: 49.99 }, usd4999, true],
    ["49.99 > 49.99", { field: "amount", op: ">", value: 49.99 }, usd4999, false],
    ["49.99 <= 49.99", { field: "amount", op: "<=", value: 49.99 }, usd4999, true],
    ["49.99 < 49.99", { field: "amount", op: "<", value: 49.99 }, usd4999, false],
    ["49.99 >= 50", { field: "amount", op: ">=", value: 50 }, usd4999, false],
    ["49.99 < 50", { field: "amount", op: "<", value: 50 }, usd4999, true],
    ["49.99 > 49.989", { field: "amount", op: ">", value: 49.989 }, usd4999, true],
    ["49.99 >= 49.991", { field: "amount", op: ">=", value: 49.991 }, usd4999, false],
    ["49.99 <= 49.991", { field: "amount", op: "<=", value: 49.991 }, usd4999, true],
    ["49.99 = 49.991", { field: "amount", op: "=", value: 49.991 }, usd4999, false],
    ["49.99 >= 0", { field: "amount", op: ">=", value: 0 }, usd4999, true],
    ["49.99 > 1e-7", { field: "amount", op: ">", value: 1e-7 }, usd4999, true],
    // in a currency without decimals the threshold keeps its fraction
    ["50 JPY > 49.5", { field: "amount", op: ">", value: 49.5 }, jpy50, true],
    ["50 JPY = 49.5", { field: "amount", op: "=", value: 49.5 }, jpy50, false],
    ["50 JPY >= 50.5", { field: "amount", op: ">=", value: 50.5 }, jpy50, false],
    ["50 JPY < 50.5", { field: "amount", op: "<", value: 50.5 }, jpy50, true],
    ["50 JPY = 50", { field: "amount", op: "=", value: 50 }, jpy50, true],
    ["12.345 BHD >= 12.345", { field: "amount", op: ">=", value: 12.345 }, bhd, true],
    ["12.345 BHD > 12.34", { field: "amount", op: ">", value: 12.34 }, bhd, true],
    // a currency on the condition fences out the others
    ["USD amount, USD condition", { field: "amount", op: ">=", value: 10, currency: "usd" }, usd4999, true],
    ["USD amount, EUR condition", { field: "amount", op: ">=", value: 10, currency: "EUR" }, usd4999, false],
    ["JPY amount, JPY condition", { field: "amount", op: "<=", value: 50, currency: "JPY" }, jpy50, true],
    // no amount fails every amount condition
    ["no amount >= 0", { field: "amount", op: ">=", value: 0 }, noAmount, false],
    ["no amount < 10", { field: "amount", op: "<", value: 10 }, noAmount, false],
    ["no amount but a currency", { field: "amount", op: "<=", value: 1e12 }, eurNoAmount, false],
    // currency
    ["USD = USD", { field: "currency", op: "=", value: "usd" }, usd4999, true],
    ["USD = EUR", { field: "currency", op: "=", value: "EUR" }, usd4999, false],
    ["USD in [EUR, USD]", { field: "currency", op: "in", value: ["EUR", "USD"] }, usd4999, true],
    ["JPY in [EUR, USD]", { field: "currency", op: "in", value: ["EUR", "USD"] }, jpy50, false],
    ["no currency = USD", { field: "currency", op: "=", value: "USD" }, noAmount, false],
    ["no currency in [USD]", { field: "currency", op: "in", value: ["USD"] }, noAmount, false],
    ["EUR without amount = EUR", { field: "currency", op: "=", value: "EUR" }, eurNoAmount, true],
    // verified
    ["verified = true, verified", { field: "verified", op: "=", value: true }, usd4999, true],
    ["verified = true, unverified", { field: "verified", op: "=", value: true }, jpy50, false],
    ["verified = false, unverified", { field: "verified", op: "=", value: false }, jpy50, true],
    ["verified = false, verified", { field: "verified", op: "=", value: false }, usd4999, false],
    // custom fields: case-sensitive, trimmed on both sides
    ["plan = PRO", { field: "data.plan", op: "=", value: "PRO" }, custom, true],
    ["plan = pro", { field: "data.plan", op: "=", value: "pro" }, custom, false],
    ["plan = ' PRO '", { field: "data.plan", op: "=", value: " PRO " }, custom, true],
    ["stored ' Gold  ' = Gold", { field: "data.tier", op: "=", value: "Gold" }, custom, true],
    ["plan != FREE", { field: "data.plan", op: "!=", value: "FREE" }, custom, true],
    ["plan != PRO", { field: "data.plan", op: "!=", value: "PRO" }, custom, false],
    ["plan in [TEAM, PRO]", { field: "data.plan", op: "in", value: ["TEAM", "PRO"] }, custom, true],
    ["plan in [TEAM, pro]", { field: "data.plan", op: "in", value: ["TEAM", "pro"] }, custom, false],
    ["note contains PRO", { field: "data.note", op: "contains", value: "PRO" }, custom, true],
    ["note contains pro", { field: "data.note", op: "contains", value: "pro" }, custom, false],
    ["Plan (other case) = PRO", { field: "data.Plan", op: "=", value: "PRO" }, custom, false],
    // a missing key fails =, in and contains, and passes !=
    ["missing = PRO", { field: "data.seats", op: "=", value: "PRO" }, custom, false],
    ["missing in [PRO]", { field: "data.seats", op: "in", value: ["PRO"] }, custom, false],
    ["missing contains P", { field: "data.seats", op: "contains", value: "P" }, custom, false],
    ["missing != PRO", { field: "data.seats", op: "!=", value: "PRO" }, custom, true],
    ["empty stored value counts as missing", { field: "data.blank", op: "!=", value: "x" }, custom, true],
    ["empty stored value fails contains", { field: "data.blank", op: "contains", value: "x" }, custom, false],
    // an Object.prototype name is not a custom field nobody sent
    ["constructor = x", { field: "data.constructor", op: "=", value: "x" }, custom, false],
    ["toString != x", { field: "data.toString", op: "!=", value: "x" }, custom, true],
  ])("%s → %s", (_, condition, conversion, expected) => {
    expect(conversionMatches([cond(condition)], conversion)).toBe(expected);
  });
});

describe("conversionMatches: all conditions must hold", () => {
  const proOver10 = [
    { field: "data.plan", op: "=", value: "PRO" },
    { field: "amount", op: ">=", value: 10, currency: "USD" },
    { field: "verified", op: "=", value: true },
  ].map(cond);

  it.each<[string, unknown[], ConversionFacts, boolean]>([
    ["no conditions, any conversion", [], noAmount, true],
    ["PRO, $49.99, verified", proOver10, usd4999, true],
    ["PRO, $49.99, unverified", proOver10, { ...usd4999, verified: false }, false],
    ["FREE, $49.99, verified", proOver10, { ...usd4999, data: { plan: "FREE" } }, false],
    ["PRO, $9.99, verified", proOver10, { ...usd4999, amount_minor: 999 }, false],
    ["PRO, €49.99, verified", proOver10, { ...usd4999, currency: "EUR" }, false],
    ["PRO, no amount, verified", proOver10, { ...usd4999, amount_minor: null, currency: null }, false],
  ])("%s → %s", (_, conditions, conversion, expected) => {
    expect(conversionMatches(conditions.map(cond), conversion)).toBe(expected);
  });
});
