import { describe, expect, it } from "vitest";
import { currencyExponent, fromMinorUnits, isCurrency, toMinorUnits } from "./money.js";

describe("isCurrency", () => {
  it.each([
    ["USD", true],
    ["EUR", true],
    ["JPY", true],
    ["XCG", true],
    ["ZWG", true],
    ["SLE", true],
    ["CLF", true],
    ["usd", false],
    ["ANG", false],
    ["HRK", false],
    ["ZWL", false],
    ["XAU", false],
    ["XXX", false],
    ["US", false],
    ["USDX", false],
    ["", false],
    ["toString", false],
  ])("%s → %s", (code, expected) => {
    expect(isCurrency(code)).toBe(expected);
  });
});

describe("currencyExponent", () => {
  it.each([
    ["USD", 2],
    ["GBP", 2],
    ["JPY", 0],
    ["KRW", 0],
    ["VND", 0],
    ["CLP", 0],
    ["ISK", 0],
    ["XAF", 0],
    ["XOF", 0],
    ["XPF", 0],
    ["UGX", 0],
    ["VUV", 0],
    ["BHD", 3],
    ["IQD", 3],
    ["JOD", 3],
    ["KWD", 3],
    ["LYD", 3],
    ["OMR", 3],
    ["TND", 3],
    ["CLF", 4],
    ["UYW", 4],
  ])("%s has %i decimals", (code, expected) => {
    expect(currencyExponent(code)).toBe(expected);
  });

  it.each(["ABC", "usd", "", "constructor"])("throws for unknown code %j", (code) => {
    expect(() => currencyExponent(code)).toThrow(RangeError);
  });
});

describe("toMinorUnits", () => {
  it.each([
    [15.7, "USD", 1570],
    [19.99, "USD", 1999],
    [0.1 + 0.2, "USD", 30],
    [1.1 + 2.2, "EUR", 330],
    [4.35, "USD", 435],
    [1.15, "USD", 115],
    [8.2, "USD", 820],
    [0.07, "USD", 7],
    [1.005, "USD", 101],
    [1.004, "USD", 100],
    [0.005, "USD", 1],
    [0.0049, "USD", 0],
    [1e-7, "USD", 0],
    [5e-3, "USD", 1],
    [0, "USD", 0],
    [1000, "JPY", 1000],
    [1000.5, "JPY", 1001],
    [1000.49, "JPY", 1000],
    [1.234, "BHD", 1234],
    [1.2345, "BHD", 1235],
    [0.0001, "CLF", 1],
    [123.45678, "CLF", 1234568],
    [1e12, "USD", 100_000_000_000_000],
    [1e12, "BHD", 1_000_000_000_000_000],
    [999_999_999_999.99, "USD", 99_999_999_999_999],
    [-15.7, "USD", -1570],
    [-0.005, "USD", -1],
  ])("%d %s → %d", (amount, currency, expected) => {
    expect(toMinorUnits(amount, currency)).toBe(expected);
  });

  it("never returns -0", () => {
    expect(Object.is(toMinorUnits(-0.001, "USD"), 0)).toBe(true);
  });

  it.each([
    [Number.NaN, "USD"],
    [Number.POSITIVE_INFINITY, "USD"],
    [1e20, "USD"],
    // 1e12 is within the caller's bound, but with 4 decimals it is past 2^53 minor units.
    [1e12, "CLF"],
    [1, "XYZ"],
  ])("throws for %d %s", (amount, currency) => {
    expect(() => toMinorUnits(amount, currency)).toThrow(RangeError);
  });

  it("gives every whole-cent amount back exactly", () => {
    for (let cents = 0; cents <= 200_000; cents += 7) {
      const amount = Number((cents / 100).toFixed(2));
      expect(toMinorUnits(amount, "USD")).toBe(cents);
    }
  });
});

describe("fromMinorUnits", () => {
  it.each([
    [1570, "USD", 15.7],
    [1999, "USD", 19.99],
    [7, "USD", 0.07],
    [0, "USD", 0],
    [1000, "JPY", 1000],
    [1234, "BHD", 1.234],
    [1, "CLF", 0.0001],
    [-1570, "USD", -15.7],
    [99_999_999_999_999, "USD", 999_999_999_999.99],
  ])("%d %s → %d", (minor, currency, expected) => {
    expect(fromMinorUnits(minor, currency)).toBe(expected);
  });

  it("serialises as the pixel's amount", () => {
    expect(JSON.stringify({ amount: fromMinorUnits(1570, "USD") })).toBe('{"amount":15.7}');
  });

  it.each([
    [1.5, "USD"],
    [2 ** 53, "USD"],
    [100, "XYZ"],
  ])("throws for %d %s", (minor, currency) => {
    expect(() => fromMinorUnits(minor, currency)).toThrow(RangeError);
  });

  it("round-trips with toMinorUnits", () => {
    for (const [minor, currency] of [
      [1, "USD"],
      [1999, "EUR"],
      [123_456_789, "KWD"],
      [42, "JPY"],
      [98_765, "UYW"],
    ] as const) {
      expect(toMinorUnits(fromMinorUnits(minor, currency), currency)).toBe(minor);
    }
  });
});
