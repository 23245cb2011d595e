import type { Kysely } from "kysely";
import type { DB, VisitRow } from "../schema.js";

export async function insertVisits(db: Kysely<DB>, rows: readonly VisitRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto("visits").values(rows).execute();
}

/** The visitor's landings through a known ambassador since `since`, with the ambassador's email. */
export async function listReferredVisits(
  db: Kysely<DB>,
  campaignId: string,
  visitorId: string,
  since: number,
): Promise<
  Array<{ subscriber_id: string; email: string; code: string; source: string; created_at: number }>
> {
  const rows = await db
    .selectFrom("visits")
    .innerJoin("subscribers", "subscribers.id", "visits.subscriber_id")
    .select([
      "visits.subscriber_id as subscriber_id",
      "subscribers.email as email",
      "subscribers.code as code",
      "visits.source as source",
      "visits.created_at as created_at",
    ])
    .where("visits.campaign_id", "=", campaignId)
    .where("visits.visitor_id", "=", visitorId)
    .where("visits.created_at", ">=", since)
    .orderBy("visits.created_at")
    .limit(100)
    .execute();
  return rows.map((r) => ({ ...r, subscriber_id: r.subscriber_id as string }));
}
