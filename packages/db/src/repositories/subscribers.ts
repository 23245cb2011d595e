import { type Kysely, sql } from "kysely";
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

export async function getSubscriber(db: Kysely<DB>, id: string): Promise<SubscriberRow | undefined> {
  return db.selectFrom("subscribers").selectAll().where("id", "=", id).executeTakeFirst();
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
  let base = db.selectFrom("subscribers").where("campaign_id", "=", q.campaignId);
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
