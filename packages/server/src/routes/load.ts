import { type CampaignRow, type DB, getCampaign, type Kysely } from "@vouch/db";
import { notFound } from "../errors.js";

export async function loadCampaign(db: Kysely<DB>, id: string): Promise<CampaignRow> {
  const campaign = await getCampaign(db, id);
  if (!campaign) throw notFound("campaign");
  return campaign;
}
