import type { UpdateCampaignInput } from "@vouch/core";
import { type CampaignRow, type DB, type Kysely, updateCampaign as updateRow } from "@vouch/db";
import { notFound } from "../errors.js";

export async function updateCampaign(
  db: Kysely<DB>,
  id: string,
  input: UpdateCampaignInput,
  now = Date.now(),
): Promise<CampaignRow> {
  const { events, allowed_domains, double_opt_in, ...rest } = input;
  const row = await updateRow(db, id, {
    ...rest,
    ...(events ? { events: JSON.stringify(events) } : {}),
    ...(allowed_domains !== undefined
      ? { allowed_domains: allowed_domains === null ? null : JSON.stringify(allowed_domains) }
      : {}),
    ...(double_opt_in !== undefined ? { double_opt_in: double_opt_in ? 1 : 0 } : {}),
    updated_at: now,
  });
  if (!row) throw notFound("campaign");
  return row;
}
