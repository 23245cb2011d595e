// One-click join links, signed on the owner's own server. Self-contained (node:crypto only), like the rest of
// this package; the test checks it against what the Vouch server verifies.
import { createHmac } from "node:crypto";

export interface JoinLinkOptions {
  /** The campaign's join-link secret ("vjl_…"): GET /api/v1/campaigns/:id/join-link-secret. Server-side only. */
  secret: string;
  /** The campaign id ("cmp_…"). */
  campaignId: string;
  /** The page of your site with the Vouch widget, e.g. "https://www.example.com/refer". */
  url: string;
  email: string;
  /** The ambassador's name, used only when they are new to the program; at most 100 characters. */
  name?: string;
  /** When the link stops working: a Date, or unix seconds. Default: 30 days from now. */
  expiresAt?: Date | number;
}

const DEFAULT_LIFETIME_S = 30 * 86_400;
const PARAMS = ["rh_email", "rh_name", "rh_exp", "rh_sig"];

/**
 * `rh_sig` for a join link: base64url (no padding) of HMAC-SHA256, keyed with the secret's UTF-8 bytes, of
 * "v1\n<campaign id>\n<email>\n<exp>\n<name>" — email trimmed and lowercased, name trimmed ("" for none),
 * exp in unix seconds.
 */
export function signJoinLink(
  secret: string,
  claims: { campaignId: string; email: string; name?: string; exp: number },
): string {
  if (!secret) throw new TypeError("The join-link secret is empty; read it from the Vouch API");
  if (!Number.isSafeInteger(claims.exp) || claims.exp < 0)
    throw new TypeError("exp must be a unix time in whole seconds");
  const message = [
    "v1",
    claims.campaignId,
    claims.email.trim().toLowerCase(),
    String(claims.exp),
    claims.name?.trim() ?? "",
  ].join("\n");
  return createHmac("sha256", secret).update(message).digest("base64url");
}

/**
 * The page URL with rh_email (ReferralHero's parameter), rh_name, rh_exp and rh_sig: opening it makes the
 * customer an ambassador (or finds them) and shows their dashboard in the widget. Never a referral.
 */
export function joinLink(options: JoinLinkOptions): string {
  const email = options.email.trim().toLowerCase();
  const name = options.name?.trim() ?? "";
  const exp =
    options.expiresAt === undefined
      ? Math.floor(Date.now() / 1000) + DEFAULT_LIFETIME_S
      : options.expiresAt instanceof Date
        ? Math.floor(options.expiresAt.getTime() / 1000)
        : Math.floor(options.expiresAt);
  const url = new URL(options.url);
  for (const param of PARAMS) url.searchParams.delete(param);
  url.searchParams.set("rh_email", email);
  if (name) url.searchParams.set("rh_name", name);
  url.searchParams.set("rh_exp", String(exp));
  url.searchParams.set(
    "rh_sig",
    signJoinLink(options.secret, { campaignId: options.campaignId, email, name, exp }),
  );
  return url.toString();
}
