// GET /api/v1/campaigns/:id/rewards, PATCH /api/v1/rewards/:id, GET /api/v1/campaigns/:id/leaderboard —
// rewards granted, the owner's approvals, and who referred most.
import { REWARD_STATUSES } from "@vouch/core";
import { getReward, listRewardRules, listRewards, listSubscribers } from "@vouch/db";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { notFound } from "../errors.js";
import { parse } from "../http/parse.js";
import { changeRewardStatus } from "../use-cases/manage-rewards.js";
import { rewardView } from "../views/reward-view.js";
import { subscriberView } from "../views/subscriber-view.js";
import { loadCampaign } from "./load.js";

type IdParams = { Params: { id: string } };

const rewardsQuery = z.strictObject({ status: z.enum(REWARD_STATUSES).optional() });
const rewardChange = z.strictObject({ status: z.enum(["approved", "sent", "cancelled"]) });
const leaderboardQuery = z.strictObject({ count: z.coerce.number().int().min(1).max(500).default(10) });

export function rewardRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<IdParams>("/api/v1/campaigns/:id/rewards", async (request) => {
    const campaign = await loadCampaign(ctx.db, request.params.id);
    const { status } = parse(rewardsQuery, request.query);
    const [rewards, rules] = await Promise.all([
      listRewards(ctx.db, { campaignId: campaign.id, ...(status ? { status } : {}) }),
      listRewardRules(ctx.db, campaign.id, true),
    ]);
    return {
      data: rewards.map((r) =>
        rewardView(
          r,
          rules.find((rule) => rule.id === r.rule_id),
        ),
      ),
    };
  });

  app.patch<IdParams>("/api/v1/rewards/:id", async (request) => {
    const reward = await getReward(ctx.db, request.params.id);
    if (!reward) throw notFound("reward");
    const { status } = parse(rewardChange, request.body);
    const changed = await changeRewardStatus(ctx.db, reward, status, ctx.clock());
    if (changed.status === "sent") ctx.webhooks.nudge();
    const rules = await listRewardRules(ctx.db, reward.campaign_id, true);
    return rewardView(
      changed,
      rules.find((r) => r.id === reward.rule_id),
    );
  });

  // Ranked by people_referred; a tie goes to the ambassador who signed up first.
  app.get<IdParams>("/api/v1/campaigns/:id/leaderboard", async (request) => {
    const campaign = await loadCampaign(ctx.db, request.params.id);
    const { count } = parse(leaderboardQuery, request.query);
    const page = await listSubscribers(ctx.db, {
      campaignId: campaign.id,
      sort: "people_referred",
      order: "desc",
      limit: count,
      offset: 0,
    });
    return { data: page.rows.map((s, i) => ({ rank: i + 1, ...subscriberView(s, campaign) })) };
  });
}
