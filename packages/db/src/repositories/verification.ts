import type { Kysely } from "kysely";
import type { Dialect } from "../connect.js";
import type { DB, SubscriberRow, SubscriberVerificationRow } from "../schema.js";

export async function insertSubscriberVerification(
  db: Kysely<DB>,
  row: SubscriberVerificationRow,
): Promise<void> {
  await db.insertInto("subscriber_verifications").values(row).execute();
}

export async function getSubscriberVerification(
  db: Kysely<DB>,
  id: string,
): Promise<SubscriberVerificationRow | undefined> {
  return db.selectFrom("subscriber_verifications").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function markSubscriberVerificationUsed(db: Kysely<DB>, id: string, now: number): Promise<void> {
  await db
    .updateTable("subscriber_verifications")
    .set({ used_at: now })
    .where("id", "=", id)
    .where("used_at", "is", null)
    .execute();
}

/** How many links an ambassador was sent since `since`, the first and the latest (for the resend limit). */
export async function countSubscriberVerificationsSince(
  db: Kysely<DB>,
  subscriberId: string,
  since: number,
): Promise<{ count: number; oldest: number | null; latest: number | null }> {
  const row = await db
    .selectFrom("subscriber_verifications")
    .select((eb) => [
      eb.fn.countAll<number>().as("n"),
      eb.fn.min("created_at").as("oldest"),
      eb.fn.max("created_at").as("latest"),
    ])
    .where("subscriber_id", "=", subscriberId)
    .where("created_at", ">=", since)
    .executeTakeFirst();
  return {
    count: Number(row?.n ?? 0),
    oldest: row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest),
    latest: row?.latest === null || row?.latest === undefined ? null : Number(row.latest),
  };
}

/**
 * A pending ambassador's row, locked until the transaction ends (undefined when they are not pending). Resends
 * for one ambassador take turns behind this lock, so each counts the links the one before it committed: two
 * requests at the same instant send one email, not two. PostgreSQL: FOR NO KEY UPDATE, which also waits for a
 * confirmation in progress and then sees it (the row is re-read), and does not block inserts that reference the
 * ambassador. SQLite: the transaction already holds the database's write lock from its start.
 */
export async function lockPendingSubscriber(
  db: Kysely<DB>,
  dialect: Dialect,
  subscriberId: string,
): Promise<SubscriberRow | undefined> {
  let q = db
    .selectFrom("subscribers")
    .selectAll()
    .where("id", "=", subscriberId)
    .where("verification_pending", "=", 1);
  if (dialect === "postgres") q = q.forNoKeyUpdate();
  return q.executeTakeFirst();
}

/**
 * Marks a pending ambassador verified; returns the row when this call did it (undefined when they were not
 * pending, so a second click changes nothing). The row stays locked to the commit: see lockPendingSubscribers.
 */
export async function markSubscriberVerified(
  db: Kysely<DB>,
  subscriberId: string,
  now: number,
): Promise<SubscriberRow | undefined> {
  return db
    .updateTable("subscribers")
    .set({ verification_pending: 0, verified_at: now })
    .where("id", "=", subscriberId)
    .where("verification_pending", "=", 1)
    .where("deleted_at", "is", null)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Of these ambassadors, the ids still pending verification, read under a share lock on PostgreSQL: a
 * verification committing meanwhile is waited for, and one starting after waits for the caller's commit.
 * SQLite has one writer, so a plain read inside the write transaction is already current.
 */
export async function lockPendingSubscribers(
  db: Kysely<DB>,
  dialect: Dialect,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  let q = db
    .selectFrom("subscribers")
    .select(["id", "verification_pending"])
    .where("id", "in", ids)
    .orderBy("id");
  if (dialect === "postgres") q = q.forShare();
  const rows = await q.execute();
  return new Set(rows.filter((r) => Number(r.verification_pending) === 1).map((r) => r.id));
}
