import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  // The key of each campaign's one-click join links. Created on first use (a campaign whose owner never
  // issues a link has none) and replaced by a rotation, which voids every link signed with the old one.
  await db.schema
    .createTable("join_link_secrets")
    .addColumn("campaign_id", "text", (c) => c.primaryKey().references("campaigns.id"))
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
}
