// Webhook bodies in ReferralHero's shapes. Pure: callers pass rows already converted to the seed's units.
import type { WebhookEvent } from "./events.js";

/** The ambassador as the seed's `referrer` object shows them. */
export interface ReferrerObject {
  subscriber_id: string;
  name: string | null;
  email: string;
  extra_field: string | null;
  extra_field_2: string | null;
  code: string;
  referral_link: string;
  people_referred: number;
}

export interface EventConversionPayload {
  response: "event_conversion";
  list_uuid: string;
  event_name: string;
  event_data: {
    id: string;
    currency: string | null;
    amount: number | null;
    transaction_id: string | null;
    source: string;
    first_name: string | null;
    last_name: string | null;
    email: string | null;
    /** Unix seconds, UTC. */
    created_at: number;
  };
  referrer: ReferrerObject;
}

export function eventConversionPayload(input: {
  campaignId: string;
  conversion: {
    id: string;
    event: string;
    currency: string | null;
    amount: number | null;
    transaction_id: string | null;
    source: string;
    first_name: string | null;
    last_name: string | null;
    email: string | null;
    created_at: number;
  };
  referrer: ReferrerObject;
}): EventConversionPayload {
  const c = input.conversion;
  return {
    response: "event_conversion",
    list_uuid: input.campaignId,
    event_name: c.event,
    event_data: {
      id: c.id,
      currency: c.currency,
      amount: c.amount,
      transaction_id: c.transaction_id,
      source: c.source,
      first_name: c.first_name,
      last_name: c.last_name,
      email: c.email,
      created_at: unixSeconds(c.created_at),
    },
    referrer: input.referrer,
  };
}

export interface NewRegistrationPayload {
  response: "new_registration";
  list_uuid: string;
  subscriber_id: string;
  name: string | null;
  email: string;
  extra_field: string | null;
  extra_field_2: string | null;
  code: string;
  source: string;
  referral_link: string;
  referred: boolean;
  referral: { name: string | null; email: string; code: string; people_referred: number } | "";
  /** false while the ambassador has not confirmed their email (double opt-in); subscriber_updated says when they do. */
  verified: boolean;
  created_at: number;
}

export function newRegistrationPayload(input: {
  campaignId: string;
  subscriber: ReferrerObject & { created_at: number };
  source: string;
  referredBy: ReferrerObject | null;
  verified: boolean;
}): NewRegistrationPayload {
  const s = input.subscriber;
  const r = input.referredBy;
  return {
    response: "new_registration",
    list_uuid: input.campaignId,
    subscriber_id: s.subscriber_id,
    name: s.name,
    email: s.email,
    extra_field: s.extra_field,
    extra_field_2: s.extra_field_2,
    code: s.code,
    source: input.source,
    referral_link: s.referral_link,
    referred: r !== null,
    referral: r ? { name: r.name, email: r.email, code: r.code, people_referred: r.people_referred } : "",
    verified: input.verified,
    created_at: unixSeconds(s.created_at),
  };
}

/** The fields of the ambassador that the owner can correct, as they were before a subscriber_updated. */
export type SubscriberFieldValues = Partial<
  Pick<ReferrerObject, "email" | "name" | "extra_field" | "extra_field_2">
>;

export interface SubscriberUpdatedPayload {
  response: "subscriber_updated";
  list_uuid: string;
  subscriber: ReferrerObject & { verified: boolean; verified_at: number | null };
  /** What changed, e.g. ["verified"] or ["email", "name"]. */
  changes: string[];
  /** The changed fields' values before the change (present when the owner corrected fields). */
  previous?: SubscriberFieldValues;
  created_at: number;
}

/**
 * An ambassador changed: they confirmed their email (double opt-in), or the owner corrected them. Times in Unix
 * seconds. `verified` defaults to "confirmed at some time" (verifiedAt set); callers that know better pass it.
 */
export function subscriberUpdatedPayload(input: {
  campaignId: string;
  subscriber: ReferrerObject;
  verifiedAt: number | null;
  verified?: boolean;
  changes: string[];
  previous?: SubscriberFieldValues;
  now: number;
}): SubscriberUpdatedPayload {
  return {
    response: "subscriber_updated",
    list_uuid: input.campaignId,
    subscriber: ambassadorState(input.subscriber, input.verifiedAt, input.verified),
    changes: input.changes,
    ...(input.previous ? { previous: input.previous } : {}),
    created_at: unixSeconds(input.now),
  };
}

export interface SubscriberDeletedPayload {
  response: "subscriber_deleted";
  list_uuid: string;
  /** The ambassador as they were before the deletion erased them, so the owner's systems know who it was. */
  subscriber: ReferrerObject & { verified: boolean; verified_at: number | null };
  /** Unix seconds: when they were deleted. */
  created_at: number;
}

/** The owner deleted an ambassador (their personal data is erased from Vouch as this is sent). */
export function subscriberDeletedPayload(input: {
  campaignId: string;
  subscriber: ReferrerObject;
  verifiedAt: number | null;
  verified: boolean;
  now: number;
}): SubscriberDeletedPayload {
  return {
    response: "subscriber_deleted",
    list_uuid: input.campaignId,
    subscriber: ambassadorState(input.subscriber, input.verifiedAt, input.verified),
    created_at: unixSeconds(input.now),
  };
}

function ambassadorState(subscriber: ReferrerObject, verifiedAt: number | null, verified?: boolean) {
  return {
    ...subscriber,
    verified: verified ?? verifiedAt !== null,
    verified_at: verifiedAt === null ? null : unixSeconds(verifiedAt),
  };
}

/** A realistic example of each event, for "send test" and the docs. */
export function samplePayload(event: WebhookEvent, campaignId: string, now: number): Record<string, unknown> {
  const referrer: ReferrerObject = {
    subscriber_id: "sub_sample_mark",
    name: "Mark James",
    email: "mark@example.com",
    extra_field: "USA",
    extra_field_2: null,
    code: "MARK-7K3Q",
    referral_link: "https://www.example.com/?mwr=MARK-7K3Q",
    people_referred: 12,
  };
  const conversion = {
    id: "cnv_sample",
    event: "download",
    currency: "USD",
    amount: 15.7,
    transaction_id: "TRX_123",
    source: "twitter",
    first_name: "John",
    last_name: "Smith",
    email: "john@example.com",
    created_at: now,
  };
  switch (event) {
    case "event_conversion":
      return { ...eventConversionPayload({ campaignId, conversion, referrer }), test: true };
    case "new_registration":
      return {
        ...newRegistrationPayload({
          campaignId,
          subscriber: {
            ...referrer,
            subscriber_id: "sub_sample_sara",
            name: "Sara",
            email: "sara@example.com",
            code: "SARA-2M4N",
            referral_link: "https://www.example.com/?mwr=SARA-2M4N",
            people_referred: 0,
            created_at: now,
          },
          source: "twitter",
          referredBy: referrer,
          verified: true,
        }),
        test: true,
      };
    case "conversion_updated":
      return {
        response: "conversion_updated",
        list_uuid: campaignId,
        event_name: "download",
        event_data: {
          ...eventConversionPayload({ campaignId, conversion, referrer }).event_data,
          status: "refunded",
          previous_status: "confirmed",
        },
        referrer,
        test: true,
      };
    case "reward_unlocked":
    case "reward_sent":
      return {
        response: event,
        list_uuid: campaignId,
        reward: {
          id: "rwd_sample",
          name: "Free account",
          description: "A free account for 3 friends who download the app",
          value: null,
          coupon_code: null,
          status: event === "reward_sent" ? "sent" : "pending",
        },
        subscriber: referrer,
        test: true,
      };
    case "subscriber_updated":
      return {
        ...subscriberUpdatedPayload({
          campaignId,
          subscriber: referrer,
          verifiedAt: now,
          changes: ["verified"],
          now,
        }),
        test: true,
      };
    case "subscriber_deleted":
      return {
        ...subscriberDeletedPayload({
          campaignId,
          subscriber: referrer,
          verifiedAt: now,
          verified: true,
          now,
        }),
        test: true,
      };
  }
}

export const unixSeconds = (ms: number): number => Math.floor(ms / 1000);
