import { chooseReferrer, type ReferralCandidate, SOURCE_DIRECT } from "@vouch/core";
import {
  type CampaignRow,
  type DB,
  getVisitorLink,
  type Kysely,
  listReferredVisitsOf,
  listSubscribersByIdsOrCodes,
} from "@vouch/db";

const DAY_MS = 86_400_000;

/**
 * Who referred someone joining (identify(), the sign-up widget): among the browser's remembered referrals and the
 * visits recorded for its visitor id, by the campaign's first/last rule within its window — as conversions are
 * attributed — and never the person joining, nor the ambassador this browser is already linked to (someone
 * signing up a second address on their own browser).
 */
export async function chooseJoiningReferrer(
  db: Kysely<DB>,
  campaign: CampaignRow,
  joining: {
    email: string;
    vid?: string | null | undefined;
    refs: ReadonlyArray<{ code: string; ts: number }>;
  },
  now: number,
): Promise<ReferralCandidate | undefined> {
  const since = now - campaign.cookie_window_days * DAY_MS;
  const vid = joining.vid ?? null;
  const [people, visits, link] = await Promise.all([
    listSubscribersByIdsOrCodes(
      db,
      [],
      joining.refs.map((r) => r.code),
    ),
    vid ? listReferredVisitsOf(db, [campaign.id], [vid], since) : Promise.resolve([]),
    vid ? getVisitorLink(db, campaign.id, vid) : Promise.resolve(undefined),
  ]);
  const candidates: ReferralCandidate[] = visits.map((v) => ({
    subscriberId: v.subscriber_id,
    subscriberEmail: v.email,
    code: v.code,
    at: v.created_at,
    source: v.source,
  }));
  for (const ref of joining.refs) {
    const sub = people.find((s) => s.campaign_id === campaign.id && s.code === ref.code);
    if (sub)
      candidates.push({
        subscriberId: sub.id,
        subscriberEmail: sub.email,
        code: sub.code,
        at: ref.ts,
        source: SOURCE_DIRECT,
      });
  }
  const outcome = chooseReferrer({
    candidates,
    mode: campaign.attribution,
    windowDays: campaign.cookie_window_days,
    now,
    convertingEmail: joining.email,
    convertingSubscriberId: link?.subscriber_id ?? null,
  });
  return outcome.kind === "referred" ? outcome.referral : undefined;
}
