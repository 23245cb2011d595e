// Double opt-in links: the verification's id plus an HMAC of it under the server's secret. Nothing secret is
// stored per link, a retried email carries the same link, and a forged or altered link fails the HMAC.
import { createHmac, timingSafeEqual } from "node:crypto";

/** A link works for this long; a new one can be asked for after. */
export const VERIFICATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Links per ambassador: one a minute, at most five a day (each resend is an email to someone's inbox). */
export const VERIFICATION_RESEND = { minIntervalMs: 60_000, perDay: 5 } as const;
const DAY_MS = 86_400_000;

const TOKEN = /^(vrf_[0-9a-z]{26})\.([A-Za-z0-9_-]{43})$/;

function mac(secret: string, id: string): string {
  return createHmac("sha256", secret).update(`vouch-verify-email:${id}`).digest("base64url");
}

/** The token a verification link carries: "<id>.<base64url HMAC-SHA256 of the id>". */
export function verificationToken(secret: string, id: string): string {
  return `${id}.${mac(secret, id)}`;
}

/** The verification id a token names, when its HMAC is right (compared in constant time); else null. */
export function readVerificationToken(secret: string, token: string): string | null {
  const m = TOKEN.exec(token);
  if (!m?.[1] || !m[2]) return null;
  // Compared as text, not decoded bytes: a last character differing only in its unused low bits decodes to the
  // same bytes, and such a variant of a real link should not work too.
  const given = Buffer.from(m[2]);
  const expected = Buffer.from(mac(secret, m[1]));
  return given.length === expected.length && timingSafeEqual(given, expected) ? m[1] : null;
}

/**
 * Milliseconds until another link may be sent, given the links sent in the last 24 hours (how many, the first
 * and the latest); 0 when one may be sent now.
 */
export function verificationResendWaitMs(
  sent: { count: number; oldest: number | null; latest: number | null },
  now: number,
): number {
  const waits = [0];
  if (sent.latest !== null) waits.push(sent.latest + VERIFICATION_RESEND.minIntervalMs - now);
  if (sent.count >= VERIFICATION_RESEND.perDay && sent.oldest !== null)
    waits.push(sent.oldest + DAY_MS - now);
  return Math.max(...waits);
}

export const VERIFICATION_WINDOW_MS = DAY_MS;
