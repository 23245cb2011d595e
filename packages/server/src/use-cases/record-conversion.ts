import {
  chooseReferrer,
  eventConversionPayload,
  friendKey,
  newId,
  type ReferralCandidate,
  SOURCE_DIRECT,
  toMinorUnits,
} from "@vouch/core";
import {
  type CampaignRow,
  type ConversionRow,
  type DB,
  findDuplicateConversion,
  getSubscriber,
  getSubscriberByCode,
  incrementPeopleReferred,
  insertConversion,
  insertReferredFriend,
  type Kysely,
  listReferredVisits,
  listSubscribersByCodes,
  type SubscriberRow,
} from "@vouch/db";
import { AppError } from "../errors.js";
import { campaignEvents } from "../views/campaign-view.js";
import { conversionView } from "../views/conversion-view.js";
import { referrerObject } from "../views/webhook-view.js";
import { enqueueWebhookEvent } from "./enqueue-webhook-event.js";

export interface ConversionFields {
  email?: string | undefined;
  first_name?: string | undefined;
  last_name?: string | undefined;
  currency?: string | undefined;
  amount?: number | undefined;
  transaction_id?: string | undefined;
}

export interface ConversionRequest {
  campaign: CampaignRow;
  event: string;
  fields: ConversionFields;
  channel: "pixel" | "api";
  visitorId: string | null;
  /** Referrals the visitor's browser remembers (first and last), from the pixel. */
  refs: ReadonlyArray<{ code: string; ts: number }>;
  /** A referrer the server-side caller names outright. */
  named?: { code?: string | undefined; subscriberId?: string | undefined };
  now: number;
}

export interface RecordConversionOutcome {
  created: boolean;
  conversion: ConversionRow;
  referrer: SubscriberRow | null;
}

/** Checks that need no database: run before queueing so bad requests are answered at once. */
export function assertAcceptsConversion(
  campaign: CampaignRow,
  event: string,
  fields: ConversionFields,
): void {
  if (campaign.status !== "active")
    throw new AppError("campaign_paused", "this campaign is paused and records no conversions");
  if (!campaignEvents(campaign).includes(event)) {
    throw new AppError("unknown_event", `"${event}" is not an event of this campaign`, "event");
  }
  if (fields.amount !== undefined) minorUnits(fields.amount, fields.currency ?? campaign.default_currency);
}

/** Records a conversion once per email (and per transaction_id), attributes it and counts the friend. */
export async function recordConversion(
  db: Kysely<DB>,
  req: ConversionRequest,
): Promise<RecordConversionOutcome> {
  const { campaign, event, fields, now } = req;
  const email = fields.email ?? null;
  const transactionId = fields.transaction_id ?? null;
  assertAcceptsConversion(campaign, event, fields);

  // 1. A repeat answers with the conversion already recorded and changes nothing.
  const dupKey = { campaignId: campaign.id, event, email, transactionId };
  const duplicate = await findDuplicateConversion(db, dupKey);
  if (duplicate) return { created: false, conversion: duplicate, referrer: await referrerOf(db, duplicate) };

  // 2. Attribute: gather who may have referred this visitor, then let the campaign's rule choose.
  const candidates = await gatherCandidates(db, req);
  const outcome = chooseReferrer({
    candidates,
    mode: campaign.attribution,
    windowDays: req.named ? 36_500 : campaign.cookie_window_days,
    now,
    convertingEmail: email,
  });
  const referral = outcome.kind === "referred" ? outcome.referral : null;

  // 3. Store; a concurrent twin that won the unique index makes this a repeat after all.
  const currency =
    fields.amount !== undefined ? (fields.currency ?? campaign.default_currency) : (fields.currency ?? null);
  const conversion: ConversionRow = {
    id: newId("cnv", now),
    campaign_id: campaign.id,
    event,
    email,
    first_name: fields.first_name ?? null,
    last_name: fields.last_name ?? null,
    amount_minor: fields.amount !== undefined && currency ? minorUnits(fields.amount, currency) : null,
    currency,
    transaction_id: transactionId,
    source: referral?.source ?? SOURCE_DIRECT,
    status: "confirmed",
    verified: req.channel === "api" ? 1 : 0,
    channel: req.channel,
    referrer_id: referral?.subscriberId ?? null,
    referral_code: referral?.code ?? null,
    visitor_id: req.visitorId,
    created_at: now,
  };
  if (!(await insertConversion(db, conversion))) {
    const twin = await findDuplicateConversion(db, dupKey);
    if (!twin) throw new Error("conversion insert conflicted but no twin was found");
    return { created: false, conversion: twin, referrer: await referrerOf(db, twin) };
  }

  // 4. Count the friend once per referrer (people_referred).
  if (!referral) return { created: true, conversion, referrer: null };
  const key = friendKey({ email, visitorId: req.visitorId, conversionId: conversion.id });
  const isNewFriend = await insertReferredFriend(db, {
    referrer_id: referral.subscriberId,
    friend_key: key,
    conversion_id: conversion.id,
    created_at: now,
  });
  if (isNewFriend) await incrementPeopleReferred(db, referral.subscriberId);
  const referrer = await getSubscriber(db, referral.subscriberId);
  if (!referrer) throw new Error(`referrer ${referral.subscriberId} vanished inside the transaction`);

  // 5. Report it to the campaign's webhooks, in this same transaction (the outbox).
  await enqueueWebhookEvent(db, {
    campaignId: campaign.id,
    event: "event_conversion",
    payload: eventConversionPayload({
      campaignId: campaign.id,
      conversion: { ...conversion, amount: conversionView(conversion, null).amount },
      referrer: referrerObject(referrer, campaign),
    }),
    now,
  });
  return { created: true, conversion, referrer };
}

async function gatherCandidates(db: Kysely<DB>, req: ConversionRequest): Promise<ReferralCandidate[]> {
  const { campaign, now } = req;
  if (req.named) return [await namedCandidate(db, campaign, req.named, now)];

  const since = now - campaign.cookie_window_days * 86_400_000;
  const visits = req.visitorId ? await listReferredVisits(db, campaign.id, req.visitorId, since) : [];
  const fromVisits: ReferralCandidate[] = visits.map((v) => ({
    subscriberId: v.subscriber_id,
    subscriberEmail: v.email,
    code: v.code,
    at: v.created_at,
    source: v.source,
  }));
  const cookieCodes = [...new Set(req.refs.map((r) => r.code))];
  const known = await listSubscribersByCodes(db, campaign.id, cookieCodes);
  const fromCookie: ReferralCandidate[] = [];
  for (const ref of req.refs) {
    const sub = known.find((s) => s.code === ref.code);
    if (!sub) continue;
    // The landing that set the cookie was recorded as a visit: take its source when it can be found.
    const visit = fromVisits.find((v) => v.subscriberId === sub.id);
    fromCookie.push({
      subscriberId: sub.id,
      subscriberEmail: sub.email,
      code: sub.code,
      at: ref.ts,
      source: visit?.source ?? SOURCE_DIRECT,
    });
  }
  return [...fromCookie, ...fromVisits];
}

async function namedCandidate(
  db: Kysely<DB>,
  campaign: CampaignRow,
  named: NonNullable<ConversionRequest["named"]>,
  now: number,
): Promise<ReferralCandidate> {
  const sub = named.subscriberId
    ? await getSubscriber(db, named.subscriberId)
    : named.code
      ? await getSubscriberByCode(db, campaign.id, named.code)
      : undefined;
  if (!sub || sub.campaign_id !== campaign.id) {
    const field = named.subscriberId ? "subscriber_id" : "referral_code";
    throw new AppError("unknown_referrer", `no ambassador with this ${field} in this campaign`, field);
  }
  return { subscriberId: sub.id, subscriberEmail: sub.email, code: sub.code, at: now, source: SOURCE_DIRECT };
}

async function referrerOf(db: Kysely<DB>, c: ConversionRow): Promise<SubscriberRow | null> {
  return c.referrer_id ? ((await getSubscriber(db, c.referrer_id)) ?? null) : null;
}

function minorUnits(amount: number, currency: string): number {
  try {
    return toMinorUnits(amount, currency);
  } catch {
    throw new AppError("validation_failed", `amount is too large for ${currency}`, "amount");
  }
}
