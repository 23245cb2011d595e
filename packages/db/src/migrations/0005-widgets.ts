import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  // An ambassador signed in to the widgets on a customer's site: only the token's hash is kept.
  await db.schema
    .createTable("widget_sessions")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("campaign_id", "text", (c) => c.notNull().references("campaigns.id"))
    .addColumn("subscriber_id", "text", (c) => c.notNull().references("subscribers.id"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("widget_sessions_subscriber")
    .on("widget_sessions")
    .columns(["subscriber_id"])
    .execute();

  // Shares counted per ambassador and network: one row each, counted up.
  await db.schema
    .createTable("widget_shares")
    .addColumn("subscriber_id", "text", (c) => c.notNull().references("subscribers.id"))
    .addColumn("network", "text", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("widget_shares_pk", ["subscriber_id", "network"])
    .execute();
}
