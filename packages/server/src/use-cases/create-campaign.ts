import { type CreateCampaignInput, newId, randomToken } from "@vouch/core";
import { type CampaignRow, type DB, insertCampaign, type Kysely } from "@vouch/db";

export async function createCampaign(
  db: Kysely<DB>,
  input: CreateCampaignInput,
  now = Date.now(),
): Promise<CampaignRow> {
  const row: CampaignRow = {
    id: newId("cmp", now),
    name: input.name,
    url: input.url,
    events: JSON.stringify(input.events),
    public_key: `pk_${randomToken(24)}`,
    cookie_window_days: input.cookie_window_days,
    attribution: input.attribution,
    status: input.status,
    default_currency: input.default_currency,
    confirmation: input.confirmation,
    // Unset, the host of the url is allowed, and follows the url when it changes.
    allowed_domains: input.allowed_domains ? JSON.stringify(input.allowed_domains) : null,
    double_opt_in: input.double_opt_in ? 1 : 0,
    created_at: now,
    updated_at: now,
  };
  await insertCampaign(db, row);
  return row;
}
