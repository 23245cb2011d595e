import { describe, expect, it } from "vitest";
import type { ReferrerObject } from "../webhooks/payloads.js";
import { type RewardPayloadReward, rewardPayload } from "./payloads.js";

const mark: ReferrerObject = {
  subscriber_id: "sub_mark",
  name: "Mark James",
  email: "mark@example.com",
  extra_field: "USA",
  extra_field_2: null,
  code: "MARK-7K3Q",
  referral_link: "https://www.example.com/?mwr=MARK-7K3Q",
  people_referred: 3,
};

const freeAccount: RewardPayloadReward = {
  id: "rwd_1",
  name: "Free account",
  description: "A free account for 3 friends who download the app",
  value: null,
  coupon_code: null,
  status: "pending",
};

describe("rewardPayload", () => {
  it.each<[string, "reward_unlocked" | "reward_sent", RewardPayloadReward, RewardPayloadReward]>([
    ["unlocked, no value, no coupon", "reward_unlocked", freeAccount, freeAccount],
    [
      "sent with a coupon and a percent value",
      "reward_sent",
      { ...freeAccount, value: { type: "percent", amount: 50 }, coupon_code: "HALF-OFF-1", status: "sent" },
      { ...freeAccount, value: { type: "percent", amount: 50 }, coupon_code: "HALF-OFF-1", status: "sent" },
    ],
    [
      "a fixed value in the seed's units",
      "reward_unlocked",
      { ...freeAccount, value: { type: "fixed", amount: 15.7, currency: "USD" }, status: "approved" },
      { ...freeAccount, value: { type: "fixed", amount: 15.7, currency: "USD" }, status: "approved" },
    ],
  ])("%s", (_, kind, reward, expected) => {
    expect(rewardPayload(kind, { campaignId: "cmp_1", reward, subscriber: mark })).toEqual({
      response: kind,
      list_uuid: "cmp_1",
      reward: expected,
      subscriber: mark,
    });
  });

  it("keeps the seed's key order and nothing a caller's row carries beyond it", () => {
    const row = { ...freeAccount, rule_id: "rul_1", campaign_id: "cmp_1" };
    const subscriberRow = { ...mark, api_secret: "never-in-a-webhook" };
    const body = rewardPayload("reward_unlocked", {
      campaignId: "cmp_1",
      reward: row,
      subscriber: subscriberRow,
    });
    expect(JSON.stringify(body)).toBe(
      JSON.stringify({
        response: "reward_unlocked",
        list_uuid: "cmp_1",
        reward: {
          id: "rwd_1",
          name: "Free account",
          description: "A free account for 3 friends who download the app",
          value: null,
          coupon_code: null,
          status: "pending",
        },
        subscriber: mark,
      }),
    );
  });
});
