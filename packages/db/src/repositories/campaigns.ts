import type { Kysely, Updateable } from "kysely";
import type { CampaignRow, CampaignsTable, DB } from "../schema.js";

export async function insertCampaign(db: Kysely<DB>, row: CampaignRow): Promise<void> {
  await db.insertInto("campaigns").values(row).execute();
}

export async function getCampaign(db: Kysely<DB>, id: string): Promise<CampaignRow | undefined> {
  return db.selectFrom("campaigns").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function getCampaignByPublicKey(
  db: Kysely<DB>,
  publicKey: string,
): Promise<CampaignRow | undefined> {
  return db.selectFrom("campaigns").selectAll().where("public_key", "=", publicKey).executeTakeFirst();
}

export async function listCampaigns(db: Kysely<DB>): Promise<CampaignRow[]> {
  return db.selectFrom("campaigns").selectAll().orderBy("id").execute();
}

export async function updateCampaign(
  db: Kysely<DB>,
  id: string,
  changes: Updateable<CampaignsTable>,
): Promise<CampaignRow | undefined> {
  await db.updateTable("campaigns").set(changes).where("id", "=", id).execute();
  return getCampaign(db, id);
}
