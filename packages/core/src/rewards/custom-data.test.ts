import { describe, expect, it } from "vitest";
import { extractCustomData, SEED_DATA_KEYS } from "./custom-data.js";

const seedData = {
  email: "sara@example.com",
  first_name: "Sara",
  last_name: "Smith",
  currency: "USD",
  amount: 15.7,
  transaction_id: "TRX_123",
};

function fields(n: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, `v${i}`]));
}

describe("extractCustomData keeps", () => {
  it.each([
    ["nothing from the seed's own fields", seedData, {}],
    ["a plan next to them", { ...seedData, plan: "PRO" }, { plan: "PRO" }],
    ["values trimmed", { plan: "  PRO " }, { plan: "PRO" }],
    [
      "numbers and booleans as strings",
      { seats: 5, ratio: 0.25, trial: false },
      { seats: "5", ratio: "0.25", trial: "false" },
    ],
    ["null and empty values as absent", { plan: null, team: "", note: "   ", size: "L" }, { size: "L" }],
    [
      "a 40-character key and a 200-character value",
      { ["k".repeat(40)]: "v".repeat(200) },
      { ["k".repeat(40)]: "v".repeat(200) },
    ],
    ["20 fields", fields(20), fields(20)],
    ["20 fields plus absent ones", { ...fields(20), x: null, y: "" }, fields(20)],
    ["keys case-sensitively", { Plan: "PRO", plan: "FREE" }, { Plan: "PRO", plan: "FREE" }],
  ])("%s", (_, data, expected) => {
    expect(extractCustomData(data, SEED_DATA_KEYS)).toEqual({ ok: true, data: expected });
  });

  it("keeps a field named like an Object property as plain data", () => {
    const result = extractCustomData({ constructor: "y", toString: "z" }, SEED_DATA_KEYS);
    expect(result.ok && Object.getPrototypeOf(result.data)).toBe(Object.prototype);
    expect(result.ok && Object.entries(result.data)).toEqual([
      ["constructor", "y"],
      ["toString", "z"],
    ]);
  });

  it("leaves out whatever keys the caller knows", () => {
    expect(extractCustomData({ plan: "PRO", k: "key", vid: "v1" }, ["k", "vid"])).toEqual({
      ok: true,
      data: { plan: "PRO" },
    });
  });
});

describe("extractCustomData refuses", () => {
  it.each([
    [
      "21 custom fields",
      { ...seedData, ...fields(21) },
      "data",
      "may carry at most 20 custom fields besides the standard ones; got 21",
    ],
    [
      "a key with a dash",
      { "my-plan": "PRO" },
      "data.my-plan",
      "custom field name may hold letters, digits and _ only, at most 40 characters",
    ],
    ["a 41-character key", { ["k".repeat(41)]: "x" }, `data.${"k".repeat(41)}`, undefined],
    ["a 201-character value", { plan: "x".repeat(201) }, "data.plan", "must be at most 200 characters"],
    ["a NUL in a value", { plan: "P\u0000RO" }, "data.plan", "must not contain NUL characters"],
    [
      "an object value",
      { plan: { name: "PRO" } },
      "data.plan",
      "must be text, a finite number or true/false",
    ],
    ["an array value", { plans: ["PRO"] }, "data.plans", "must be text, a finite number or true/false"],
    [
      "an infinite number",
      { seats: Number.POSITIVE_INFINITY },
      "data.seats",
      "must be text, a finite number or true/false",
    ],
    [
      "a __proto__ key (as JSON.parse makes it)",
      JSON.parse('{"__proto__": "x"}'),
      "data.__proto__",
      "custom field name __proto__ is reserved",
    ],
    ["NaN", { seats: Number.NaN }, "data.seats", "must be text, a finite number or true/false"],
  ])("%s", (_, data, field, message) => {
    const result = extractCustomData(data, SEED_DATA_KEYS);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.field).toBe(field);
    if (message !== undefined) expect(result.message).toBe(message);
  });
});
