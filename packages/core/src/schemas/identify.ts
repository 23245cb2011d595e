import { z } from "zod";
import { email, optionalText, referralCode, visitorId } from "./common.js";

/**
 * A site's hostname, as the browser puts it in the Origin header: lowercase labels of letters, digits and
 * hyphens (an IPv4 address passes too). Subdomains are allowed with it, so no wildcard is needed.
 */
export const siteDomain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253, "must be at most 253 characters")
  .regex(
    /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/,
    "must be a hostname like www.example.com (no scheme, port, path or wildcard)",
  );

export const MAX_ALLOWED_DOMAINS = 20;

/** The sites allowed to call identify for a campaign; [] turns identify off. */
export const allowedDomains = z
  .array(siteDomain)
  .max(MAX_ALLOWED_DOMAINS, `at most ${MAX_ALLOWED_DOMAINS} domains`)
  .refine((list) => new Set(list).size === list.length, "domains must be unique");

/** What the pixel posts to /api/v1/collect/identify: the person signed in on the site, and their browser. */
export const pixelIdentifyInput = z.object({
  k: z.string().min(1).max(64),
  vid: visitorId,
  email,
  name: optionalText(100),
  extra_field: optionalText(200),
  extra_field_2: optionalText(200),
  refs: z
    .array(z.object({ code: referralCode, ts: z.number().int().nonnegative() }))
    .max(2, "must hold at most 2 referrals")
    .default([]),
});
export type PixelIdentifyInput = z.infer<typeof pixelIdentifyInput>;
