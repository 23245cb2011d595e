// One-click join links for known customers: the owner's page URL with ReferralHero's `rh_email` plus `rh_exp`
// (unix seconds) and `rh_sig`, an HMAC-SHA256 under the campaign's join-link secret. Without the signature
// anyone could put anyone's email in the link and open their ambassador dashboard.
import { createHmac, timingSafeEqual } from "node:crypto";
import { randomToken } from "./ids.js";

export const JOIN_LINK_SECRET_PREFIX = "vjl_";
/** The query parameters a join link carries; the widget removes them from the address bar once read. */
export const JOIN_LINK_PARAMS = ["rh_email", "rh_name", "rh_exp", "rh_sig"] as const;

export interface JoinLinkClaims {
  campaignId: string;
  /** Trimmed and lowercased, as Vouch stores emails. */
  email: string;
  /** Trimmed; "" when the link names nobody. Only used when the ambassador is new. */
  name: string;
  /** Expiry, unix seconds, as the decimal string the link carries. */
  exp: string;
}

/** A new secret: "vjl_" + 40 base32 characters (200 random bits). */
export function newJoinLinkSecret(random?: (n: number) => Uint8Array): string {
  return JOIN_LINK_SECRET_PREFIX + randomToken(40, random);
}

/**
 * The signed text: "v1", campaign id, email, expiry and name, one per line. The name goes last so that any
 * character in it (a newline too) cannot shift the other fields.
 */
export function joinLinkMessage(claims: JoinLinkClaims): string {
  return ["v1", claims.campaignId, claims.email, claims.exp, claims.name].join("\n");
}

/** `rh_sig`: base64url (no padding) of HMAC-SHA256 keyed with the secret's UTF-8 bytes. 43 characters. */
export function signJoinLink(secret: string, claims: JoinLinkClaims): string {
  return createHmac("sha256", secret).update(joinLinkMessage(claims)).digest("base64url");
}

/**
 * Compares the text in constant time: base64 of 32 bytes leaves 2 spare bits, so comparing decoded bytes
 * would accept 4 spellings of one signature.
 */
export function joinLinkSignatureMatches(secret: string, claims: JoinLinkClaims, signature: string): boolean {
  const expected = Buffer.from(signJoinLink(secret, claims));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The page URL with the link's parameters set (its other parameters and fragment kept). */
export function joinLinkUrl(pageUrl: string, claims: JoinLinkClaims, signature: string): string {
  const url = new URL(pageUrl);
  for (const name of JOIN_LINK_PARAMS) url.searchParams.delete(name);
  url.searchParams.set("rh_email", claims.email);
  if (claims.name) url.searchParams.set("rh_name", claims.name);
  url.searchParams.set("rh_exp", claims.exp);
  url.searchParams.set("rh_sig", signature);
  return url.toString();
}
