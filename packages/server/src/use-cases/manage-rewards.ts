import { type ReferrerObject, rewardPayload } from "@vouch/core";
import {
  type DB,
  getCampaign,
  getRewardRule,
  getSubscriber,
  insertWebhookMessages,
  type Kysely,
  listWebhooks,
  type RewardRow,
  updateReward,
} from "@vouch/db";
import { AppError, notFound } from "../errors.js";
import { referrerObject } from "../views/webhook-view.js";
import { outboxRows } from "./enqueue-webhook-event.js";
import { rewardForPayload } from "./grant-rewards.js";

const NEXT: Record<RewardRow["status"], ReadonlyArray<RewardRow["status"]>> = {
  pending: ["approved", "sent", "cancelled"],
  approved: ["sent", "cancelled"],
  sent: ["flagged"],
  flagged: ["sent", "cancelled"],
  cancelled: [],
};

/**
 * The owner approves, sends or cancels a reward (manual delivery, or one waiting for a coupon). Sending writes the
 * reward_sent webhook in the same transaction. Asking for the status it already has changes nothing.
 */
export async function changeRewardStatus(
  db: Kysely<DB>,
  reward: RewardRow,
  status: RewardRow["status"],
  now: number,
): Promise<RewardRow> {
  if (reward.status === status) return reward;
  if (!NEXT[reward.status].includes(status)) {
    throw new AppError("validation_failed", `a ${reward.status} reward cannot become ${status}`, "status");
  }
  if (status === "sent" && reward.needs_coupon === 1) {
    throw new AppError(
      "validation_failed",
      "this reward is waiting for a coupon code: add codes to its coupon group",
      "status",
    );
  }
  const sentAt = status === "sent" ? now : reward.sent_at;
  const changed: RewardRow = { ...reward, status, sent_at: sentAt, updated_at: now };
  await db.transaction().execute(async (trx) => {
    await updateReward(trx, reward.id, { status, sent_at: sentAt, updated_at: now });
    if (status === "sent") await announceSent(trx, changed, now);
  });
  return changed;
}

/** Writes the reward_sent outbox rows for a reward just sent. */
export async function announceSent(db: Kysely<DB>, reward: RewardRow, now: number): Promise<void> {
  const [rule, campaign] = await Promise.all([
    getRewardRule(db, reward.rule_id),
    getCampaign(db, reward.campaign_id),
  ]);
  if (!rule || !campaign) throw notFound("reward rule");
  const subscriber = reward.subscriber_id ? await getSubscriber(db, reward.subscriber_id) : undefined;
  const recipient: ReferrerObject = subscriber
    ? referrerObject(subscriber, campaign)
    : {
        subscriber_id: "",
        name: null,
        email: reward.recipient_email,
        extra_field: null,
        extra_field_2: null,
        code: "",
        referral_link: "",
        people_referred: 0,
      };
  const body = JSON.stringify(
    rewardPayload("reward_sent", {
      campaignId: campaign.id,
      reward: rewardForPayload(reward, rule),
      subscriber: recipient,
    }),
  );
  await insertWebhookMessages(db, outboxRows(await listWebhooks(db, campaign.id), "reward_sent", body, now));
}
