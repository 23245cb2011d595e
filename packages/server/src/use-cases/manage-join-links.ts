// The owner's side of one-click join links: the campaign's secret (created on first use, rotated on request)
// and links issued for known customers' emails.
import {
  type CreateJoinLinkInput,
  type JoinLinkClaims,
  joinLinkUrl,
  newJoinLinkSecret,
  signJoinLink,
} from "@vouch/core";
import {
  type CampaignRow,
  type DB,
  ensureJoinLinkSecret,
  type JoinLinkSecretRow,
  type Kysely,
  replaceJoinLinkSecret,
} from "@vouch/db";

const DAY_S = 86_400;

export interface IssuedJoinLink {
  url: string;
  email: string;
  name: string | null;
  expires_at: string;
}

/** The campaign's secret; the first call creates it (two concurrent first calls agree on one). */
export function getOrCreateJoinLinkSecret(
  db: Kysely<DB>,
  campaign: CampaignRow,
  now: number,
): Promise<JoinLinkSecretRow> {
  return ensureJoinLinkSecret(db, { campaign_id: campaign.id, secret: newJoinLinkSecret(), created_at: now });
}

/** A new secret, at once: every link signed with the old one stops working (a leaked secret is dead). */
export async function rotateJoinLinkSecret(
  db: Kysely<DB>,
  campaign: CampaignRow,
  now: number,
): Promise<JoinLinkSecretRow> {
  const row = { campaign_id: campaign.id, secret: newJoinLinkSecret(), created_at: now };
  await replaceJoinLinkSecret(db, row);
  return row;
}

/** The page URL (default: the campaign's) with rh_email, rh_name, rh_exp and rh_sig for one customer. */
export async function issueJoinLink(
  db: Kysely<DB>,
  campaign: CampaignRow,
  input: CreateJoinLinkInput,
  now: number,
): Promise<IssuedJoinLink> {
  const { secret } = await getOrCreateJoinLinkSecret(db, campaign, now);
  const exp = Math.floor(now / 1000) + input.expires_in_days * DAY_S;
  const claims: JoinLinkClaims = {
    campaignId: campaign.id,
    email: input.email,
    name: input.name ?? "",
    exp: String(exp),
  };
  return {
    url: joinLinkUrl(input.url ?? campaign.url, claims, signJoinLink(secret, claims)),
    email: input.email,
    name: input.name ?? null,
    expires_at: new Date(exp * 1000).toISOString(),
  };
}
