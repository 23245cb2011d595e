import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  // When the owner deleted (erased) the ambassador; null for everyone else, so no backfill is needed. The row
  // stays, without personal data, because conversions, rewards and friends counts reference its id.
  await db.schema.alterTable("subscribers").addColumn("deleted_at", "bigint").execute();
}
