import { referralLink } from "@vouch/core";
import type { CampaignRow, SubscriberRow } from "@vouch/db";

export function subscriberView(s: SubscriberRow, campaign: Pick<CampaignRow, "url">) {
  return {
    id: s.id,
    campaign_id: s.campaign_id,
    email: s.email,
    name: s.name,
    extra_field: s.extra_field,
    extra_field_2: s.extra_field_2,
    code: s.code,
    referral_link: referralLink(campaign.url, s.code),
    referred_by: s.referred_by,
    people_referred: s.people_referred,
    created_at: new Date(s.created_at).toISOString(),
    /** false while the ambassador has not confirmed their email (double opt-in): they earn no rewards yet. */
    verified: s.verification_pending !== 1,
    /** When they confirmed; null when no confirmation was asked (or not yet given). */
    verified_at: s.verified_at === null ? null : new Date(s.verified_at).toISOString(),
  };
}
