import { type RewardValuePayload, referralLink } from "@vouch/core";
import {
  type CampaignRow,
  type DB,
  type Kysely,
  listReferredFriends,
  listRewardRules,
  listRewards,
  listRuleProgress,
  listWidgetShares,
  type SubscriberRow,
} from "@vouch/db";
import { progressView } from "../views/reward-view.js";

/** The most friends the ambassador view lists (people_referred still counts them all). */
const FRIENDS_SHOWN = 50;

/** What an ambassador sees of themselves in the widget: never their friends' full emails, nor coupon codes. */
export async function getAmbassadorView(db: Kysely<DB>, campaign: CampaignRow, subscriber: SubscriberRow) {
  const [rules, progress, rewards, friends, shares] = await Promise.all([
    listRewardRules(db, campaign.id, true),
    listRuleProgress(db, subscriber.id),
    listRewards(db, { subscriberId: subscriber.id }),
    listReferredFriends(db, subscriber.id, FRIENDS_SHOWN),
    listWidgetShares(db, subscriber.id),
  ]);
  const ruleById = new Map(rules.map((r) => [r.id, r]));
  return {
    name: subscriber.name,
    email: subscriber.email,
    code: subscriber.code,
    referral_link: referralLink(campaign.url, subscriber.code),
    people_referred: subscriber.people_referred,
    /** false: double opt-in is waiting for the ambassador to confirm their email; no rewards until then. */
    verified: subscriber.verification_pending !== 1,
    progress: progressView(rules, progress).map((p) => ({
      ...p,
      event: ruleById.get(p.rule)?.event ?? null,
      description: ruleById.get(p.rule)?.description ?? null,
    })),
    rewards: rewards
      .filter((r) => r.status !== "cancelled" && r.status !== "flagged")
      .map((r) => {
        const rule = ruleById.get(r.rule_id);
        return {
          name: rule?.name ?? null,
          description: rule?.description ?? null,
          value: rule?.value ? (JSON.parse(rule.value) as RewardValuePayload) : null,
          status: r.status,
          created_at: new Date(r.created_at).toISOString(),
        };
      }),
    friends: friends.map((f) => ({
      email: f.email === null ? null : maskEmail(f.email),
      event: f.event,
      created_at: new Date(f.created_at).toISOString(),
    })),
    shares: Object.fromEntries(shares.map((s) => [s.network, s.count])),
  };
}

export type AmbassadorView = Awaited<ReturnType<typeof getAmbassadorView>>;

/** "sara@example.com" → "s***@example.com": enough for Mark to recognise Sara, too little to harvest. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at < 1) return "***";
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}
