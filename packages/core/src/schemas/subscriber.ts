import { z } from "zod";
import { email, optionalText, text } from "./common.js";

export const createSubscriberInput = z.strictObject({
  email,
  name: optionalText(100),
  extra_field: optionalText(200),
  extra_field_2: optionalText(200),
  /** The referring ambassador: their referral code or subscriber id. */
  referrer: optionalText(64),
  /**
   * false: the ambassador is sent a link to confirm their email and earns no rewards until they do. Unset or
   * true: the owner vouches for them, verified from the start.
   */
  verified: z.boolean("must be true or false").optional(),
});
export type CreateSubscriberInput = z.infer<typeof createSubscriberInput>;

/** Text the owner may correct or clear: a string sets it (trimmed), null or "" clears it. */
const clearableText = (max: number) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? null : v), text(max).nullable()).optional();

/** The owner's corrections to an ambassador: every field optional, with the bounds of creation. */
export const updateSubscriberInput = z.strictObject({
  email: email.optional(),
  name: clearableText(100),
  extra_field: clearableText(200),
  extra_field_2: clearableText(200),
});
export type UpdateSubscriberInput = z.infer<typeof updateSubscriberInput>;

export const listSubscribersQuery = z.strictObject({
  search: z.string().trim().max(254).optional(),
  sort: z.enum(["people_referred", "created_at"]).default("created_at"),
  order: z.enum(["asc", "desc"]).default("desc"),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type ListSubscribersQuery = z.infer<typeof listSubscribersQuery>;
