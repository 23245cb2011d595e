import { type Kysely, sql } from "kysely";
import type { Dialect } from "../connect.js";
import type { DB, NewSubscriberRow, SubscriberRow } from "../schema.js";

/** Inserts unless the campaign already has this email or the code is taken; returns the row when inserted. */
export async function insertSubscriber(
  db: Kysely<DB>,
  row: NewSubscriberRow,
): Promise<SubscriberRow | undefined> {
  return db
    .insertInto("subscribers")
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** The ambassador with this id; undefined when there is none or the owner deleted them. */
export async function getSubscriber(db: Kysely<DB>, id: string): Promise<SubscriberRow | undefined> {
  return db
    .selectFrom("subscribers")
    .selectAll()
    .where("id", "=", id)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
}

/**
 * The ambassador, not deleted, read for a change: locked to the commit on PostgreSQL, so a concurrent update or
 * deletion waits and then sees this one's outcome. SQLite: the transaction holds the write lock from its start.
 */
export async function lockSubscriber(
  db: Kysely<DB>,
  dialect: Dialect,
  id: string,
): Promise<SubscriberRow | undefined> {
  let q = db.selectFrom("subscribers").selectAll().where("id", "=", id).where("deleted_at", "is", null);
  if (dialect === "postgres") q = q.forUpdate();
  return q.executeTakeFirst();
}

export interface SubscriberChanges {
  email?: string;
  name?: string | null;
  extra_field?: string | null;
  extra_field_2?: string | null;
}

/** Applies the owner's corrections; the (campaign, email) unique index refuses an email taken meanwhile. */
export async function updateSubscriberFields(
  db: Kysely<DB>,
  id: string,
  changes: SubscriberChanges,
): Promise<SubscriberRow> {
  return db
    .updateTable("subscribers")
    .set(changes)
    .where("id", "=", id)
    .where("deleted_at", "is", null)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Rewards are counted per recipient email: they follow the ambassador's email when it changes. */
export async function moveSubscriberRewards(
  db: Kysely<DB>,
  subscriberId: string,
  fromEmail: string,
  toEmail: string,
): Promise<void> {
  await db
    .updateTable("rewards")
    .set({ recipient_email: toEmail })
    .where("subscriber_id", "=", subscriberId)
    .where("recipient_email", "=", fromEmail)
    .execute();
}

/**
 * Erases a deleted ambassador's personal data and marks the row deleted; the row itself stays (conversions,
 * rewards and friends reference it) and so does its code, reserved so that old links never credit anyone else.
 * Returns false when the ambassador was deleted already.
 */
export async function eraseSubscriber(
  db: Kysely<DB>,
  subscriberId: string,
  placeholderEmail: string,
  now: number,
): Promise<boolean> {
  const erased = await db
    .updateTable("subscribers")
    .set({ email: placeholderEmail, name: null, extra_field: null, extra_field_2: null, deleted_at: now })
    .where("id", "=", subscriberId)
    .where("deleted_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  return erased !== undefined;
}

/**
 * What else names a deleted ambassador: their widget sessions and the browsers linked to them end, emails not yet
 * sent to them are cancelled, and the copies of their email in rewards and the mail outbox are replaced.
 */
export async function revokeSubscriberAccess(
  db: Kysely<DB>,
  subscriber: Pick<SubscriberRow, "id" | "email">,
  placeholderEmail: string,
): Promise<void> {
  await db.deleteFrom("widget_sessions").where("subscriber_id", "=", subscriber.id).execute();
  await db.deleteFrom("visitor_links").where("subscriber_id", "=", subscriber.id).execute();
  await db
    .updateTable("mail_messages")
    .set({ status: "failed", last_error: "ambassador deleted", lease_until: null })
    .where("subscriber_id", "=", subscriber.id)
    .where("status", "=", "pending")
    .execute();
  await db
    .updateTable("mail_messages")
    .set({ to_address: placeholderEmail, data: "{}" })
    .where("subscriber_id", "=", subscriber.id)
    .execute();
  await moveSubscriberRewards(db, subscriber.id, subscriber.email, placeholderEmail);
}

export async function getSubscriberByEmail(
  db: Kysely<DB>,
  campaignId: string,
  email: string,
): Promise<SubscriberRow | undefined> {
  return db
    .selectFrom("subscribers")
    .selectAll()
    .where("campaign_id", "=", campaignId)
    .where("email", "=", email)
    .executeTakeFirst();
}

export async function getSubscriberByCode(
  db: Kysely<DB>,
  campaignId: string,
  code: string,
): Promise<SubscriberRow | undefined> {
  return db
    .selectFrom("subscribers")
    .selectAll()
    .where("campaign_id", "=", campaignId)
    .where("code", "=", code)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
}

export interface SubscriberPageQuery {
  campaignId: string;
  search?: string | undefined;
  sort: "people_referred" | "created_at";
  order: "asc" | "desc";
  limit: number;
  offset: number;
}

export async function listSubscribers(
  db: Kysely<DB>,
  q: SubscriberPageQuery,
): Promise<{ rows: SubscriberRow[]; total: number }> {
  let base = db
    .selectFrom("subscribers")
    .where("campaign_id", "=", q.campaignId)
    .where("deleted_at", "is", null);
  if (q.search) {
    const pattern = `%${q.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    base = base.where((eb) =>
      eb.or([
        eb("email", "like", sql<string>`${pattern} escape '\\'`),
        eb(eb.fn("lower", ["name"]), "like", sql<string>`${pattern} escape '\\'`),
      ]),
    );
  }
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy(q.sort, q.order)
      .orderBy("created_at", q.sort === "created_at" ? q.order : "asc")
      .orderBy("id", q.order)
      .limit(q.limit)
      .offset(q.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}
