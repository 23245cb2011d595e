// The owner deletes an ambassador (e.g. a GDPR erasure request): their personal data is erased, their referral
// code stops attributing, their sessions end, and subscriber_deleted tells the owner's systems who it was.
import { subscriberDeletedPayload } from "@vouch/core";
import {
  type CampaignRow,
  type DB,
  type Dialect,
  eraseSubscriber,
  type Kysely,
  lockSubscriber,
  revokeSubscriberAccess,
} from "@vouch/db";
import { notFound } from "../errors.js";
import { referrerObject } from "../views/webhook-view.js";
import { enqueueWebhookEvent } from "./enqueue-webhook-event.js";

/**
 * The email a deleted ambassador's row keeps: nobody's address (the .invalid domain is reserved), unique per
 * ambassador so the (campaign, email) index holds, and freeing the real email for a later, new ambassador.
 */
export const deletedEmail = (subscriberId: string) => `${subscriberId}@deleted.invalid`;

/**
 * Erases the ambassador and announces subscriber_deleted in one transaction: all of it commits, or none.
 * The row stays, without personal data, so conversions, rewards and friends counts keep their referrer.
 * Returns whether webhook messages due now were written. A second deletion is a 404.
 */
export async function deleteSubscriber(
  db: Kysely<DB>,
  dialect: Dialect,
  subscriberId: string,
  campaign: CampaignRow,
  now: number,
): Promise<{ outboxWritten: boolean }> {
  return db.transaction().execute(async (trx) => {
    // 1. The ambassador as they were, locked: a concurrent deletion waits, then finds nobody (404).
    const subscriber = await lockSubscriber(trx, dialect, subscriberId);
    if (!subscriber) throw notFound("subscriber");
    const placeholder = deletedEmail(subscriber.id);

    // 2. The message first, built from the data about to be erased.
    const due = await enqueueWebhookEvent(trx, {
      campaignId: campaign.id,
      event: "subscriber_deleted",
      payload: subscriberDeletedPayload({
        campaignId: campaign.id,
        subscriber: referrerObject(subscriber, campaign),
        verifiedAt: subscriber.verified_at,
        verified: subscriber.verification_pending !== 1,
        now,
      }),
      now,
    });

    // 3. Sessions, browser links and unsent emails end; copies of the email elsewhere are replaced.
    await revokeSubscriberAccess(trx, subscriber, placeholder);

    // 4. The row: personal data erased, marked deleted.
    if (!(await eraseSubscriber(trx, subscriber.id, placeholder, now))) throw notFound("subscriber");
    return { outboxWritten: due.length > 0 };
  });
}
