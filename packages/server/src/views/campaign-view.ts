import { effectiveAllowedDomains } from "@vouch/core";
import type { CampaignRow } from "@vouch/db";

export function campaignView(c: CampaignRow) {
  return {
    id: c.id,
    name: c.name,
    url: c.url,
    events: JSON.parse(c.events) as string[],
    public_key: c.public_key,
    cookie_window_days: c.cookie_window_days,
    attribution: c.attribution,
    status: c.status,
    default_currency: c.default_currency,
    confirmation: c.confirmation,
    allowed_domains: effectiveAllowedDomains(c),
    double_opt_in: c.double_opt_in === 1,
    created_at: new Date(c.created_at).toISOString(),
    updated_at: new Date(c.updated_at).toISOString(),
  };
}

/** Parsed once per distinct `events` text: every pixel conversion checks its event against them. */
const eventsByText = new Map<string, readonly string[]>();

export function campaignEvents(c: CampaignRow): readonly string[] {
  let events = eventsByText.get(c.events);
  if (!events) {
    events = Object.freeze(JSON.parse(c.events) as string[]);
    if (eventsByText.size >= 1_000) eventsByText.clear();
    eventsByText.set(c.events, events);
  }
  return events;
}
