// Records a batch of conversions — every request that arrived together — in a handful of set-based queries
// inside the caller's transaction (group commit). A batch of one is the plain case.
import {
  chooseReferrer,
  eventConversionPayload,
  friendKey,
  newId,
  type ReferralCandidate,
  SOURCE_DIRECT,
  toMinorUnits,
  uniqueBy,
} from "@vouch/core";
import {
  addPeopleReferred,
  type CampaignRow,
  type ConversionRow,
  type DB,
  type DedupGroup,
  type Dialect,
  findConversionsByKeys,
  insertConversions,
  insertReferredFriends,
  insertWebhookMessages,
  type Kysely,
  listReferredVisitsOf,
  listSubscribersByIdsOrCodes,
  listVisitorLinks,
  listWebhooksOf,
  type ReferredVisit,
  type SubscriberRow,
  type WebhookMessageRow,
} from "@vouch/db";
import { AppError } from "../errors.js";
import { campaignEvents } from "../views/campaign-view.js";
import { conversionView } from "../views/conversion-view.js";
import { referrerObject } from "../views/webhook-view.js";
import { outboxRows } from "./enqueue-webhook-event.js";
import { countTowardRewards } from "./grant-rewards.js";

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
  /** Custom fields beyond the seed's six (already bounded by the core schema). */
  data: Record<string, string>;
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

export interface RecordConversionsResult {
  /** In request order: the outcome, or the AppError that refused the request (which then wrote nothing). */
  outcomes: Array<RecordConversionOutcome | AppError>;
  /** Whether outbox messages are due now (the webhook worker need only wake then). */
  outboxWritten: boolean;
}

const DAY_MS = 86_400_000;

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

/**
 * Once per email (and per transaction_id) per campaign and event; attributed by the campaign's rule; each new
 * friend counted once for their referrer; an `event_conversion` outbox message for each attributed one.
 * Returns, in request order, the outcome or the AppError that refused the request (which then wrote nothing).
 */
export async function recordConversions(
  db: Kysely<DB>,
  dialect: Dialect,
  requests: readonly ConversionRequest[],
): Promise<RecordConversionsResult> {
  // 1. Look up, one query each, what the batch could repeat and who could have referred it.
  const existing = await findConversionsByKeys(db, dedupGroups(requests));
  const people = await listSubscribersByIdsOrCodes(
    db,
    requests.flatMap((r) => (r.named?.subscriberId ? [r.named.subscriberId] : [])),
    [
      ...new Set(
        requests.flatMap((r) => [...r.refs.map((ref) => ref.code), ...(r.named?.code ? [r.named.code] : [])]),
      ),
    ],
  );
  const visits = await referredVisits(db, requests);
  const links = await visitorLinks(db, requests);

  // 2. Decide each request in arrival order: a repeat, or a new conversion with its referrer.
  const seen = new DedupIndex(existing);
  const decided = requests.map((req) => {
    try {
      return decide(req, seen, people, visits, links);
    } catch (err) {
      if (err instanceof AppError) return err;
      throw err;
    }
  });
  const fresh = decided.filter((d): d is Decision => !(d instanceof AppError) && d.created);

  // 3. Insert; a row that a concurrent writer recorded first becomes a repeat of theirs.
  const inserted = await insertConversions(
    db,
    fresh.map((d) => d.conversion),
  );
  const lost = fresh.filter((d) => !inserted.has(d.conversion.id));
  if (lost.length > 0) {
    const twins = new DedupIndex(await findConversionsByKeys(db, dedupGroups(lost.map((d) => d.request))));
    const replaced = new Map<string, ConversionRow>();
    for (const d of lost) {
      const twin = twins.find(d.request);
      if (!twin) throw new Error("a conversion insert conflicted but no twin was found");
      replaced.set(d.conversion.id, twin);
    }
    // Repeats within the batch pointed at the row that lost: they repeat the twin too.
    for (const d of decided) {
      if (d instanceof AppError) continue;
      const twin = replaced.get(d.conversion.id);
      if (twin) Object.assign(d, { created: false, conversion: twin });
    }
  }
  const recorded = fresh.filter((d) => d.created);

  // 4. Count each referrer's new friends once.
  const referred = recorded.filter((d) => d.conversion.referrer_id !== null);
  const friendRows = uniqueBy(
    referred.map((d) => ({
      referrer_id: d.conversion.referrer_id as string,
      friend_key: friendKey({
        email: d.conversion.email,
        visitorId: d.conversion.visitor_id,
        conversionId: d.conversion.id,
      }),
      conversion_id: d.conversion.id,
      created_at: d.conversion.created_at,
    })),
    (f) => `${f.referrer_id} ${f.friend_key}`,
  );
  const newFriends = await insertReferredFriends(db, friendRows);
  const increments = new Map<string, number>();
  for (const f of friendRows) {
    if (newFriends.has(`${f.referrer_id} ${f.friend_key}`))
      increments.set(f.referrer_id, (increments.get(f.referrer_id) ?? 0) + 1);
  }
  const counted = await addPeopleReferred(db, increments);

  // 5. The referrers as they now stand, for the answers and the webhook payloads: those just counted are the
  //    rows looked up in step 1 with the counts their update returned; the others (a friend converting
  //    again, or a referrer found only through the server's record of a visit) are read.
  const peopleById = new Map(people.map((s) => [s.id, s]));
  const referrers = new Map<string, SubscriberRow>();
  for (const { id, people_referred } of counted) {
    const row = peopleById.get(id);
    if (row) referrers.set(id, { ...row, people_referred });
  }
  const unread = [
    ...new Set(
      decided.flatMap((d) =>
        d instanceof AppError || !d.conversion.referrer_id || referrers.has(d.conversion.referrer_id)
          ? []
          : [d.conversion.referrer_id],
      ),
    ),
  ];
  for (const s of await listSubscribersByIdsOrCodes(db, unread, [])) referrers.set(s.id, s);

  // 6. The outbox: an event_conversion per attributed conversion, each counting friends up to itself.
  const outbox = await outboxMessages(db, referred, referrers, increments, newFriends);

  // 7. Reward rules: what the counted friends unlock, granted exactly once, reported in the same outbox.
  const rewardMessages = await countTowardRewards(
    db,
    dialect,
    referred.map((d) => ({ conversion: d.conversion, campaign: d.request.campaign })),
    Math.max(0, ...referred.map((d) => d.request.now)),
  );
  const messages = [...outbox, ...rewardMessages];
  await insertWebhookMessages(db, messages);

  const outcomes = decided.map((d) =>
    d instanceof AppError
      ? d
      : {
          created: d.created,
          conversion: d.conversion,
          referrer: d.conversion.referrer_id ? (referrers.get(d.conversion.referrer_id) ?? null) : null,
        },
  );
  return { outcomes, outboxWritten: messages.some((m) => m.status === "pending") };
}

interface Decision {
  request: ConversionRequest;
  created: boolean;
  conversion: ConversionRow;
}

function decide(
  req: ConversionRequest,
  seen: DedupIndex,
  people: SubscriberRow[],
  visits: ReferredVisit[],
  links: Map<string, string>,
): Decision {
  const { campaign, event, fields, now } = req;
  assertAcceptsConversion(campaign, event, fields);
  const repeat = seen.find(req);
  if (repeat) return { request: req, created: false, conversion: repeat };

  const email = fields.email ?? null;
  const outcome = chooseReferrer({
    candidates: candidatesFor(req, people, visits),
    mode: campaign.attribution,
    windowDays: req.named ? 36_500 : campaign.cookie_window_days,
    now,
    convertingEmail: email,
    // The ambassador this browser identified as: their own browser never earns them credit.
    convertingSubscriberId: req.visitorId ? links.get(linkKey(campaign.id, req.visitorId)) : null,
  });
  const referral = outcome.kind === "referred" ? outcome.referral : null;
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
    transaction_id: fields.transaction_id ?? null,
    source: referral?.source ?? SOURCE_DIRECT,
    status: campaign.confirmation === "manual" ? "pending" : "confirmed",
    verified: req.channel === "api" ? 1 : 0,
    channel: req.channel,
    referrer_id: referral?.subscriberId ?? null,
    referral_code: referral?.code ?? null,
    visitor_id: req.visitorId,
    data: Object.keys(req.data).length > 0 ? JSON.stringify(req.data) : null,
    created_at: now,
  };
  seen.add(conversion);
  return { request: req, created: true, conversion };
}

function candidatesFor(
  req: ConversionRequest,
  people: SubscriberRow[],
  visits: ReferredVisit[],
): ReferralCandidate[] {
  const { campaign, now } = req;
  if (req.named) {
    const { subscriberId, code } = req.named;
    const sub = people.find(
      (s) => s.campaign_id === campaign.id && (subscriberId ? s.id === subscriberId : s.code === code),
    );
    if (!sub) {
      const field = subscriberId ? "subscriber_id" : "referral_code";
      throw new AppError("unknown_referrer", `no ambassador with this ${field} in this campaign`, field);
    }
    return [
      { subscriberId: sub.id, subscriberEmail: sub.email, code: sub.code, at: now, source: SOURCE_DIRECT },
    ];
  }
  const fromVisits: ReferralCandidate[] = visits
    .filter((v) => v.campaign_id === campaign.id && v.visitor_id === req.visitorId)
    .map((v) => ({
      subscriberId: v.subscriber_id,
      subscriberEmail: v.email,
      code: v.code,
      at: v.created_at,
      source: v.source,
    }));
  const fromCookie: ReferralCandidate[] = [];
  for (const ref of req.refs) {
    const sub = people.find((s) => s.campaign_id === campaign.id && s.code === ref.code);
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

async function referredVisits(
  db: Kysely<DB>,
  requests: readonly ConversionRequest[],
): Promise<ReferredVisit[]> {
  const pixel = requests.filter((r) => !r.named && r.visitorId !== null);
  if (pixel.length === 0) return [];
  const since = Math.min(...pixel.map((r) => r.now - r.campaign.cookie_window_days * DAY_MS));
  return listReferredVisitsOf(
    db,
    [...new Set(pixel.map((r) => r.campaign.id))],
    [...new Set(pixel.map((r) => r.visitorId as string))],
    since,
  );
}

/** The ambassador each browser of the batch identified as (rht("identify")), by campaign and visitor id. */
async function visitorLinks(
  db: Kysely<DB>,
  requests: readonly ConversionRequest[],
): Promise<Map<string, string>> {
  const browsers = requests.filter((r) => r.visitorId !== null);
  if (browsers.length === 0) return new Map();
  const rows = await listVisitorLinks(
    db,
    [...new Set(browsers.map((r) => r.campaign.id))],
    [...new Set(browsers.map((r) => r.visitorId as string))],
  );
  return new Map(rows.map((l) => [linkKey(l.campaign_id, l.visitor_id), l.subscriber_id]));
}

const linkKey = (campaignId: string, visitorId: string) => `${campaignId}\u0000${visitorId}`;

async function outboxMessages(
  db: Kysely<DB>,
  referred: Decision[],
  referrers: Map<string, SubscriberRow>,
  increments: Map<string, number>,
  newFriends: Set<string>,
): Promise<WebhookMessageRow[]> {
  if (referred.length === 0) return [];
  const webhooks = await listWebhooksOf(db, [...new Set(referred.map((d) => d.conversion.campaign_id))]);
  if (webhooks.length === 0) return [];
  // people_referred before this batch, then counted up conversion by conversion.
  const running = new Map(
    [...increments].map(([id, n]) => [id, (referrers.get(id)?.people_referred ?? n) - n]),
  );
  const counted = new Set<string>();
  const messages: WebhookMessageRow[] = [];
  for (const d of referred) {
    const c = d.conversion;
    const referrer = referrers.get(c.referrer_id as string);
    if (!referrer) continue;
    const key = `${referrer.id} ${friendKey({ email: c.email, visitorId: c.visitor_id, conversionId: c.id })}`;
    if (newFriends.has(key) && !counted.has(key)) {
      counted.add(key);
      running.set(referrer.id, (running.get(referrer.id) ?? 0) + 1);
    }
    const payload = eventConversionPayload({
      campaignId: c.campaign_id,
      conversion: { ...c, amount: conversionView(c, null).amount },
      referrer: {
        ...referrerObject(referrer, d.request.campaign),
        people_referred: running.get(referrer.id) ?? referrer.people_referred,
      },
    });
    const endpoints = webhooks.filter((w) => w.campaign_id === c.campaign_id);
    messages.push(...outboxRows(endpoints, "event_conversion", JSON.stringify(payload), c.created_at));
  }
  return messages;
}

/** The seed's dedup keys: per campaign and event, the email, and the transaction id. */
class DedupIndex {
  private byKey = new Map<string, ConversionRow>();

  constructor(rows: readonly ConversionRow[]) {
    for (const row of rows) this.add(row);
  }

  add(row: ConversionRow): void {
    for (const key of keysOf(row.campaign_id, row.event, row.email, row.transaction_id)) {
      if (!this.byKey.has(key)) this.byKey.set(key, row);
    }
  }

  find(req: ConversionRequest): ConversionRow | undefined {
    for (const key of keysOf(
      req.campaign.id,
      req.event,
      req.fields.email ?? null,
      req.fields.transaction_id ?? null,
    )) {
      const hit = this.byKey.get(key);
      if (hit) return hit;
    }
    return undefined;
  }
}

function keysOf(
  campaignId: string,
  event: string,
  email: string | null,
  transactionId: string | null,
): string[] {
  const keys: string[] = [];
  if (email !== null) keys.push(`${campaignId}\u0000${event}\u0000e\u0000${email}`);
  if (transactionId !== null) keys.push(`${campaignId}\u0000${event}\u0000t\u0000${transactionId}`);
  return keys;
}

function dedupGroups(requests: readonly ConversionRequest[]): DedupGroup[] {
  const groups = new Map<string, DedupGroup>();
  for (const r of requests) {
    const key = `${r.campaign.id}\u0000${r.event}`;
    const g = groups.get(key) ?? {
      campaignId: r.campaign.id,
      event: r.event,
      emails: [],
      transactionIds: [],
    };
    if (r.fields.email) g.emails.push(r.fields.email);
    if (r.fields.transaction_id) g.transactionIds.push(r.fields.transaction_id);
    groups.set(key, g);
  }
  return [...groups.values()];
}

function minorUnits(amount: number, currency: string): number {
  try {
    return toMinorUnits(amount, currency);
  } catch {
    throw new AppError("validation_failed", `amount is too large for ${currency}`, "amount");
  }
}
