import { newId, type WebhookEvent } from "@vouch/core";
import { type DB, insertWebhookMessages, type Kysely, listEnabledWebhooks, type WebhookRow } from "@vouch/db";

/**
 * Writes one outbox message per enabled endpoint subscribed to the event. Called inside the transaction of
 * the change it reports: a change that rolls back sends nothing, and a committed one is never lost.
 */
export async function enqueueWebhookEvent(
  db: Kysely<DB>,
  input: { campaignId: string; event: WebhookEvent; payload: unknown; now: number; only?: WebhookRow },
): Promise<string[]> {
  const endpoints = input.only ? [input.only] : await listEnabledWebhooks(db, input.campaignId);
  const subscribed = endpoints.filter((w) => (JSON.parse(w.events) as string[]).includes(input.event));
  if (subscribed.length === 0) return [];
  const body = JSON.stringify(input.payload);
  const rows = subscribed.map((w) => ({
    id: newId("msg", input.now),
    webhook_id: w.id,
    event_type: input.event,
    payload: body,
    status: "pending" as const,
    attempts: 0,
    next_attempt_at: input.now,
    lease_until: null,
    last_error: null,
    created_at: input.now,
    delivered_at: null,
  }));
  await insertWebhookMessages(db, rows);
  return rows.map((r) => r.id);
}
