import { chooseReferrer, normalizeReferralCode, type ReferralCandidate, SOURCE_DIRECT } from "@vouch/core";
import {
  type CampaignRow,
  type DB,
  getSubscriberByCode,
  type Kysely,
  listReferredVisitsOf,
  type SubscriberRow,
} from "@vouch/db";
import { createSubscriber } from "./create-subscriber.js";
import { createWidgetSession, type WidgetSession } from "./widget-session.js";

export interface WidgetSignupInput {
  email: string;
  name?: string | undefined;
  extra_field?: string | undefined;
  extra_field_2?: string | undefined;
  /** The pixel's visitor id on the site, when the tracking code is installed. */
  vid?: string | undefined;
  /** The referrals the pixel's cookie remembers (first and last), or the page's ?mwr=. */
  refs: ReadonlyArray<{ code: string; ts: number }>;
}

export type WidgetSignupOutcome = {
  created: boolean;
  subscriber: SubscriberRow;
  session: WidgetSession;
};

const DAY_MS = 86_400_000;

/** Joining through the signup widget: the ambassador (referred by whoever referred this browser) and a session. */
export async function widgetSignup(
  db: Kysely<DB>,
  campaign: CampaignRow,
  input: WidgetSignupInput,
  now: number,
): Promise<WidgetSignupOutcome> {
  // 1. Who referred this visitor: the cookie's referrals and the visits recorded for the visitor id, chosen
  //    as conversions are (the campaign's first/last rule, its window, never oneself).
  const referrer = await referrerOf(db, campaign, input, now);
  // 2. The ambassador: an existing one with this email is returned unchanged.
  const outcome = await createSubscriber(
    db,
    campaign,
    {
      email: input.email,
      name: input.name,
      extra_field: input.extra_field,
      extra_field_2: input.extra_field_2,
      referrer: referrer?.subscriberId,
    },
    now,
  );
  // 3. A session, so the widget shows the ambassador view now and on later visits.
  const session = await createWidgetSession(db, outcome.subscriber, now);
  return { created: outcome.created, subscriber: outcome.subscriber, session };
}

async function referrerOf(
  db: Kysely<DB>,
  campaign: CampaignRow,
  input: WidgetSignupInput,
  now: number,
): Promise<ReferralCandidate | undefined> {
  const candidates: ReferralCandidate[] = [];
  for (const ref of input.refs) {
    const sub = await getSubscriberByCode(db, campaign.id, normalizeReferralCode(ref.code));
    if (sub) {
      candidates.push({
        subscriberId: sub.id,
        subscriberEmail: sub.email,
        code: sub.code,
        at: ref.ts,
        source: SOURCE_DIRECT,
      });
    }
  }
  if (input.vid) {
    const since = now - campaign.cookie_window_days * DAY_MS;
    for (const v of await listReferredVisitsOf(db, [campaign.id], [input.vid], since)) {
      candidates.push({
        subscriberId: v.subscriber_id,
        subscriberEmail: v.email,
        code: v.code,
        at: v.created_at,
        source: v.source,
      });
    }
  }
  const outcome = chooseReferrer({
    candidates,
    mode: campaign.attribution,
    windowDays: campaign.cookie_window_days,
    now,
    convertingEmail: input.email,
  });
  return outcome.kind === "referred" ? outcome.referral : undefined;
}
