// Double opt-in: a verification link for an ambassador, and the email that carries it, written together.
import { newId, VERIFICATION_TTL_MS, VERIFICATION_WINDOW_MS, verificationResendWaitMs } from "@vouch/core";
import {
  countSubscriberVerificationsSince,
  type DB,
  type Dialect,
  insertMailMessage,
  insertSubscriberVerification,
  type Kysely,
  lockPendingSubscriber,
  type SubscriberRow,
} from "@vouch/db";
import { AppError } from "../errors.js";
import type { VerifyEmailData } from "../workers/mail-worker.js";

/**
 * Writes a verification and its email to the mail outbox. Call inside the transaction of the change that asks
 * for it: the email is sent once that commits (and is never lost after), or not at all.
 */
export async function queueVerificationEmail(
  trx: Kysely<DB>,
  subscriber: SubscriberRow,
  now: number,
): Promise<void> {
  const id = newId("vrf", now);
  const expiresAt = now + VERIFICATION_TTL_MS;
  await insertSubscriberVerification(trx, {
    id,
    subscriber_id: subscriber.id,
    campaign_id: subscriber.campaign_id,
    created_at: now,
    expires_at: expiresAt,
    used_at: null,
  });
  const data: VerifyEmailData = { verification_id: id, name: subscriber.name, expires_at: expiresAt };
  await insertMailMessage(trx, {
    id: newId("mal", now),
    campaign_id: subscriber.campaign_id,
    subscriber_id: subscriber.id,
    template: "verify_email",
    to_address: subscriber.email,
    data: JSON.stringify(data),
    status: "pending",
    attempts: 0,
    next_attempt_at: now,
    lease_until: null,
    last_error: null,
    created_at: now,
    sent_at: null,
  });
}

export type ResendOutcome = { sent: true } | { sent: false; reason: "already_verified" };

/**
 * Sends a pending ambassador a new link, at most one a minute and five a day (counted in the database, so
 * every instance and restart agrees). Too soon: a rate_limited AppError carrying the wait.
 */
export async function resendVerificationEmail(
  db: Kysely<DB>,
  dialect: Dialect,
  subscriber: SubscriberRow,
  now: number,
): Promise<ResendOutcome> {
  if (subscriber.verification_pending !== 1) return { sent: false, reason: "already_verified" };
  return db.transaction().execute(async (trx) => {
    // 1. The ambassador's row, locked: a concurrent resend (a double click, the widget and the expired page at
    //    once) waits here for this one's commit, so the count below includes the link this one sends.
    const pending = await lockPendingSubscriber(trx, dialect, subscriber.id);
    if (!pending) return { sent: false, reason: "already_verified" } as const;
    // 2. The limit, from the links sent in the last day (a throw rolls back: nothing written).
    const sent = await countSubscriberVerificationsSince(trx, pending.id, now - VERIFICATION_WINDOW_MS);
    const waitMs = verificationResendWaitMs(sent, now);
    if (waitMs > 0) throw new ResendTooSoon(waitMs);
    // 3. The link and its email, committed together.
    await queueVerificationEmail(trx, pending, now);
    return { sent: true } as const;
  });
}

export class ResendTooSoon extends AppError {
  constructor(readonly waitMs: number) {
    super(
      "rate_limited",
      `a confirmation email was sent recently; ask again in ${describeWait(waitMs)}`,
      "verification",
    );
  }

  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.waitMs / 1000));
  }
}

function describeWait(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 120) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120) return `${minutes} minutes`;
  return `${Math.ceil(minutes / 60)} hours`;
}
