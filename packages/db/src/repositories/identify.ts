import type { Kysely } from "kysely";
import type { DB, VisitorLinkRow } from "../schema.js";
import { list, runShaped } from "./batch-sql.js";

/** Links a browser to an ambassador; a browser already linked in this campaign moves to the newest one. */
export async function upsertVisitorLink(db: Kysely<DB>, row: VisitorLinkRow): Promise<void> {
  await db
    .insertInto("visitor_links")
    .values(row)
    .onConflict((oc) =>
      oc.columns(["campaign_id", "visitor_id"]).doUpdateSet((eb) => ({
        subscriber_id: eb.ref("excluded.subscriber_id"),
        created_at: eb.ref("excluded.created_at"),
      })),
    )
    .execute();
}

/** The ambassador this browser identified as in the campaign, if any. */
export async function getVisitorLink(
  db: Kysely<DB>,
  campaignId: string,
  visitorId: string,
): Promise<VisitorLinkRow | undefined> {
  return db
    .selectFrom("visitor_links")
    .selectAll()
    .where("campaign_id", "=", campaignId)
    .where("visitor_id", "=", visitorId)
    .executeTakeFirst();
}

/** The links of many browsers at once (one query for an ingest batch). */
export async function listVisitorLinks(
  db: Kysely<DB>,
  campaignIds: readonly string[],
  visitorIds: readonly string[],
): Promise<VisitorLinkRow[]> {
  if (campaignIds.length === 0 || visitorIds.length === 0) return [];
  return runShaped<VisitorLinkRow>(
    db,
    `visitorLinks ${campaignIds.length} ${visitorIds.length}`,
    (p) =>
      `select * from "visitor_links" where "campaign_id" in ${list(p, campaignIds.length)} and "visitor_id" in ${list(p, visitorIds.length)}`,
    [...campaignIds, ...visitorIds],
  );
}
