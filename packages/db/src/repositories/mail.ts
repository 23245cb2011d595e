import { type Kysely, sql } from "kysely";
import type { Dialect } from "../connect.js";
import type { DB, MailMessageRow } from "../schema.js";

export async function insertMailMessage(db: Kysely<DB>, row: MailMessageRow): Promise<void> {
  await db.insertInto("mail_messages").values(row).execute();
}

/** Leases up to `limit` due emails to this worker (PostgreSQL skips rows other workers hold). */
export async function claimDueMail(
  db: Kysely<DB>,
  dialect: Dialect,
  now: number,
  leaseMs: number,
  limit: number,
): Promise<MailMessageRow[]> {
  let due = db
    .selectFrom("mail_messages")
    .select("id")
    .where("status", "=", "pending")
    .where("next_attempt_at", "<=", now)
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now)]))
    .orderBy("next_attempt_at")
    .limit(limit);
  if (dialect === "postgres") due = due.forUpdate().skipLocked();
  return db
    .updateTable("mail_messages")
    .set({ lease_until: now + leaseMs })
    .where("id", "in", due)
    .returningAll()
    .execute();
}

export async function finishMail(
  db: Kysely<DB>,
  id: string,
  outcome:
    | { status: "sent"; at: number }
    | { status: "pending"; nextAttemptAt: number; error: string }
    | { status: "failed"; error: string },
): Promise<void> {
  const base = { attempts: sql<number>`attempts + 1`, lease_until: null };
  const changes =
    outcome.status === "sent"
      ? { ...base, status: "sent" as const, sent_at: outcome.at, last_error: null }
      : outcome.status === "pending"
        ? {
            ...base,
            status: "pending" as const,
            next_attempt_at: outcome.nextAttemptAt,
            last_error: outcome.error,
          }
        : { ...base, status: "failed" as const, last_error: outcome.error };
  await db.updateTable("mail_messages").set(changes).where("id", "=", id).execute();
}

export async function listMailMessages(db: Kysely<DB>, subscriberId: string): Promise<MailMessageRow[]> {
  return db
    .selectFrom("mail_messages")
    .selectAll()
    .where("subscriber_id", "=", subscriberId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}
