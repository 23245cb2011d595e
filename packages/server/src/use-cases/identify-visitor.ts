// rht("identify") on the customer's site: the signed-in person becomes (or is found as) an ambassador, and the
// browser is linked to them.
import type { PixelIdentifyInput } from "@vouch/core";
import {
  type CampaignRow,
  type DB,
  getSubscriberByEmail,
  type Kysely,
  type SubscriberRow,
  upsertVisitorLink,
} from "@vouch/db";
import { chooseJoiningReferrer } from "./choose-joining-referrer.js";
import { createSubscriber } from "./create-subscriber.js";

export type IdentifyVisitorInput = Omit<PixelIdentifyInput, "k">;

export interface IdentifyVisitorOutcome {
  created: boolean;
  subscriber: SubscriberRow;
}

/**
 * Creates the ambassador for this email — referred by whoever referred this browser — or finds the existing
 * one, unchanged; then links the browser's visitor id to them, so that their own later conversions from it
 * are self-referrals whatever email they carry.
 */
export async function identifyVisitor(
  db: Kysely<DB>,
  campaign: CampaignRow,
  input: IdentifyVisitorInput,
  now: number,
): Promise<IdentifyVisitorOutcome> {
  // 1. An ambassador with this email already: nothing of theirs changes, not even who referred them.
  const existing = await getSubscriberByEmail(db, campaign.id, input.email);
  let outcome: IdentifyVisitorOutcome;
  if (existing) outcome = { created: false, subscriber: existing };
  else {
    // 2. Who referred this browser, chosen as its conversions would be.
    const referrer = await chooseJoiningReferrer(db, campaign, input, now);
    // 3. The ambassador and their new_registration message, in one transaction (a concurrent identify of
    //    the same email gets the same ambassador back).
    outcome = await createSubscriber(
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
      "identify",
      { verify: campaign.double_opt_in === 1 },
    );
  }
  // 4. The link, after the ambassador is committed: should it fail, the site's next identify repeats it.
  await upsertVisitorLink(db, {
    campaign_id: campaign.id,
    visitor_id: input.vid,
    subscriber_id: outcome.subscriber.id,
    created_at: now,
  });
  return outcome;
}
