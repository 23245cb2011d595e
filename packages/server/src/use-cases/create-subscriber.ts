import {
  type CreateSubscriberInput,
  generateReferralCode,
  newId,
  newRegistrationPayload,
  normalizeReferralCode,
} from "@vouch/core";
import {
  type CampaignRow,
  type DB,
  getSubscriber,
  getSubscriberByCode,
  getSubscriberByEmail,
  insertSubscriber,
  type Kysely,
  type NewSubscriberRow,
  type SubscriberRow,
} from "@vouch/db";
import { AppError } from "../errors.js";
import { referrerObject } from "../views/webhook-view.js";
import { enqueueWebhookEvent } from "./enqueue-webhook-event.js";
import { queueVerificationEmail } from "./request-verification.js";

export type CreateSubscriberOutcome =
  | { created: true; subscriber: SubscriberRow }
  | { created: false; subscriber: SubscriberRow };

export interface CreateSubscriberOptions {
  /**
   * Double opt-in: the new ambassador is pending until they follow the link emailed to them (sent through the
   * mail outbox in the same transaction). Default: what the input's `verified: false` asks for.
   */
  verify?: boolean;
}

const CODE_ATTEMPTS = 8;

/** One ambassador per email per campaign: the same email again returns the existing one, unchanged. */
export async function createSubscriber(
  db: Kysely<DB>,
  campaign: CampaignRow,
  input: CreateSubscriberInput,
  now = Date.now(),
  /** How the ambassador joined, as the new_registration message reports it. */
  source = "api",
  options: CreateSubscriberOptions = {},
): Promise<CreateSubscriberOutcome> {
  const verify = options.verify ?? input.verified === false;
  // 1. An existing ambassador with this email wins, whatever else was sent.
  const existing = await getSubscriberByEmail(db, campaign.id, input.email);
  if (existing) return { created: false, subscriber: existing };

  // 2. The referrer, named by code or id, must belong to this campaign.
  const referredBy = input.referrer ? await findReferrer(db, campaign.id, input.referrer) : null;

  // 3. Insert with a fresh code; a taken code is retried, a concurrent insert of the same email returned.
  for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
    const row = await insertAndAnnounce(db, campaign, referredBy, now, source, verify, {
      id: newId("sub", now),
      campaign_id: campaign.id,
      email: input.email,
      name: input.name ?? null,
      extra_field: input.extra_field ?? null,
      extra_field_2: input.extra_field_2 ?? null,
      code: generateReferralCode({ name: input.name ?? null, email: input.email }, cryptoRandom),
      referred_by: referredBy?.id ?? null,
      created_at: now,
      verification_pending: verify ? 1 : 0,
    });
    if (row) return { created: true, subscriber: row };
    const raced = await getSubscriberByEmail(db, campaign.id, input.email);
    if (raced) return { created: false, subscriber: raced };
  }
  throw new AppError("unavailable", "could not allocate a unique referral code; try again");
}

/** The insert, its new_registration webhook messages and its verification email commit together, or not at all. */
async function insertAndAnnounce(
  db: Kysely<DB>,
  campaign: CampaignRow,
  referredBy: SubscriberRow | null,
  now: number,
  source: string,
  verify: boolean,
  row: NewSubscriberRow,
): Promise<SubscriberRow | undefined> {
  return db.transaction().execute(async (trx) => {
    const inserted = await insertSubscriber(trx, row);
    if (!inserted) return undefined;
    if (verify) await queueVerificationEmail(trx, inserted, now);
    await enqueueWebhookEvent(trx, {
      campaignId: campaign.id,
      event: "new_registration",
      payload: newRegistrationPayload({
        campaignId: campaign.id,
        subscriber: { ...referrerObject(inserted, campaign), created_at: inserted.created_at },
        source,
        referredBy: referredBy ? referrerObject(referredBy, campaign) : null,
        verified: inserted.verification_pending !== 1,
      }),
      now,
    });
    return inserted;
  });
}

async function findReferrer(db: Kysely<DB>, campaignId: string, ref: string): Promise<SubscriberRow> {
  const byId = ref.startsWith("sub_") ? await getSubscriber(db, ref) : undefined;
  const found =
    byId && byId.campaign_id === campaignId
      ? byId
      : await getSubscriberByCode(db, campaignId, normalizeReferralCode(ref));
  if (!found)
    throw new AppError(
      "unknown_referrer",
      `no ambassador with code or id "${ref}" in this campaign`,
      "referrer",
    );
  return found;
}

const cryptoRandom = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n));
