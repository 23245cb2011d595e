import { type Kysely, sql, type Updateable } from "kysely";
import type { Dialect } from "../connect.js";
import type { DB, WebhookAttemptRow, WebhookMessageRow, WebhookRow, WebhooksTable } from "../schema.js";

export async function insertWebhook(db: Kysely<DB>, row: WebhookRow): Promise<void> {
  await db.insertInto("webhooks").values(row).execute();
}

export async function getWebhook(db: Kysely<DB>, id: string): Promise<WebhookRow | undefined> {
  return db.selectFrom("webhooks").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function listWebhooks(db: Kysely<DB>, campaignId: string): Promise<WebhookRow[]> {
  return db.selectFrom("webhooks").selectAll().where("campaign_id", "=", campaignId).orderBy("id").execute();
}

export async function updateWebhook(
  db: Kysely<DB>,
  id: string,
  changes: Updateable<WebhooksTable>,
): Promise<WebhookRow | undefined> {
  await db.updateTable("webhooks").set(changes).where("id", "=", id).execute();
  return getWebhook(db, id);
}

/** Removes the endpoint with its messages and delivery log. */
export async function deleteWebhook(db: Kysely<DB>, id: string): Promise<void> {
  await db.deleteFrom("webhook_attempts").where("webhook_id", "=", id).execute();
  await db.deleteFrom("webhook_messages").where("webhook_id", "=", id).execute();
  await db.deleteFrom("webhooks").where("id", "=", id).execute();
}

export async function insertWebhookMessages(
  db: Kysely<DB>,
  rows: readonly WebhookMessageRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto("webhook_messages").values(rows).execute();
}

/**
 * Leases up to `limit` due messages to this worker. PostgreSQL skips rows other workers hold locked;
 * SQLite has one writer, so a single UPDATE … RETURNING is already exclusive.
 */
export async function claimDueMessages(
  db: Kysely<DB>,
  dialect: Dialect,
  now: number,
  leaseMs: number,
  limit: number,
): Promise<WebhookMessageRow[]> {
  let due = db
    .selectFrom("webhook_messages")
    .select("id")
    .where("status", "=", "pending")
    .where("next_attempt_at", "<=", now)
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now)]))
    .orderBy("next_attempt_at")
    .limit(limit);
  if (dialect === "postgres") due = due.forUpdate().skipLocked();
  return db
    .updateTable("webhook_messages")
    .set({ lease_until: now + leaseMs })
    .where("id", "in", due)
    .returningAll()
    .execute();
}

/** The earliest time a pending message falls due, so an idle worker knows when to look again. */
export async function nextDueAt(db: Kysely<DB>): Promise<number | null> {
  const row = await db
    .selectFrom("webhook_messages")
    .select((eb) => eb.fn.min("next_attempt_at").as("at"))
    .where("status", "=", "pending")
    .executeTakeFirst();
  return row?.at === null || row?.at === undefined ? null : Number(row.at);
}

export async function insertWebhookAttempts(
  db: Kysely<DB>,
  rows: readonly WebhookAttemptRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto("webhook_attempts").values(rows).execute();
}

/** Marks a round's successful messages delivered, in one statement. */
export async function markDelivered(db: Kysely<DB>, ids: readonly string[], at: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable("webhook_messages")
    .set({
      status: "delivered",
      delivered_at: at,
      last_error: null,
      lease_until: null,
      attempts: sql<number>`attempts + 1`,
    })
    .where("id", "in", ids)
    .execute();
}

export async function finishMessage(
  db: Kysely<DB>,
  id: string,
  outcome:
    | { status: "delivered"; at: number }
    | { status: "pending"; nextAttemptAt: number; error: string }
    | { status: "failed"; error: string },
): Promise<void> {
  const base = { attempts: sql<number>`attempts + 1`, lease_until: null };
  const changes =
    outcome.status === "delivered"
      ? { ...base, status: "delivered" as const, delivered_at: outcome.at, last_error: null }
      : outcome.status === "pending"
        ? {
            ...base,
            status: "pending" as const,
            next_attempt_at: outcome.nextAttemptAt,
            last_error: outcome.error,
          }
        : { ...base, status: "failed" as const, last_error: outcome.error };
  await db.updateTable("webhook_messages").set(changes).where("id", "=", id).execute();
}

export async function getWebhookMessage(db: Kysely<DB>, id: string): Promise<WebhookMessageRow | undefined> {
  return db.selectFrom("webhook_messages").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Puts messages back in the queue, due now: a manual retry or a replay. */
export async function requeueMessages(
  db: Kysely<DB>,
  filter: { id: string } | { webhookId: string; createdSince: number },
  now: number,
): Promise<number> {
  let q = db
    .updateTable("webhook_messages")
    .set({ status: "pending", next_attempt_at: now, lease_until: null, attempts: 0 });
  q =
    "id" in filter
      ? q.where("id", "=", filter.id)
      : q
          .where("webhook_id", "=", filter.webhookId)
          .where("status", "=", "failed")
          .where("created_at", ">=", filter.createdSince);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface DeliveryLogRow extends WebhookAttemptRow {
  event_type: string;
  message_status: WebhookMessageRow["status"];
}

export async function listDeliveryLog(
  db: Kysely<DB>,
  webhookId: string,
  limit: number,
  before: number | null,
): Promise<DeliveryLogRow[]> {
  let q = db
    .selectFrom("webhook_attempts")
    .innerJoin("webhook_messages", "webhook_messages.id", "webhook_attempts.message_id")
    .selectAll("webhook_attempts")
    .select(["webhook_messages.event_type as event_type", "webhook_messages.status as message_status"])
    .where("webhook_attempts.webhook_id", "=", webhookId);
  if (before !== null) q = q.where("webhook_attempts.attempted_at", "<", before);
  return q
    .orderBy("webhook_attempts.attempted_at", "desc")
    .orderBy("webhook_attempts.id", "desc")
    .limit(limit)
    .execute();
}

export async function listWebhooksByIds(db: Kysely<DB>, ids: readonly string[]): Promise<WebhookRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom("webhooks").selectAll().where("id", "in", ids).execute();
}
