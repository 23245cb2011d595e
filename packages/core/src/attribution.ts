// Which ambassador a conversion is credited to. Pure: the caller gathers the candidates (from the
// visitor's cookie and from the server's record of the visitor id) and passes the clock in.

export type AttributionMode = "first" | "last";

export interface ReferralCandidate {
  subscriberId: string;
  subscriberEmail: string;
  code: string;
  /** When the visitor landed through this referral (ms). */
  at: number;
  source: string;
}

export type AttributionOutcome =
  | { kind: "referred"; referral: ReferralCandidate }
  | { kind: "organic"; reason: "no_referral" | "expired" | "self_referral" };

const DAY_MS = 86_400_000;
/** Clocks on visitors' devices drift; a referral stamped a little in the future is still believed. */
const CLOCK_SKEW_MS = 10 * 60_000;

export function chooseReferrer(input: {
  candidates: readonly ReferralCandidate[];
  mode: AttributionMode;
  windowDays: number;
  now: number;
  convertingEmail: string | null;
  /**
   * The ambassador this browser identified as (a visitor link), when there is one: their own browser is
   * theirs whatever email, or none, the conversion carries.
   */
  convertingSubscriberId?: string | null;
}): AttributionOutcome {
  const { candidates, mode, windowDays, now, convertingEmail, convertingSubscriberId } = input;
  if (candidates.length === 0) return { kind: "organic", reason: "no_referral" };

  const oldest = now - windowDays * DAY_MS;
  const inWindow = candidates.filter((c) => c.at >= oldest && c.at <= now + CLOCK_SKEW_MS);
  if (inWindow.length === 0) return { kind: "organic", reason: "expired" };

  // A person never earns credit for their own conversion; another referrer of the same visitor still may.
  const others = inWindow.filter(
    (c) =>
      (convertingEmail === null || c.subscriberEmail !== convertingEmail) &&
      c.subscriberId !== convertingSubscriberId,
  );
  if (others.length === 0) return { kind: "organic", reason: "self_referral" };

  let chosen = others[0] as ReferralCandidate;
  for (const c of others) {
    if (mode === "first" ? c.at < chosen.at : c.at > chosen.at) chosen = c;
  }
  return { kind: "referred", referral: chosen };
}

/**
 * The key that makes a converted friend count once for a referrer (people_referred): the email when
 * there is one — the seed's unique identifier — else the browser's visitor id, else the conversion.
 */
export function friendKey(input: {
  email: string | null;
  visitorId: string | null;
  conversionId: string;
}): string {
  if (input.email) return `email:${input.email}`;
  if (input.visitorId) return `visitor:${input.visitorId}`;
  return `conversion:${input.conversionId}`;
}
