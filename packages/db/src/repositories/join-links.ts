import type { Kysely } from "kysely";
import type { DB, JoinLinkSecretRow } from "../schema.js";

export async function getJoinLinkSecret(
  db: Kysely<DB>,
  campaignId: string,
): Promise<JoinLinkSecretRow | undefined> {
  return db
    .selectFrom("join_link_secrets")
    .selectAll()
    .where("campaign_id", "=", campaignId)
    .executeTakeFirst();
}

/** Stores `row` unless the campaign has a secret already; returns the one that is now stored. */
export async function ensureJoinLinkSecret(
  db: Kysely<DB>,
  row: JoinLinkSecretRow,
): Promise<JoinLinkSecretRow> {
  await db
    .insertInto("join_link_secrets")
    .values(row)
    .onConflict((oc) => oc.column("campaign_id").doNothing())
    .execute();
  const stored = await getJoinLinkSecret(db, row.campaign_id);
  if (!stored) throw new Error(`join link secret of ${row.campaign_id} vanished after its insert`);
  return stored;
}

/** Replaces the campaign's secret (or stores its first one). */
export async function replaceJoinLinkSecret(db: Kysely<DB>, row: JoinLinkSecretRow): Promise<void> {
  await db
    .insertInto("join_link_secrets")
    .values(row)
    .onConflict((oc) =>
      oc.column("campaign_id").doUpdateSet((eb) => ({
        secret: eb.ref("excluded.secret"),
        created_at: eb.ref("excluded.created_at"),
      })),
    )
    .execute();
}
