// Set-based queries for group commit: each touches every request of a batch in one statement.
import { type Kysely, sql } from "kysely";
import type { ConversionRow, DB, SubscriberRow, WebhookRow } from "../schema.js";

export interface DedupGroup {
  campaignId: string;
  event: string;
  emails: string[];
  transactionIds: string[];
}

/**
 * Conversions already recorded under any of the groups' emails or transaction ids. One query per key kind and
 * group, each an index lookup: an OR across the two columns would make SQLite scan the campaign's conversions.
 */
export async function findConversionsByKeys(
  db: Kysely<DB>,
  groups: readonly DedupGroup[],
): Promise<ConversionRow[]> {
  const lookups: Array<Promise<ConversionRow[]>> = [];
  for (const g of groups) {
    const base = db
      .selectFrom("conversions")
      .selectAll()
      .where("campaign_id", "=", g.campaignId)
      .where("event", "=", g.event);
    if (g.emails.length > 0) lookups.push(base.where("email", "in", g.emails).execute());
    if (g.transactionIds.length > 0)
      lookups.push(base.where("transaction_id", "in", g.transactionIds).execute());
  }
  const rows = (await Promise.all(lookups)).flat();
  return [...new Map(rows.map((r) => [r.id, r])).values()].sort((a, b) => a.created_at - b.created_at);
}

/** Inserts what no unique key already holds; returns the ids inserted. */
export async function insertConversions(
  db: Kysely<DB>,
  rows: readonly ConversionRow[],
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await db
    .insertInto("conversions")
    .values(rows)
    .onConflict((oc) => oc.doNothing())
    .returning("id")
    .execute();
  return new Set(inserted.map((r) => r.id));
}

export async function listSubscribersByIdsOrCodes(
  db: Kysely<DB>,
  ids: readonly string[],
  codes: readonly string[],
): Promise<SubscriberRow[]> {
  if (ids.length === 0 && codes.length === 0) return [];
  // A deleted ambassador is found by neither id nor code: nothing is attributed or counted to them any more.
  return db
    .selectFrom("subscribers")
    .selectAll()
    .where("deleted_at", "is", null)
    .where((eb) => {
      const ors = [];
      if (ids.length > 0) ors.push(eb("id", "in", ids));
      if (codes.length > 0) ors.push(eb("code", "in", codes));
      return eb.or(ors);
    })
    .execute();
}

export interface ReferredVisit {
  campaign_id: string;
  visitor_id: string;
  subscriber_id: string;
  email: string;
  code: string;
  source: string;
  created_at: number;
}

/** The visitors' landings through known ambassadors since `since`. */
export async function listReferredVisitsOf(
  db: Kysely<DB>,
  campaignIds: readonly string[],
  visitorIds: readonly string[],
  since: number,
): Promise<ReferredVisit[]> {
  if (visitorIds.length === 0 || campaignIds.length === 0) return [];
  const rows = await db
    .selectFrom("visits")
    .innerJoin("subscribers", "subscribers.id", "visits.subscriber_id")
    .select([
      "visits.campaign_id as campaign_id",
      "visits.visitor_id as visitor_id",
      "visits.subscriber_id as subscriber_id",
      "subscribers.email as email",
      "subscribers.code as code",
      "visits.source as source",
      "visits.created_at as created_at",
    ])
    .where("visits.campaign_id", "in", campaignIds)
    .where("visits.visitor_id", "in", visitorIds)
    .where("visits.created_at", ">=", since)
    .where("subscribers.deleted_at", "is", null)
    .execute();
  // Sorted here, not in SQL: an ORDER BY created_at tempts SQLite into the (campaign, created_at) index, which
  // reads every visit of the window instead of the few of these visitors.
  return rows
    .map((r) => ({ ...r, subscriber_id: r.subscriber_id as string }))
    .sort((a, b) => a.created_at - b.created_at);
}

/** Records friends per referrer; returns the pairs that were new. */
export async function insertReferredFriends(
  db: Kysely<DB>,
  rows: ReadonlyArray<{ referrer_id: string; friend_key: string; conversion_id: string; created_at: number }>,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await db
    .insertInto("referred_friends")
    .values(rows)
    .onConflict((oc) => oc.columns(["referrer_id", "friend_key"]).doNothing())
    .returning(["referrer_id", "friend_key"])
    .execute();
  return new Set(inserted.map((r) => `${r.referrer_id} ${r.friend_key}`));
}

/** Adds each referrer's newly referred friends to people_referred, in one statement. */
/** Adds each referrer's new friends to their count; returns those referrers as they now stand. */
export async function addPeopleReferred(
  db: Kysely<DB>,
  increments: ReadonlyMap<string, number>,
): Promise<SubscriberRow[]> {
  if (increments.size === 0) return [];
  const ids = [...increments.keys()];
  const cases = sql.join(
    ids.map((id) => sql`when ${id} then cast(${increments.get(id) ?? 0} as integer)`),
    sql` `,
  );
  return db
    .updateTable("subscribers")
    .set({ people_referred: sql<number>`people_referred + (case id ${cases} else 0 end)` })
    .where("id", "in", ids)
    .returningAll()
    .execute();
}

export async function listWebhooksOf(db: Kysely<DB>, campaignIds: readonly string[]): Promise<WebhookRow[]> {
  if (campaignIds.length === 0) return [];
  return db.selectFrom("webhooks").selectAll().where("campaign_id", "in", campaignIds).execute();
}

export async function listSubscribersByEmails(
  db: Kysely<DB>,
  campaignIds: readonly string[],
  emails: readonly string[],
): Promise<SubscriberRow[]> {
  if (campaignIds.length === 0 || emails.length === 0) return [];
  return db
    .selectFrom("subscribers")
    .selectAll()
    .where("campaign_id", "in", campaignIds)
    .where("email", "in", emails)
    .execute();
}
