// POST|GET /api/v1/campaigns/:id/subscribers, GET /api/v1/subscribers/:id — ambassadors and their links.
import { createSubscriberInput, listSubscribersQuery } from "@vouch/core";
import {
  getCampaign,
  getSubscriber,
  listRewardRules,
  listRewards,
  listRuleProgress,
  listSubscribers,
} from "@vouch/db";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { notFound } from "../errors.js";
import { parse } from "../http/parse.js";
import { createSubscriber } from "../use-cases/create-subscriber.js";
import { progressView, rewardView } from "../views/reward-view.js";
import { subscriberView } from "../views/subscriber-view.js";
import { loadCampaign } from "./load.js";

export function subscriberRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Params: { id: string } }>("/api/v1/campaigns/:id/subscribers", async (request, reply) => {
    const campaign = await loadCampaign(ctx.db, request.params.id);
    const input = parse(createSubscriberInput, request.body);
    const outcome = await createSubscriber(ctx.db, campaign, input, ctx.clock());
    if (outcome.created) {
      ctx.webhooks.nudge();
      if (outcome.subscriber.verification_pending === 1) ctx.mail.nudge();
    }
    return reply.status(outcome.created ? 201 : 200).send(subscriberView(outcome.subscriber, campaign));
  });

  app.get<{ Params: { id: string } }>("/api/v1/campaigns/:id/subscribers", async (request) => {
    const campaign = await loadCampaign(ctx.db, request.params.id);
    const q = parse(listSubscribersQuery, request.query);
    const page = await listSubscribers(ctx.db, { campaignId: campaign.id, ...q });
    return {
      data: page.rows.map((s) => subscriberView(s, campaign)),
      total: page.total,
      limit: q.limit,
      offset: q.offset,
    };
  });

  app.get<{ Params: { id: string } }>("/api/v1/subscribers/:id", async (request) => {
    const subscriber = await getSubscriber(ctx.db, request.params.id);
    if (!subscriber) throw notFound("subscriber");
    const campaign = await getCampaign(ctx.db, subscriber.campaign_id);
    if (!campaign) throw notFound("campaign");
    const [rules, progress, rewards] = await Promise.all([
      listRewardRules(ctx.db, campaign.id, true),
      listRuleProgress(ctx.db, subscriber.id),
      listRewards(ctx.db, { subscriberId: subscriber.id }),
    ]);
    return {
      ...subscriberView(subscriber, campaign),
      rewards: rewards.map((r) =>
        rewardView(
          r,
          rules.find((rule) => rule.id === r.rule_id),
        ),
      ),
      progress: progressView(rules, progress),
    };
  });
}
