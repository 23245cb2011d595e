import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  // The sites that may call identify, as a JSON array of hostnames; null keeps the default, the host of the
  // campaign's url (so existing campaigns need no backfill, and follow a change of their url).
  await db.schema.alterTable("campaigns").addColumn("allowed_domains", "text").execute();

  // A browser (the pixel's visitor id) linked to the ambassador it identified as: their own later conversions
  // from it are self-referrals. One ambassador per campaign and visitor id.
  await db.schema
    .createTable("visitor_links")
    .addColumn("campaign_id", "text", (c) => c.notNull().references("campaigns.id"))
    .addColumn("visitor_id", "text", (c) => c.notNull())
    .addColumn("subscriber_id", "text", (c) => c.notNull().references("subscribers.id"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("visitor_links_pk", ["campaign_id", "visitor_id"])
    .execute();
  await db.schema
    .createIndex("visitor_links_subscriber")
    .on("visitor_links")
    .columns(["subscriber_id"])
    .execute();
}
