// A known customer opens the one-click join link the owner sent them: they become (or are found as) an
// ambassador and are signed in to the widgets. A join link is never a referral.
import { type JoinLinkClaims, joinLinkSignatureMatches, type WidgetJoinInput } from "@vouch/core";
import {
  type CampaignRow,
  type DB,
  type Dialect,
  getJoinLinkSecret,
  type Kysely,
  type SubscriberRow,
  upsertVisitorLink,
} from "@vouch/db";
import { AppError } from "../errors.js";
import { createSubscriber } from "./create-subscriber.js";
import { verifySubscriber } from "./verify-subscriber.js";
import { createWidgetSession, type WidgetSession } from "./widget-session.js";

export interface JoinWithLinkOutcome {
  created: boolean;
  subscriber: SubscriberRow;
  session: WidgetSession;
  /** Whether webhook messages were written (the webhook worker should look now). */
  outboxWritten: boolean;
}

export async function joinWithLink(
  db: Kysely<DB>,
  dialect: Dialect,
  campaign: CampaignRow,
  input: WidgetJoinInput,
  now: number,
): Promise<JoinWithLinkOutcome> {
  // 1. The link must be signed with this campaign's current secret. A campaign that never had one issued
  //    no link; one signed for another campaign, email or name, or before a rotation, does not match.
  const claims: JoinLinkClaims = {
    campaignId: campaign.id,
    email: input.rh_email,
    name: input.rh_name ?? "",
    exp: input.rh_exp,
  };
  const secret = await getJoinLinkSecret(db, campaign.id);
  if (!secret || !joinLinkSignatureMatches(secret.secret, claims, input.rh_sig)) {
    throw new AppError(
      "join_link_invalid",
      "this join link is not valid for this referral program (its signature does not match)",
      "rh_sig",
    );
  }
  // 2. Checked after the signature, so that only a genuine link is ever called expired.
  const expiresAt = Number(input.rh_exp) * 1000;
  if (expiresAt <= now) {
    throw new AppError(
      "join_link_expired",
      `this join link expired on ${new Date(expiresAt).toISOString()}; ask for a new one`,
      "rh_exp",
    );
  }
  // 3. The ambassador: an existing one is returned unchanged. No referrer, whatever referral the browser
  //    carries or whoever its visitor id came through: the owner invited this customer, nobody referred them.
  //    No double opt-in either: the link reached this address by the owner's email, which proves it.
  const outcome = await createSubscriber(
    db,
    campaign,
    { email: input.rh_email, name: input.rh_name },
    now,
    "join_link",
  );
  //    For the same reason, an ambassador still waiting to confirm their email (double opt-in) is confirmed,
  //    with the rewards their friends earned meanwhile.
  let subscriber = outcome.subscriber;
  let outboxWritten = outcome.created;
  if (subscriber.verification_pending) {
    const confirmed = await verifySubscriber(db, dialect, subscriber, campaign, now);
    subscriber = confirmed.subscriber;
    outboxWritten ||= confirmed.outboxWritten;
  }
  // 4. Opening their own emailed link ties this browser to them, as identify() does: their own later
  //    conversions from it are self-referrals.
  if (input.vid) {
    await upsertVisitorLink(db, {
      campaign_id: campaign.id,
      visitor_id: input.vid,
      subscriber_id: subscriber.id,
      created_at: now,
    });
  }
  // 5. A session, so that the widgets show the ambassador view now and on later visits.
  const session = await createWidgetSession(db, subscriber, now);
  return { created: outcome.created, subscriber, session, outboxWritten };
}
