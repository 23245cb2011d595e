import { z } from "zod";
import { email, httpUrl, optionalText, visitorId } from "./common.js";

export const MAX_JOIN_LINK_DAYS = 366;

/** The owner asks Vouch for a join link: POST /api/v1/campaigns/:id/join-links. */
export const createJoinLinkInput = z.strictObject({
  email,
  name: optionalText(100),
  /** The page with the widget; default the campaign's URL. A join link never carries a referral code. */
  url: httpUrl
    .refine((v) => !new URL(v).searchParams.has("mwr"), "must not carry a referral code (mwr)")
    .optional(),
  expires_in_days: z.number().int().min(1).max(MAX_JOIN_LINK_DAYS).default(30),
});
export type CreateJoinLinkInput = z.infer<typeof createJoinLinkInput>;

/** What the widget posts to /api/v1/widget/:publicKey/join: the link's parameters, as strings from the URL. */
export const widgetJoinInput = z.object({
  rh_email: email,
  rh_name: optionalText(100),
  rh_exp: z.string().regex(/^\d{1,12}$/, "must be the link's expiry, a unix time in seconds"),
  rh_sig: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "must be the link's 43-character signature"),
  /** The pixel's visitor id on the site; a stale one is dropped, never refused. */
  vid: visitorId.optional().catch(undefined),
});
export type WidgetJoinInput = z.infer<typeof widgetJoinInput>;
