import { z } from "zod";
import {
  currency,
  eventName,
  optionalEmail,
  optionalText,
  prefixedId,
  referralCode,
  visitorId,
} from "./common.js";

const MAX_AMOUNT = 1e12;

/** The seed's event data: every field optional; amount as a number (or a numeric string). */
export const conversionData = {
  email: optionalEmail,
  first_name: optionalText(100),
  last_name: optionalText(100),
  currency: z.preprocess((v) => (v === "" || v === null ? undefined : v), currency.optional()),
  amount: z.preprocess(
    (v) => (v === "" || v === null ? undefined : typeof v === "string" && v.trim() !== "" ? Number(v) : v),
    z
      .number("must be a number")
      .refine((n) => Number.isFinite(n), "must be a finite number")
      .refine((n) => n >= 0, "must not be negative")
      .refine((n) => n <= MAX_AMOUNT, "must be at most 1000000000000")
      .optional(),
  ),
  transaction_id: z.preprocess(
    (v) => (typeof v === "number" && Number.isFinite(v) ? String(v) : v),
    optionalText(128),
  ),
};

/** What the pixel posts to /api/v1/collect/track. Unknown data fields are ignored. */
export const pixelTrackInput = z.object({
  k: z.string().min(1).max(64),
  vid: visitorId.optional(),
  event: eventName,
  data: z.object(conversionData).default({}),
  refs: z
    .array(z.object({ code: referralCode, ts: z.number().int().nonnegative() }))
    .max(2)
    .default([]),
});
export type PixelTrackInput = z.infer<typeof pixelTrackInput>;

/** Server-side tracking: the same fields plus at most one way of naming the referrer. */
export const apiConversionInput = z
  .strictObject({
    event: eventName,
    ...conversionData,
    referral_code: referralCode.optional(),
    subscriber_id: prefixedId("sub").optional(),
    visitor_id: visitorId.optional(),
    /** Custom fields (e.g. {"plan": "PRO"}), checked by the custom-data schema. */
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((v, ctx) => {
    const given = (["referral_code", "subscriber_id", "visitor_id"] as const).filter(
      (k) => v[k] !== undefined,
    );
    if (given.length > 1) {
      ctx.addIssue({
        code: "custom",
        path: [given[1] as string],
        message: "give only one of referral_code, subscriber_id, visitor_id",
      });
    }
  });
export type ApiConversionInput = z.infer<typeof apiConversionInput>;

/** What the pixel posts to /api/v1/collect/visit on a landing with ?mwr=CODE. */
export const pixelVisitInput = z.object({
  k: z.string().min(1).max(64),
  vid: visitorId,
  code: referralCode,
  url: z.string().max(2048),
  referrer: z.string().max(2048).optional().nullable(),
});
export type PixelVisitInput = z.infer<typeof pixelVisitInput>;

export const listConversionsQuery = z.strictObject({
  format: z.enum(["json", "csv"]).default("json"),
});
