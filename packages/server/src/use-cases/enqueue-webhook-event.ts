import { newId, type WebhookEvent } from "@vouch/core";
import {
  type DB,
  insertWebhookMessages,
  type Kysely,
  listWebhooks,
  type WebhookMessageRow,
  type WebhookRow,
} from "@vouch/db";

/**
 * The outbox rows for one event: one per endpoint subscribed to it. An enabled endpoint's row is due now; a
 * disabled endpoint's is kept as failed ("endpoint disabled") so that a replay after re-enabling sends it.
 */
export function outboxRows(
  endpoints: readonly WebhookRow[],
  event: WebhookEvent,
  body: string,
  now: number,
): WebhookMessageRow[] {
  return endpoints
    .filter((w) => (JSON.parse(w.events) as string[]).includes(event))
    .map((w) => ({
      id: newId("msg", now),
      webhook_id: w.id,
      event_type: event,
      payload: body,
      status: w.enabled === 1 ? ("pending" as const) : ("failed" as const),
      attempts: 0,
      next_attempt_at: now,
      lease_until: null,
      last_error: w.enabled === 1 ? null : "endpoint disabled",
      created_at: now,
      delivered_at: null,
    }));
}

/**
 * Writes the event's outbox rows. Called inside the transaction of the change it reports: a change that rolls
 * back sends nothing, and a committed one is never lost. Returns the ids of the messages due for delivery.
 */
export async function enqueueWebhookEvent(
  db: Kysely<DB>,
  input: { campaignId: string; event: WebhookEvent; payload: unknown; now: number; only?: WebhookRow },
): Promise<string[]> {
  const endpoints = input.only ? [input.only] : await listWebhooks(db, input.campaignId);
  const rows = outboxRows(endpoints, input.event, JSON.stringify(input.payload), input.now);
  await insertWebhookMessages(db, rows);
  return rows.filter((r) => r.status === "pending").map((r) => r.id);
}
