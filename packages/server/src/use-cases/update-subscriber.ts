// The owner corrects an ambassador (a typo in their email or name, a changed extra field) and the owner's systems
// hear of it through subscriber_updated.
import {
  type SubscriberFieldValues,
  subscriberUpdatedPayload,
  type UpdateSubscriberInput,
} from "@vouch/core";
import {
  type CampaignRow,
  type DB,
  type Dialect,
  getSubscriberByEmail,
  isUniqueViolation,
  type Kysely,
  lockSubscriber,
  moveSubscriberRewards,
  type SubscriberChanges,
  type SubscriberRow,
  updateSubscriberFields,
} from "@vouch/db";
import { AppError, notFound } from "../errors.js";
import { referrerObject } from "../views/webhook-view.js";
import { enqueueWebhookEvent } from "./enqueue-webhook-event.js";

export type UpdateSubscriberOutcome = {
  subscriber: SubscriberRow;
  /** The fields whose value changed, in a fixed order; empty when the input changed nothing. */
  changes: Array<keyof SubscriberChanges>;
  /** Whether webhook messages due now were written (the webhook worker should look). */
  outboxWritten: boolean;
};

const FIELDS = ["email", "name", "extra_field", "extra_field_2"] as const;

/** Applies the corrections and writes subscriber_updated in one transaction; nothing changed, nothing is written. */
export async function updateSubscriber(
  db: Kysely<DB>,
  dialect: Dialect,
  subscriberId: string,
  campaign: CampaignRow,
  input: UpdateSubscriberInput,
  now: number,
): Promise<UpdateSubscriberOutcome> {
  const emailTaken = () =>
    new AppError("email_taken", "another ambassador of this campaign has this email", "email");
  try {
    return await db.transaction().execute(async (trx) => {
      // 1. The ambassador as they stand, locked: a concurrent correction or deletion goes before or after.
      const current = await lockSubscriber(trx, dialect, subscriberId);
      if (!current) throw notFound("subscriber");

      // 2. Only what differs counts as a change.
      const set: SubscriberChanges = {};
      const previous: SubscriberFieldValues = {};
      for (const field of FIELDS) {
        const value = input[field];
        if (value === undefined || value === current[field]) continue;
        Object.assign(set, { [field]: value });
        Object.assign(previous, { [field]: current[field] });
      }
      const changes = FIELDS.filter((f) => f in set);
      if (changes.length === 0) return { subscriber: current, changes, outboxWritten: false };

      // 3. An email another ambassador of the campaign has is refused (the unique index catches a race).
      if (set.email !== undefined) {
        const holder = await getSubscriberByEmail(trx, current.campaign_id, set.email);
        if (holder) throw emailTaken();
      }
      const updated = await updateSubscriberFields(trx, current.id, set);
      if (set.email !== undefined) await moveSubscriberRewards(trx, current.id, current.email, set.email);

      // 4. subscriber_updated, with what changed and what it was.
      const due = await enqueueWebhookEvent(trx, {
        campaignId: campaign.id,
        event: "subscriber_updated",
        payload: subscriberUpdatedPayload({
          campaignId: campaign.id,
          subscriber: referrerObject(updated, campaign),
          verifiedAt: updated.verified_at,
          verified: updated.verification_pending !== 1,
          changes,
          previous,
          now,
        }),
        now,
      });
      return { subscriber: updated, changes, outboxWritten: due.length > 0 };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken();
    throw err;
  }
}
