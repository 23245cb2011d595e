// Double opt-in: an ambassador confirms their email (the link in it, or the owner on their behalf), and from
// then on earns rewards — including those their friends earned while they were pending.
import { readVerificationToken, subscriberUpdatedPayload } from "@vouch/core";
import {
  type CampaignRow,
  type DB,
  type Dialect,
  getCampaign,
  getSubscriber,
  getSubscriberVerification,
  insertWebhookMessages,
  type Kysely,
  listWebhooks,
  markSubscriberVerificationUsed,
  markSubscriberVerified,
  type SubscriberRow,
  type SubscriberVerificationRow,
} from "@vouch/db";
import { referrerObject } from "../views/webhook-view.js";
import { outboxRows } from "./enqueue-webhook-event.js";
import { grantWithheldRewards } from "./grant-rewards.js";

export type VerifyOutcome = {
  /** false: they were verified already (a second click, or never asked), and nothing changed. */
  changed: boolean;
  subscriber: SubscriberRow;
  /** Whether webhook messages were written (the webhook worker should look now). */
  outboxWritten: boolean;
};

/**
 * Marks the ambassador verified, grants the rewards withheld while they were pending and announces
 * subscriber_updated, in one transaction. Idempotent: an ambassador already verified is returned unchanged.
 */
export async function verifySubscriber(
  db: Kysely<DB>,
  dialect: Dialect,
  subscriber: SubscriberRow,
  campaign: CampaignRow,
  now: number,
  verificationId?: string,
): Promise<VerifyOutcome> {
  return db.transaction().execute(async (trx) => {
    // 1. The ambassador's row first (its lock orders this after, or before, any conversion batch counting
    //    their friends: see countTowardRewards).
    const verified = await markSubscriberVerified(trx, subscriber.id, now);
    if (verificationId) await markSubscriberVerificationUsed(trx, verificationId, now);
    if (!verified) {
      const current = (await getSubscriber(trx, subscriber.id)) ?? subscriber;
      return { changed: false, subscriber: current, outboxWritten: false };
    }
    // 2. What their friends earned meanwhile.
    const messages = await grantWithheldRewards(trx, dialect, verified, campaign, now);
    // 3. subscriber_updated, for the owner's systems.
    const body = JSON.stringify(
      subscriberUpdatedPayload({
        campaignId: campaign.id,
        subscriber: referrerObject(verified, campaign),
        verifiedAt: now,
        changes: ["verified"],
        now,
      }),
    );
    messages.push(...outboxRows(await listWebhooks(trx, campaign.id), "subscriber_updated", body, now));
    await insertWebhookMessages(trx, messages);
    return { changed: true, subscriber: verified, outboxWritten: messages.length > 0 };
  });
}

type FoundVerification = {
  verification: SubscriberVerificationRow;
  subscriber: SubscriberRow;
  campaign: CampaignRow;
};

export type LinkState =
  | { kind: "invalid" }
  | ({ kind: "expired" } & FoundVerification)
  | ({ kind: "already_verified" } & FoundVerification)
  | ({ kind: "pending" } & FoundVerification);

/**
 * What a verification link would do, changing nothing: opening it (GET) only shows this, because mail scanners
 * open links before the ambassador does; the ambassador's button press confirms (verifyByLink).
 */
export async function readVerificationLink(
  db: Kysely<DB>,
  secret: string,
  token: string,
  now: number,
): Promise<LinkState> {
  const found = await findVerification(db, secret, token);
  if (!found) return { kind: "invalid" };
  // An ambassador verified already sees the same page again, however old the link: clicking twice is harmless.
  if (found.subscriber.verification_pending !== 1) return { kind: "already_verified", ...found };
  if (found.verification.expires_at <= now) return { kind: "expired", ...found };
  return { kind: "pending", ...found };
}

export type VerifyLinkOutcome =
  | { kind: "invalid" }
  | ({ kind: "expired" } & FoundVerification)
  | ({ kind: "verified"; campaign: CampaignRow } & VerifyOutcome);

/** The confirmation a verification link's page asks for, given. */
export async function verifyByLink(
  db: Kysely<DB>,
  dialect: Dialect,
  secret: string,
  token: string,
  now: number,
): Promise<VerifyLinkOutcome> {
  const state = await readVerificationLink(db, secret, token, now);
  if (state.kind === "invalid" || state.kind === "expired") return state;
  const { verification, subscriber, campaign } = state;
  if (state.kind === "already_verified")
    return { kind: "verified", campaign, changed: false, subscriber, outboxWritten: false };
  // Two presses at once: verifySubscriber's conditional update lets one change it; the other sees changed: false.
  return {
    kind: "verified",
    campaign,
    ...(await verifySubscriber(db, dialect, subscriber, campaign, now, verification.id)),
  };
}

/** The verification a token names, with its ambassador and campaign; undefined for a bad or unknown token. */
export async function findVerification(
  db: Kysely<DB>,
  secret: string,
  token: string,
): Promise<FoundVerification | undefined> {
  const id = readVerificationToken(secret, token);
  const verification = id ? await getSubscriberVerification(db, id) : undefined;
  if (!verification) return undefined;
  const subscriber = await getSubscriber(db, verification.subscriber_id);
  const campaign = subscriber ? await getCampaign(db, subscriber.campaign_id) : undefined;
  if (!subscriber || !campaign) return undefined;
  return { verification, subscriber, campaign };
}
