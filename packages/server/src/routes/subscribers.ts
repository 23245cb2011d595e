// POST|GET /api/v1/campaigns/:id/subscribers, GET|PATCH|DELETE /api/v1/subscribers/:id — ambassadors and their links.
import { createSubscriberInput, listSubscribersQuery, updateSubscriberInput } from "@vouch/core";
import {
  type CampaignRow,
  type DB,
  getCampaign,
  getSubscriber,
  type Kysely,
  listRewardRules,
  listRewards,
  listRuleProgress,
  listSubscribers,
  type SubscriberRow,
} from "@vouch/db";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { notFound } from "../errors.js";
import { parse } from "../http/parse.js";
import { createSubscriber } from "../use-cases/create-subscriber.js";
import { deleteSubscriber } from "../use-cases/delete-subscriber.js";
import { updateSubscriber } from "../use-cases/update-subscriber.js";
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
    const { subscriber, campaign } = await loadSubscriber(ctx.db, request.params.id);
    return detailView(ctx.db, subscriber, campaign);
  });

  app.patch<{ Params: { id: string } }>("/api/v1/subscribers/:id", async (request) => {
    const { subscriber, campaign } = await loadSubscriber(ctx.db, request.params.id);
    const input = parse(updateSubscriberInput, request.body ?? {});
    const outcome = await updateSubscriber(ctx.db, ctx.dialect, subscriber.id, campaign, input, ctx.clock());
    if (outcome.outboxWritten) ctx.webhooks.nudge();
    return detailView(ctx.db, outcome.subscriber, campaign);
  });

  app.delete<{ Params: { id: string } }>("/api/v1/subscribers/:id", async (request, reply) => {
    const { subscriber, campaign } = await loadSubscriber(ctx.db, request.params.id);
    const outcome = await deleteSubscriber(ctx.db, ctx.dialect, subscriber.id, campaign, ctx.clock());
    if (outcome.outboxWritten) ctx.webhooks.nudge();
    return reply.status(204).send();
  });
}

async function loadSubscriber(
  db: Kysely<DB>,
  id: string,
): Promise<{ subscriber: SubscriberRow; campaign: CampaignRow }> {
  const subscriber = await getSubscriber(db, id);
  if (!subscriber) throw notFound("subscriber");
  const campaign = await getCampaign(db, subscriber.campaign_id);
  if (!campaign) throw notFound("campaign");
  return { subscriber, campaign };
}

/** The ambassador as GET /api/v1/subscribers/:id shows them: with their rewards and progress toward each rule. */
async function detailView(db: Kysely<DB>, subscriber: SubscriberRow, campaign: CampaignRow) {
  const [rules, progress, rewards] = await Promise.all([
    listRewardRules(db, campaign.id, true),
    listRuleProgress(db, subscriber.id),
    listRewards(db, { subscriberId: subscriber.id }),
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
}
