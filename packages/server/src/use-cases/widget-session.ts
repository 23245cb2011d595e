import { createHash } from "node:crypto";
import { randomToken } from "@vouch/core";
import {
  type CampaignRow,
  type DB,
  deleteExpiredWidgetSessions,
  getLiveWidgetSession,
  getSubscriber,
  insertWidgetSession,
  type Kysely,
  type SubscriberRow,
} from "@vouch/db";

export const WIDGET_SESSION_DAYS = 30;
const DAY_MS = 86_400_000;

export interface WidgetSession {
  /** The opaque token the widget keeps; shown once, stored only as its hash. */
  token: string;
  expiresAt: number;
}

/** A token lookup must not be a timing oracle or a stored secret: only a SHA-256 of the token is kept. */
function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function createWidgetSession(
  db: Kysely<DB>,
  subscriber: SubscriberRow,
  now: number,
): Promise<WidgetSession> {
  // 200 random bits: guessing one is out of the question, so the hash needs no salt.
  const token = `vws_${randomToken(40)}`;
  const expiresAt = now + WIDGET_SESSION_DAYS * DAY_MS;
  await insertWidgetSession(db, {
    token_hash: hashToken(token),
    campaign_id: subscriber.campaign_id,
    subscriber_id: subscriber.id,
    created_at: now,
    expires_at: expiresAt,
  });
  // Housekeeping on a small fraction of sign-ups keeps the table to live sessions without a scheduled job.
  if (token.endsWith("z")) await deleteExpiredWidgetSessions(db, now);
  return { token, expiresAt };
}

/** The ambassador a live session of this campaign belongs to; undefined for an unknown, expired or foreign token. */
export async function getWidgetSessionSubscriber(
  db: Kysely<DB>,
  campaign: CampaignRow,
  token: string,
  now: number,
): Promise<SubscriberRow | undefined> {
  const session = await getLiveWidgetSession(db, hashToken(token), now);
  if (!session || session.campaign_id !== campaign.id) return undefined;
  return getSubscriber(db, session.subscriber_id);
}
