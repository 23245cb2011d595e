// The token buckets behind identify's limits, on a fake clock.
import { describe, expect, it } from "vitest";
import { RateLimiter } from "../src/http/rate-limit.js";

const T0 = 1_000_000;

describe("RateLimiter", () => {
  it("allows the limit at once, then says how long to wait for the next token", () => {
    const limiter = new RateLimiter({ limit: 10, perMs: 60_000 });
    const waits = Array.from({ length: 12 }, () => limiter.take("v1", T0));
    expect(waits).toEqual([...Array(10).fill(0), 6_000, 6_000]);
    expect(limiter.take("v1", T0 + 2_000)).toBe(4_000);
    expect(limiter.take("v1", T0 + 6_000)).toBe(0);
    expect(limiter.take("v1", T0 + 6_000)).toBe(6_000);
  });

  it("refills steadily up to the limit, never beyond", () => {
    const limiter = new RateLimiter({ limit: 3, perMs: 3_000 });
    for (let i = 0; i < 3; i++) expect(limiter.take("ip", T0)).toBe(0);
    // An hour later the bucket holds 3 again, not 3,600.
    const later = T0 + 3_600_000;
    expect([1, 2, 3, 4].map(() => limiter.take("ip", later))).toEqual([0, 0, 0, 1_000]);
  });

  it("keeps keys apart", () => {
    const limiter = new RateLimiter({ limit: 1, perMs: 60_000 });
    expect(limiter.take("a", T0)).toBe(0);
    expect(limiter.take("a", T0)).toBeGreaterThan(0);
    expect(limiter.take("b", T0)).toBe(0);
  });

  it("stays bounded under a flood of keys, forgetting the least recently used", () => {
    const limiter = new RateLimiter({ limit: 1, perMs: 60_000, maxKeys: 100 });
    expect(limiter.take("busy", T0)).toBe(0);
    for (let i = 0; i < 1_000; i++) limiter.take(`flood-${i}`, T0 + 1);
    const size = (limiter as unknown as { fullAt: Map<string, unknown> }).fullAt.size;
    expect(size).toBeLessThanOrEqual(100);
    // "busy" was the oldest: forgotten, so it may go again (a full bucket carries no information anyway).
    expect(limiter.take("flood-999", T0 + 2)).toBeGreaterThan(0);
  });
});
