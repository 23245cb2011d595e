import { describe, expect, it } from "vitest";
import { generateReferralCode, isReferralCodeShape, normalizeReferralCode } from "./referral-code.js";

const SUFFIX_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A small seeded generator (mulberry32) so runs are repeatable. */
function seeded(seed: number): (n: number) => Uint8Array {
  let state = seed >>> 0;
  return (n) => {
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      bytes[i] = (t ^ (t >>> 14)) & 0xff;
    }
    return bytes;
  };
}

/** Hands out the given bytes in order, so a test can say exactly which characters it expects. */
function scripted(...bytes: number[]): (n: number) => Uint8Array {
  let next = 0;
  return (n) => {
    const out = new Uint8Array(bytes.slice(next, next + n));
    if (out.length < n) throw new Error("scripted random ran out");
    next += n;
    return out;
  };
}

describe("generateReferralCode", () => {
  it.each([
    ["first word of the name", { name: "Mark James", email: "mj@example.com" }, "MARK"],
    ["accents folded", { name: "Élodie Dupré", email: "e@example.com" }, "ELODIE"],
    ["letters NFKD leaves alone", { name: "Łukasz", email: "l@example.com" }, "LUKASZ"],
    ["ß becomes SS", { name: "Weiß", email: "w@example.com" }, "WEISS"],
    ["ligatures", { name: "Æsa", email: "a@example.com" }, "AESA"],
    ["non-letters stripped", { name: "O'Brien-2", email: "o@example.com" }, "OBRIEN"],
    ["at most 8 letters", { name: "Bartholomew", email: "b@example.com" }, "BARTHOLO"],
    ["leading spaces ignored", { name: "   sara  lee", email: "s@example.com" }, "SARA"],
    ["email when no name", { email: "john.smith+promo@example.com" }, "JOHN"],
    ["email when name is null", { name: null, email: "sara@example.com" }, "SARA"],
    ["email when name is blank", { name: "  ", email: "sara@example.com" }, "SARA"],
    ["email when the name has no latin letters", { name: "李明", email: "liming@example.cn" }, "LIMING"],
    ["email when the name is too short", { name: "Al", email: "alex.b@example.com" }, "ALEX"],
    ["whole local part when its first part is short", { email: "j.smith@example.com" }, "JSMITH"],
  ])("prefix: %s", (_, input, prefix) => {
    const code = generateReferralCode(input, seeded(1));
    expect(code).toMatch(new RegExp(`^${prefix}-[${SUFFIX_ALPHABET}]{4}$`));
  });

  it("draws the suffix from the unambiguous alphabet in order", () => {
    expect(generateReferralCode({ name: "Mark", email: "m@example.com" }, scripted(0, 7, 8, 29))).toBe(
      "MARK-29AZ",
    );
  });

  it("rejects bytes that would bias the suffix", () => {
    // 240..255 are past the last whole multiple of 30 and must be skipped, not wrapped.
    expect(
      generateReferralCode({ name: "Mark", email: "m@example.com" }, scripted(240, 255, 0, 1, 2, 3)),
    ).toBe("MARK-2345");
  });

  it.each([
    [
      "no letters anywhere",
      { name: "李明", email: "12345@example.com" },
      scripted(0, 1, 2, 0, 0, 0, 0),
      "ABC-2222",
    ],
    [
      "two letters padded to three",
      { name: "Jo", email: "jo@example.com" },
      scripted(21, 0, 0, 0, 0),
      "JOZ-2222",
    ],
    ["empty name and email", { name: "", email: "" }, scripted(3, 4, 5, 9, 9, 9, 9), "DEF-BBBB"],
  ])("pads from the random source: %s", (_, input, random, expected) => {
    expect(generateReferralCode(input, random)).toBe(expected);
  });

  it("is deterministic for a given random source", () => {
    const input = { name: "Mark James", email: "mark@example.com" };
    const first = generateReferralCode(input, seeded(42));
    expect(generateReferralCode(input, seeded(42))).toBe(first);
    expect(generateReferralCode(input, seeded(43))).not.toBe(first);
  });

  it("is URL-safe, readable and of valid shape over many draws", () => {
    const random = seeded(7);
    const names = ["Mark", "Zoë", "Ødegaard", "", "李", "Jean-Luc", null, "Ａｎｎａ"];
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const code = generateReferralCode(
        { name: names[i % names.length], email: `u${i}@example.com` },
        random,
      );
      const [prefix = "", suffix = ""] = code.split("-");
      expect(encodeURIComponent(code)).toBe(code);
      expect(isReferralCodeShape(code)).toBe(true);
      expect(normalizeReferralCode(code)).toBe(code);
      expect(prefix).toMatch(/^[A-Z]{3,8}$/);
      expect(suffix).toMatch(/^[2-9A-HJKMNP-TV-Z]{4}$/);
      expect(suffix).not.toMatch(/[01ILOU]/);
      seen.add(code);
    }
    // Distinct enough that a retry on collision is rare.
    expect(seen.size).toBeGreaterThan(4990);
  });

  it("fails loudly when the random source never yields a usable byte", () => {
    expect(() =>
      generateReferralCode({ name: "Mark", email: "m@x.com" }, (n) => new Uint8Array(n).fill(255)),
    ).toThrow();
  });
});

describe("normalizeReferralCode", () => {
  it.each([
    ["mark-7k3q", "MARK-7K3Q"],
    ["  MARK-7K3Q\n", "MARK-7K3Q"],
    ["abc-123", "ABC-123"],
    ["", ""],
  ])("%j → %j", (code, expected) => {
    expect(normalizeReferralCode(code)).toBe(expected);
  });
});

describe("isReferralCodeShape", () => {
  it.each([
    ["ABC-123", true],
    ["mark-7k3q", true],
    ["a", true],
    ["A_B", true],
    ["X".repeat(32), true],
    ["X".repeat(33), false],
    ["", false],
    ["ABC 123", false],
    ["ABC/123", false],
    ["ABC%20", false],
    ["ÉLO-1234", false],
    [" ABC", false],
  ])("%j → %s", (code, expected) => {
    expect(isReferralCodeShape(code)).toBe(expected);
  });
});
