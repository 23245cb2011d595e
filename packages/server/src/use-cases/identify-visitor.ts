// rht("identify") on the customer's site: the signed-in person becomes (or is found as) an ambassador, and the
// browser is linked to them.
import { chooseReferrer, type PixelIdentifyInput, type ReferralCandidate, SOURCE_DIRECT } from "@vouch/core";
import {
  type CampaignRow,
  type DB,
  getSubscriberByEmail,
  getVisitorLink,
  type Kysely,
  listReferredVisitsOf,
  listSubscribersByIdsOrCodes,
  type SubscriberRow,
  upsertVisitorLink,
} from "@vouch/db";
import { createSubscriber } from "./create-subscriber.js";

export type IdentifyVisitorInput = Omit<PixelIdentifyInput, "k">;

export interface IdentifyVisitorOutcome {
  created: boolean;
  subscriber: SubscriberRow;
}

const DAY_MS = 86_400_000;

/**
 * Creates the ambassador for this email — referred by whoever referred this browser — or finds the existing
 * one, unchanged; then links the browser's visitor id to them, so that their own later conversions from it
 * are self-referrals whatever email they carry.
 */
export async function identifyVisitor(
  db: Kysely<DB>,
  campaign: CampaignRow,
  input: IdentifyVisitorInput,
  now: number,
): Promise<IdentifyVisitorOutcome> {
  // 1. An ambassador with this email already: nothing of theirs changes, not even who referred them.
  const existing = await getSubscriberByEmail(db, campaign.id, input.email);
  let outcome: IdentifyVisitorOutcome;
  if (existing) outcome = { created: false, subscriber: existing };
  else {
    // 2. Who referred this browser, chosen as its conversions would be.
    const referrer = await referrerOf(db, campaign, input, now);
    // 3. The ambassador and their new_registration message, in one transaction (a concurrent identify of
    //    the same email gets the same ambassador back).
    outcome = await createSubscriber(
      db,
      campaign,
      {
        email: input.email,
        name: input.name,
        extra_field: input.extra_field,
        extra_field_2: input.extra_field_2,
        referrer: referrer?.subscriberId,
      },
      now,
      "identify",
    );
  }
  // 4. The link, after the ambassador is committed: should it fail, the site's next identify repeats it.
  await upsertVisitorLink(db, {
    campaign_id: campaign.id,
    visitor_id: input.vid,
    subscriber_id: outcome.subscriber.id,
    created_at: now,
  });
  return outcome;
}

/**
 * The referrer among the browser's remembered referrals and the visits recorded for its visitor id, by the
 * campaign's first/last rule within its window; never the person identifying, nor the ambassador this
 * browser was already linked to (someone signing up a second address on their own browser).
 */
async function referrerOf(
  db: Kysely<DB>,
  campaign: CampaignRow,
  input: IdentifyVisitorInput,
  now: number,
): Promise<ReferralCandidate | undefined> {
  const since = now - campaign.cookie_window_days * DAY_MS;
  const [people, visits, link] = await Promise.all([
    listSubscribersByIdsOrCodes(
      db,
      [],
      input.refs.map((r) => r.code),
    ),
    listReferredVisitsOf(db, [campaign.id], [input.vid], since),
    getVisitorLink(db, campaign.id, input.vid),
  ]);
  const candidates: ReferralCandidate[] = visits.map((v) => ({
    subscriberId: v.subscriber_id,
    subscriberEmail: v.email,
    code: v.code,
    at: v.created_at,
    source: v.source,
  }));
  for (const ref of input.refs) {
    const sub = people.find((s) => s.campaign_id === campaign.id && s.code === ref.code);
    if (sub) {
      candidates.push({
        subscriberId: sub.id,
        subscriberEmail: sub.email,
        code: sub.code,
        at: ref.ts,
        source: SOURCE_DIRECT,
      });
    }
  }
  const outcome = chooseReferrer({
    candidates,
    mode: campaign.attribution,
    windowDays: campaign.cookie_window_days,
    now,
    convertingEmail: input.email,
    convertingSubscriberId: link?.subscriber_id ?? null,
  });
  return outcome.kind === "referred" ? outcome.referral : undefined;
}
