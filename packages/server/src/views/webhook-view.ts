import { type ReferrerObject, referralLink } from "@vouch/core";
import type { CampaignRow, DeliveryLogRow, SubscriberRow, WebhookRow } from "@vouch/db";

/** The endpoint as GET shows it: never the secret. */
export function webhookView(w: WebhookRow) {
  return {
    id: w.id,
    campaign_id: w.campaign_id,
    url: w.url,
    events: JSON.parse(w.events) as string[],
    enabled: w.enabled === 1,
    disabled_reason: w.disabled_reason,
    failing_since: w.failing_since === null ? null : new Date(w.failing_since).toISOString(),
    created_at: new Date(w.created_at).toISOString(),
    updated_at: new Date(w.updated_at).toISOString(),
  };
}

export function deliveryView(a: DeliveryLogRow) {
  return {
    id: a.id,
    message_id: a.message_id,
    event_type: a.event_type,
    message_status: a.message_status,
    attempted_at: new Date(a.attempted_at).toISOString(),
    status: a.status_code,
    duration_ms: a.duration_ms,
    error: a.error,
    response_body: a.response_body,
  };
}

/** The ambassador in the seed's `referrer` shape. */
export function referrerObject(s: SubscriberRow, campaign: Pick<CampaignRow, "url">): ReferrerObject {
  return {
    subscriber_id: s.id,
    name: s.name,
    email: s.email,
    extra_field: s.extra_field,
    extra_field_2: s.extra_field_2,
    code: s.code,
    referral_link: referralLink(campaign.url, s.code),
    people_referred: s.people_referred,
  };
}
