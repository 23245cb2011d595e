import { detectSource, newId, type PixelVisitInput } from "@vouch/core";
import { type CampaignRow, type DB, getSubscriberByCode, insertVisits, type Kysely } from "@vouch/db";

/**
 * Records a landing through a referral link: campaign, code, source, landing page and the opaque visitor id.
 * No personal data: the landing page is kept without its query string or fragment.
 */
export async function recordVisit(
  db: Kysely<DB>,
  campaign: CampaignRow,
  input: PixelVisitInput,
  now: number,
): Promise<{ id: string; referred: boolean }> {
  const subscriber = await getSubscriberByCode(db, campaign.id, input.code);
  const id = newId("vis", now);
  await insertVisits(db, [
    {
      id,
      campaign_id: campaign.id,
      visitor_id: input.vid,
      code: input.code,
      subscriber_id: subscriber?.id ?? null,
      source: detectSource({ url: input.url, referrer: input.referrer ?? null }),
      landing_page: landingPage(input.url),
      created_at: now,
    },
  ]);
  return { id, referred: subscriber !== undefined };
}

function landingPage(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`.slice(0, 500);
  } catch {
    return "";
  }
}
