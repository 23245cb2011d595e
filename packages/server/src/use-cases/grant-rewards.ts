// Reward rules turned into rewards, exactly once, incrementally: each counted friend moves one progress row,
// inside the transaction of the conversion that counted it (never a rescan of all conversions).
import {
  conversionMatches,
  friendKey,
  newId,
  type ReferrerObject,
  type RewardCondition,
  type RewardValuePayload,
  rewardPayload,
  rewardsEarned,
  rewardsToGrant,
  uniqueBy,
} from "@vouch/core";
import {
  addRuleGranted,
  addRuleProgress,
  type CampaignRow,
  type ConversionRow,
  type DB,
  type Dialect,
  deleteRuleFriendsOf,
  getRewardRule,
  insertReward,
  insertRuleFriends,
  type Kysely,
  listActiveRulesOf,
  listCountedConversionsFrom,
  listLastCountedConversions,
  listLiveRewardsNewestFirst,
  listLiveRewardsOf,
  listRewardRules,
  listSubscribersByEmails,
  listSubscribersByIdsOrCodes,
  listWebhooksOf,
  lockPendingSubscribers,
  lockRuleProgressOf,
  maxRewardSequence,
  numberRuleFriends,
  type RewardRow,
  type RewardRuleRow,
  type SubscriberRow,
  takeCoupon,
  updateReward,
  type WebhookMessageRow,
} from "@vouch/db";
import { referrerObject } from "../views/webhook-view.js";
import { outboxRows } from "./enqueue-webhook-event.js";

const DAY_MS = 86_400_000;

export interface CountedConversion {
  conversion: ConversionRow;
  campaign: CampaignRow;
}

/**
 * Counts confirmed conversions toward the campaigns' live rules and grants what they unlock. Returns the outbox
 * rows (reward_unlocked, reward_sent) for the caller to write in the same transaction.
 */
export async function countTowardRewards(
  db: Kysely<DB>,
  dialect: Dialect,
  counted: readonly CountedConversion[],
  now: number,
): Promise<WebhookMessageRow[]> {
  const confirmed = counted.filter((c) => c.conversion.status === "confirmed");
  if (confirmed.length === 0) return [];
  const rules = await listActiveRulesOf(db, [...new Set(confirmed.map((c) => c.campaign.id))]);
  if (rules.length === 0) return [];

  // 1. Which rule each conversion counts toward, and for whom.
  const referrerFriends: Array<{ rule: RewardRuleRow; item: CountedConversion; key: string }> = [];
  const refereeGrants: Array<{ rule: RewardRuleRow; item: CountedConversion }> = [];
  for (const item of confirmed) {
    const c = item.conversion;
    if (c.referrer_id === null) continue;
    for (const rule of rules) {
      if (rule.campaign_id !== c.campaign_id || rule.event !== c.event || !matches(rule, c)) continue;
      if (rule.recipient === "referee") {
        if (c.email) refereeGrants.push({ rule, item });
        continue;
      }
      referrerFriends.push({
        rule,
        item,
        key: friendKey({ email: c.email, visitorId: c.visitor_id, conversionId: c.id }),
      });
    }
  }

  // 2. Count each friend once per rule and referrer; move the progress rows by what was new.
  const fresh = await insertRuleFriends(
    db,
    uniqueBy(
      referrerFriends.map(({ rule, item, key }) => ({
        rule_id: rule.id,
        subscriber_id: item.conversion.referrer_id as string,
        friend_key: key,
        conversion_id: item.conversion.id,
        created_at: item.conversion.created_at,
      })),
      (r) => `${r.rule_id} ${r.subscriber_id} ${r.friend_key}`,
    ),
  );
  const moves = new Map<string, { rule: RewardRuleRow; item: CountedConversion; keys: string[] }>();
  for (const { rule, item, key } of referrerFriends) {
    const id = `${rule.id} ${item.conversion.referrer_id} ${key}`;
    if (!fresh.delete(id)) continue;
    const pair = `${rule.id} ${item.conversion.referrer_id}`;
    const move = moves.get(pair) ?? { rule, item, keys: [] };
    move.keys.push(key);
    moves.set(pair, move);
  }

  const people = await peopleOf(db, confirmed);
  // Double opt-in: a referrer who has not confirmed their email has their friends counted but earns nothing
  // yet (verifySubscriber grants what they earned). Read again under a lock, before the progress rows are
  // locked, so a verification committing meanwhile is either seen here or sees this batch's counts.
  const pendingReferrers = await lockPendingSubscribers(
    db,
    dialect,
    [...new Set([...moves.values()].map((m) => m.item.conversion.referrer_id as string))].filter(
      (id) => people.get(id)?.verification_pending === 1,
    ),
  );
  const granted: Granted[] = [];
  for (const { rule, item, keys } of moves.values()) {
    const referrerId = item.conversion.referrer_id as string;
    // The progress row is locked from here to the commit: concurrent batches for this referrer take turns.
    const progress = await addRuleProgress(db, rule.id, referrerId, keys.length);
    await numberRuleFriends(db, rule.id, referrerId, keys);
    if (pendingReferrers.has(referrerId)) continue;
    const grants = rewardsToGrant({
      rule,
      countBefore: progress.counted - keys.length,
      countAfter: progress.counted,
      granted: progress.granted,
    });
    if (grants === 0) continue;
    await addRuleGranted(db, rule.id, referrerId, grants);
    const referrer = people.get(referrerId);
    if (!referrer) continue;
    // Each reward is earned by the run of N friends that reached its threshold: the last grants × N counted.
    const N = rule.referrals_required;
    const lastCounted = await listLastCountedConversions(db, rule.id, referrerId, grants * N);
    const sequence = await maxRewardSequence(db, rule.id, referrer.email);
    for (let i = 0; i < grants; i++) {
      const reward = await grant(db, dialect, {
        rule,
        campaign: item.campaign,
        subscriber: referrer,
        email: referrer.email,
        sequence: sequence + i + 1,
        earnedBy: lastCounted.slice(i * N, (i + 1) * N),
        now,
      });
      if (reward)
        granted.push({
          reward,
          rule,
          campaign: item.campaign,
          recipient: referrerObject(referrer, item.campaign),
        });
    }
  }

  // 3. Double-sided programs: the friend's own reward, once per rule.
  for (const { rule, item } of refereeGrants) {
    const c = item.conversion;
    const email = c.email as string;
    const self = [...people.values()].find((s) => s.campaign_id === c.campaign_id && s.email === email);
    const reward = await grant(db, dialect, {
      rule,
      campaign: item.campaign,
      subscriber: self ?? null,
      email,
      sequence: 1,
      earnedBy: [c.id],
      now,
    });
    if (!reward) continue;
    const recipient: ReferrerObject = self
      ? referrerObject(self, item.campaign)
      : {
          subscriber_id: "",
          name: [c.first_name, c.last_name].filter(Boolean).join(" ") || null,
          email,
          extra_field: null,
          extra_field_2: null,
          code: "",
          referral_link: "",
          people_referred: 0,
        };
    granted.push({ reward, rule, campaign: item.campaign, recipient });
  }
  return rewardMessages(db, granted, now);
}

/**
 * An ambassador just confirmed their email (double opt-in): grants the rewards their friends earned while they
 * were pending, each named by the run of friends that reached its threshold, in the order they were counted.
 * Call in the verification's transaction, after the ambassador's row was updated. Returns the outbox rows.
 */
export async function grantWithheldRewards(
  db: Kysely<DB>,
  dialect: Dialect,
  subscriber: SubscriberRow,
  campaign: CampaignRow,
  now: number,
): Promise<WebhookMessageRow[]> {
  const progress = await lockRuleProgressOf(db, dialect, subscriber.id);
  if (progress.length === 0) return [];
  const rules = new Map((await listRewardRules(db, campaign.id)).map((r) => [r.id, r]));
  const granted: Granted[] = [];
  for (const p of progress) {
    const rule = rules.get(p.rule_id);
    if (rule?.recipient !== "referrer") continue;
    const grants = Math.max(0, rewardsEarned(rule, Math.max(p.counted, 0)) - p.granted);
    if (grants === 0) continue;
    await addRuleGranted(db, rule.id, subscriber.id, grants);
    const N = rule.referrals_required;
    const earnedBy = await listCountedConversionsFrom(db, rule.id, subscriber.id, p.granted * N, grants * N);
    const sequence = await maxRewardSequence(db, rule.id, subscriber.email);
    for (let i = 0; i < grants; i++) {
      const reward = await grant(db, dialect, {
        rule,
        campaign,
        subscriber,
        email: subscriber.email,
        sequence: sequence + i + 1,
        earnedBy: earnedBy.slice(i * N, (i + 1) * N),
        now,
      });
      if (reward) granted.push({ reward, rule, campaign, recipient: referrerObject(subscriber, campaign) });
    }
  }
  return rewardMessages(db, granted, now);
}

/**
 * A conversion that stopped counting (cancelled, refunded): its friends leave the rules' counts, and rewards
 * whose threshold is no longer met are taken back — cancelled when not yet sent, flagged for clawback when sent.
 * Returns the rewards changed.
 */
export async function uncountConversion(
  db: Kysely<DB>,
  conversion: ConversionRow,
  now: number,
): Promise<RewardRow[]> {
  const changed: RewardRow[] = [];
  for (const { rule_id, subscriber_id } of await deleteRuleFriendsOf(db, conversion.id)) {
    const rule = await getRewardRule(db, rule_id);
    if (!rule) continue;
    const progress = await addRuleProgress(db, rule_id, subscriber_id, -1);
    const [subscriber] = await listSubscribersByIdsOrCodes(db, [subscriber_id], []);
    if (!subscriber) continue;
    // Compare what is still earned with the rewards still live (one the owner cancelled is not taken back twice).
    const live = await listLiveRewardsNewestFirst(db, rule_id, subscriber.email, 10_000);
    const takeBack = Math.max(0, live.length - rewardsEarned(rule, Math.max(progress.counted, 0)));
    if (takeBack === 0) continue;
    await addRuleGranted(db, rule_id, subscriber_id, -takeBack);
    // Take back what costs least: rewards not yet sent (cancelled) before sent ones (flagged), newest first.
    const unsent = live.filter((r) => r.status !== "sent");
    for (const reward of [...unsent, ...live.filter((r) => r.status === "sent")].slice(0, takeBack)) {
      const status = reward.status === "sent" ? "flagged" : "cancelled";
      await updateReward(db, reward.id, { status, updated_at: now });
      changed.push({ ...reward, status, updated_at: now });
    }
  }
  // A double-sided reward earned by this very conversion goes too.
  if (conversion.email) {
    for (const reward of await listLiveRewardsOf(db, conversion.campaign_id, conversion.email)) {
      if (!(JSON.parse(reward.conversion_ids) as string[]).includes(conversion.id)) continue;
      if (changed.some((r) => r.id === reward.id)) continue;
      const status = reward.status === "sent" ? "flagged" : "cancelled";
      await updateReward(db, reward.id, { status, updated_at: now });
      changed.push({ ...reward, status, updated_at: now });
    }
  }
  return changed;
}

interface Granted {
  reward: RewardRow;
  rule: RewardRuleRow;
  campaign: CampaignRow;
  recipient: ReferrerObject;
}

/** Writes the nth reward unless it exists (exactly once), takes its coupon and sends it when the rule says so. */
async function grant(
  db: Kysely<DB>,
  dialect: Dialect,
  g: {
    rule: RewardRuleRow;
    campaign: CampaignRow;
    subscriber: SubscriberRow | null;
    email: string;
    sequence: number;
    earnedBy: string[];
    now: number;
  },
): Promise<RewardRow | undefined> {
  const { rule, now } = g;
  const id = newId("rwd", now);
  const coupon = rule.coupon_group_id
    ? await takeCoupon(db, dialect, rule.coupon_group_id, id, now)
    : undefined;
  const needsCoupon = rule.coupon_group_id !== null && coupon === undefined;
  const sendNow = rule.delivery === "immediate" && !needsCoupon;
  const row: RewardRow = {
    id,
    campaign_id: g.campaign.id,
    rule_id: rule.id,
    subscriber_id: g.subscriber?.id ?? null,
    recipient_email: g.email,
    sequence: g.sequence,
    status: sendNow ? "sent" : "pending",
    needs_coupon: needsCoupon ? 1 : 0,
    coupon_code: coupon ?? null,
    conversion_ids: JSON.stringify(g.earnedBy),
    deliver_at: rule.delivery === "hold" ? now + (rule.hold_days ?? 0) * DAY_MS : null,
    created_at: now,
    updated_at: now,
    sent_at: sendNow ? now : null,
  };
  return (await insertReward(db, row)) ? row : undefined;
}

async function rewardMessages(db: Kysely<DB>, granted: Granted[], now: number): Promise<WebhookMessageRow[]> {
  if (granted.length === 0) return [];
  const webhooks = await listWebhooksOf(db, [...new Set(granted.map((g) => g.campaign.id))]);
  const rows: WebhookMessageRow[] = [];
  for (const g of granted) {
    const endpoints = webhooks.filter((w) => w.campaign_id === g.campaign.id);
    const body = (kind: "reward_unlocked" | "reward_sent") =>
      JSON.stringify(
        rewardPayload(kind, {
          campaignId: g.campaign.id,
          reward: rewardForPayload(g.reward, g.rule),
          subscriber: g.recipient,
        }),
      );
    rows.push(...outboxRows(endpoints, "reward_unlocked", body("reward_unlocked"), now));
    if (g.reward.status === "sent")
      rows.push(...outboxRows(endpoints, "reward_sent", body("reward_sent"), now));
  }
  return rows;
}

export function rewardForPayload(reward: RewardRow, rule: RewardRuleRow) {
  return {
    id: reward.id,
    name: rule.name,
    description: rule.description,
    value: rule.value === null ? null : (JSON.parse(rule.value) as RewardValuePayload),
    coupon_code: reward.coupon_code,
    status: reward.status,
  };
}

function matches(rule: RewardRuleRow, c: ConversionRow): boolean {
  return conversionMatches(JSON.parse(rule.conditions) as RewardCondition[], {
    amount_minor: c.amount_minor,
    currency: c.currency,
    verified: c.verified === 1,
    data: c.data === null ? {} : (JSON.parse(c.data) as Record<string, string>),
  });
}

/** Referrers, and friends who are ambassadors themselves (double-sided rewards), in one query. */
async function peopleOf(
  db: Kysely<DB>,
  counted: readonly CountedConversion[],
): Promise<Map<string, SubscriberRow>> {
  const ids = [
    ...new Set(counted.flatMap((c) => (c.conversion.referrer_id ? [c.conversion.referrer_id] : []))),
  ];
  const rows = await listSubscribersByIdsOrCodes(db, ids, []);
  const emails = [...new Set(counted.flatMap((c) => (c.conversion.email ? [c.conversion.email] : [])))];
  const campaigns = [...new Set(counted.map((c) => c.campaign.id))];
  const friends = await listSubscribersByEmails(db, campaigns, emails);
  return new Map([...rows, ...friends].map((s) => [s.id, s]));
}
