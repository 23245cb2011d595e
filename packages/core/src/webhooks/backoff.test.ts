import { describe, expect, it } from "vitest";
import { ENDPOINT_DISABLE_AFTER_MS, nextAttemptDelayMs, RETRY_SCHEDULE_MS, retryAfterMs } from "./backoff.js";

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const DAY = 24 * H;
const middle = () => 0.5; // no jitter

describe("nextAttemptDelayMs", () => {
  it.each([
    [1, 5 * S],
    [2, 5 * MIN],
    [3, 30 * MIN],
    [4, 2 * H],
    [5, 5 * H],
    [6, 10 * H],
    [7, 10 * H],
    [8, 10 * H],
    [9, 10 * H],
    [10, 10 * H],
    [11, 10 * H],
    [12, null],
    [13, null],
    [100, null],
  ])("after %i failed attempts waits %s ms", (attempt, expected) => {
    expect(nextAttemptDelayMs(attempt, middle)).toBe(expected);
  });

  it("retries for about 3 days in total, then gives up", () => {
    let total = 0;
    let attempt = 1;
    for (
      let delay = nextAttemptDelayMs(attempt, middle);
      delay !== null;
      delay = nextAttemptDelayMs(attempt, middle)
    ) {
      total += delay;
      attempt++;
    }
    expect(attempt).toBe(12); // the 12th failure is final
    expect(total).toBe(67 * H + 35 * MIN + 5 * S);
    expect(total).toBeGreaterThan(2.5 * DAY);
    expect(total).toBeLessThan(3 * DAY);
  });

  it.each([
    ["lowest random", () => 0, 0.8],
    ["highest random", () => 0.999999, 1.2],
    ["middle random", () => 0.5, 1],
    ["quarter random", () => 0.25, 0.9],
  ])("jitters by at most 20%% (%s)", (_name, random, factor) => {
    RETRY_SCHEDULE_MS.forEach((base, i) => {
      const delay = nextAttemptDelayMs(i + 1, random);
      expect(delay).not.toBeNull();
      expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
      expect(delay).toBeLessThanOrEqual(Math.ceil(base * 1.2));
      expect((delay as number) / base).toBeCloseTo(factor, 4);
    });
  });

  it("is deterministic given the random source", () => {
    const seq = [0.1, 0.9, 0.3];
    const run = () => seq.map((r, i) => nextAttemptDelayMs(i + 1, () => r));
    expect(run()).toEqual(run());
    expect(run()).toEqual([4200, 348_000, 1_656_000]);
  });

  it.each([0, -1, 1.5, Number.NaN])("rejects attempt %s", (attempt) => {
    expect(() => nextAttemptDelayMs(attempt, middle)).toThrow(RangeError);
  });
});

describe("retryAfterMs", () => {
  const now = Date.UTC(2024, 5, 1, 12, 0, 0); // Sat, 01 Jun 2024 12:00:00 GMT
  it.each<[string, string | undefined, number | null]>([
    ["absent", undefined, null],
    ["empty", "", null],
    ["seconds", "120", 120 * S],
    ["zero seconds", "0", 0],
    ["seconds with spaces", " 30 ", 30 * S],
    ["exactly 24 h", "86400", DAY],
    ["over 24 h", "86401", null],
    ["negative", "-5", null],
    ["fractional", "1.5", null],
    ["garbage", "soon", null],
    ["IMF-fixdate", "Sat, 01 Jun 2024 12:10:00 GMT", 10 * MIN],
    ["IMF-fixdate now", "Sat, 01 Jun 2024 12:00:00 GMT", 0],
    ["IMF-fixdate in the past", "Sat, 01 Jun 2024 11:59:59 GMT", null],
    ["IMF-fixdate over 24 h away", "Sun, 02 Jun 2024 12:00:01 GMT", null],
    ["IMF-fixdate not GMT", "Sat, 01 Jun 2024 12:10:00 PST", null],
    ["impossible date", "Fri, 31 Feb 2024 12:10:00 GMT", null],
    ["RFC 850 date", "Saturday, 01-Jun-24 13:00:00 GMT", H],
    ["asctime date", "Sat Jun  1 12:00:30 2024", 30 * S],
    ["ISO date (not an HTTP-date)", "2024-06-01T12:10:00Z", null],
  ])("%s: %j → %s", (_name, header, expected) => {
    expect(retryAfterMs(header, now)).toBe(expected);
  });
});

describe("ENDPOINT_DISABLE_AFTER_MS", () => {
  it("is 5 days, longer than one message's retries so a single bad message cannot disable an endpoint", () => {
    expect(ENDPOINT_DISABLE_AFTER_MS).toBe(5 * DAY);
    expect(ENDPOINT_DISABLE_AFTER_MS).toBeGreaterThan(RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0) * 1.2);
  });
});
