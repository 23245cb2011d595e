/** Every event a webhook can subscribe to. `event_conversion` is the seed's "Event tracked". */
export const WEBHOOK_EVENTS = [
  "event_conversion",
  "new_registration",
  "conversion_updated",
  "reward_unlocked",
  "reward_sent",
  "subscriber_updated",
  "subscriber_deleted",
] as const;

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
