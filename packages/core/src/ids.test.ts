import { describe, expect, it } from "vitest";
import { newId } from "./ids.js";

describe("newId", () => {
  it("is the prefix, 10 characters of time and 16 random ones, in Crockford base32", () => {
    expect(newId("cnv", Date.UTC(2026, 11, 2))).toMatch(/^cnv_[0-9a-hjkmnp-tv-z]{26}$/);
  });

  it("never repeats, even for many ids in one millisecond drawn across several pools of random bytes", () => {
    const now = Date.UTC(2026, 11, 2);
    const ids = Array.from({ length: 20_000 }, () => newId("vis", now));
    expect(new Set(ids).size).toBe(ids.length);
    // The random part is spread over the whole alphabet, not stuck on a refilled pool's first bytes.
    const firstRandom = new Set(ids.map((id) => id[14]));
    expect(firstRandom.size).toBe(32);
  });

  it("sorts by time", () => {
    const earlier = newId("sub", Date.UTC(2026, 0, 1));
    const later = newId("sub", Date.UTC(2026, 0, 1) + 1);
    expect(earlier < later).toBe(true);
  });
});
