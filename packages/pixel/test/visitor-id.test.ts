import { afterEach, expect, it, vi } from "vitest";
import { visitorId } from "../src/visitor-id.js";

afterEach(() => {
  vi.useRealTimers();
});

it("is 25 URL-safe characters: the time in base32, then 16 random ones", () => {
  vi.useFakeTimers({ now: Date.UTC(2026, 11, 2, 16, 0, 0), toFake: ["Date"] });
  const id = visitorId();
  expect(id).toMatch(/^[0-9a-v]{9}[A-Za-z0-9_-]{16}$/);
  expect(Number.parseInt(id.slice(0, 9), 32)).toBe(Date.UTC(2026, 11, 2, 16, 0, 0));
});

it("sorts by the time it was made, as the server's index of visits orders it", () => {
  const made: string[] = [];
  for (const at of [
    Date.UTC(2026, 0, 1),
    Date.UTC(2026, 0, 1) + 1,
    Date.UTC(2026, 5, 1),
    Date.UTC(2031, 0, 1),
  ]) {
    vi.useFakeTimers({ now: at, toFake: ["Date"] });
    made.push(visitorId());
  }
  // Byte order, as SQLite's index compares them.
  expect([...made].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(made);
});

it("differs between visitors who arrive in the same millisecond", () => {
  vi.useFakeTimers({ now: Date.UTC(2026, 11, 2), toFake: ["Date"] });
  const ids = new Set(Array.from({ length: 1000 }, () => visitorId()));
  expect(ids.size).toBe(1000);
});
