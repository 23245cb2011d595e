// parse() checks input with each schema compiled (z.compile): the compiled check must accept exactly what
// zod's runtime accepts, with the same output, and leave every refusal (and its message) to the runtime.
import { apiConversionInput, createSubscriberInput, pixelTrackInput, pixelVisitInput } from "@vouch/core";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { AppError } from "../errors.js";
import { parse } from "./parse.js";

const track = {
  k: "pk_abcdefghijklmnopqrstuvwx",
  vid: "v_0123456789abcdefghij",
  event: "purchase",
  data: {
    email: "Sara@Example.com",
    first_name: "Sara",
    last_name: "Smith",
    currency: "usd",
    amount: 15.7,
    transaction_id: "tx1",
  },
  refs: [{ code: "mark-abc12", ts: 1_764_670_000_000 }],
};

const trackVariants: unknown[] = [
  track,
  { ...track, vid: undefined, refs: undefined, data: undefined },
  { ...track, event: "  purchase  ", extra: "ignored" },
  { ...track, data: { ...track.data, email: "", first_name: null, currency: "", amount: "" } },
  { ...track, data: { ...track.data, email: "  ", amount: " 12.5 ", transaction_id: 12345 } },
  { ...track, data: { ...track.data, amount: 0, transaction_id: "" } },
  { ...track, data: { email: " Mixed.Case+tag@Example.org ", plan: "PRO" } },
  {
    ...track,
    refs: [
      { code: " abc ", ts: 0, extra: 1 },
      { code: "XYZ", ts: 5 },
    ],
  },
  // Refused, each for its own reason:
  { ...track, data: { ...track.data, email: "nope" } },
  { ...track, data: { ...track.data, amount: -1 } },
  { ...track, data: { ...track.data, amount: 1e12 + 1 } },
  { ...track, data: { ...track.data, amount: "lots" } },
  { ...track, data: { ...track.data, amount: Number.NaN } },
  { ...track, data: { ...track.data, currency: "XXQ" } },
  { ...track, data: { ...track.data, first_name: "x".repeat(101) } },
  { ...track, data: { ...track.data, last_name: "a\u0000b" } },
  { ...track, data: { ...track.data, transaction_id: "t".repeat(129) } },
  { ...track, data: "not an object" },
  { ...track, event: "<script>" },
  { ...track, event: "" },
  { ...track, vid: "a b" },
  { ...track, vid: null },
  { ...track, k: "" },
  { ...track, k: 42 },
  { ...track, refs: [{ code: "a", ts: 1.5 }] },
  {
    ...track,
    refs: [
      { code: "a", ts: 1 },
      { code: "b", ts: 2 },
      { code: "c", ts: 3 },
    ],
  },
  { ...track, refs: [{ code: "no spaces", ts: 1 }] },
  null,
  [],
  "text",
];

const visit = {
  k: "pk_abcdefghijklmnopqrstuvwx",
  vid: "v_0123456789abcdefghij",
  code: "mark-abc12",
  url: "https://site.example/landing?mwr=mark-abc12",
  referrer: "https://twitter.com/",
};

const visitVariants: unknown[] = [
  visit,
  { ...visit, referrer: null },
  { ...visit, referrer: undefined, other: true },
  { ...visit, code: "  lower  " },
  { ...visit, url: "u".repeat(2049) },
  { ...visit, vid: "short" },
  { ...visit, code: undefined },
  { ...visit, referrer: 7 },
];

/** What zod's runtime (not compiled) answers, in parse()'s terms. */
function runtimeAnswer(schema: z.ZodType, value: unknown) {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false };
}

function parseAnswer(schema: z.ZodType, value: unknown) {
  try {
    return { ok: true, value: parse(schema, value) };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { ok: false, error: { code: err.code, field: err.field, message: err.message } };
  }
}

describe("parse() with compiled schemas answers as zod's runtime does", () => {
  const cases: Array<[string, z.ZodType, unknown[]]> = [
    ["pixel conversion", pixelTrackInput, trackVariants],
    ["pixel visit", pixelVisitInput, visitVariants],
    [
      "server-side conversion",
      apiConversionInput,
      [
        { event: "purchase", email: "A@B.co", amount: "3", referral_code: "abc" },
        { event: "purchase", referral_code: "abc", subscriber_id: "sub_1" },
        { event: "purchase", unknown_field: 1 },
      ],
    ],
    [
      "new ambassador",
      createSubscriberInput,
      [{ email: "Mark@Example.com", name: " Mark " }, { email: "" }, { email: "m@x.io", extra: 1 }],
    ],
  ];

  it.each(cases)("%s", (_name, schema, values) => {
    for (const value of values) {
      const expected = runtimeAnswer(schema, value);
      const got = parseAnswer(schema, value);
      expect({ value, ok: got.ok }).toEqual({ value, ok: expected.ok });
      if (expected.ok) expect(got.value).toStrictEqual(expected.value);
      else expect(got.error?.code).toBe("validation_failed");
    }
  });

  it("names the field and the runtime's reason when it refuses", () => {
    expect(parseAnswer(pixelTrackInput, { ...track, data: { ...track.data, email: "nope" } })).toEqual({
      ok: false,
      error: {
        code: "validation_failed",
        field: "data.email",
        message: "data.email must be a valid email address",
      },
    });
    expect(parseAnswer(pixelTrackInput, { ...track, refs: [{ code: "a", ts: 1.5 }] }).error?.field).toBe(
      "refs.0.ts",
    );
  });
});
