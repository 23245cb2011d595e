import { detectSource, newId, type PixelVisitInput } from "@vouch/core";
import {
  type CampaignRow,
  type DB,
  insertVisits,
  type Kysely,
  listAmbassadorCodes,
  type VisitRow,
} from "@vouch/db";

export interface VisitRequest {
  campaign: CampaignRow;
  input: PixelVisitInput;
  now: number;
}

/**
 * Records landings through referral links, a batch at a time: campaign, code, source, landing page and the
 * opaque visitor id. No personal data: the landing page is kept without its query string or fragment.
 */
export async function recordVisits(
  db: Kysely<DB>,
  requests: readonly VisitRequest[],
): Promise<Array<{ id: string; referred: boolean }>> {
  const codes = [...new Set(requests.map((r) => r.input.code))];
  const known = await listAmbassadorCodes(db, codes);
  const rows: VisitRow[] = requests.map(({ campaign, input, now }) => {
    const subscriber = known.find((s) => s.code === input.code && s.campaign_id === campaign.id);
    return {
      id: newId("vis", now),
      campaign_id: campaign.id,
      visitor_id: input.vid,
      code: input.code,
      subscriber_id: subscriber?.id ?? null,
      source: detectSource({ url: input.url, referrer: input.referrer ?? null }),
      landing_page: landingPage(input.url),
      created_at: now,
    };
  });
  await insertVisits(db, rows);
  return rows.map((r) => ({ id: r.id, referred: r.subscriber_id !== null }));
}

function landingPage(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`.slice(0, 500);
  } catch {
    return "";
  }
}
