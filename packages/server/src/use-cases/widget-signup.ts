import type { CampaignRow, DB, Kysely, SubscriberRow } from "@vouch/db";
import { chooseJoiningReferrer } from "./choose-joining-referrer.js";
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

/** Joining through the signup widget: the ambassador (referred by whoever referred this browser) and a session. */
export async function widgetSignup(
  db: Kysely<DB>,
  campaign: CampaignRow,
  input: WidgetSignupInput,
  now: number,
): Promise<WidgetSignupOutcome> {
  // 1. Who referred this visitor: the cookie's referrals and the visits recorded for the visitor id, chosen
  //    as conversions are (the campaign's first/last rule, its window, never oneself).
  const referrer = await chooseJoiningReferrer(db, campaign, input, now);
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
    "widget",
    { verify: campaign.double_opt_in === 1 },
  );
  // 3. A session, so the widget shows the ambassador view now and on later visits.
  const session = await createWidgetSession(db, outcome.subscriber, now);
  return { created: outcome.created, subscriber: outcome.subscriber, session };
}
