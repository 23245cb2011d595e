// /api/v1/campaigns/:id/reward-rules and /api/v1/reward-rules/:id — the rules that turn referrals into rewards.
import { createRewardRuleInput, updateRewardRuleInput } from "@vouch/core";
import { getRewardRule, listRewardRules, updateRewardRule } from "@vouch/db";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { notFound } from "../errors.js";
import { parse } from "../http/parse.js";
import { changeRewardRule, createRewardRule } from "../use-cases/manage-reward-rules.js";
import { rewardRuleView } from "../views/reward-view.js";
import { loadCampaign } from "./load.js";

type IdParams = { Params: { id: string } };

export function rewardRuleRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<IdParams>("/api/v1/campaigns/:id/reward-rules", async (request, reply) => {
    const campaign = await loadCampaign(ctx.db, request.params.id);
    const input = parse(createRewardRuleInput, request.body);
    return reply
      .status(201)
      .send(rewardRuleView(await createRewardRule(ctx.db, campaign, input, ctx.clock())));
  });

  app.get<IdParams>("/api/v1/campaigns/:id/reward-rules", async (request) => {
    const campaign = await loadCampaign(ctx.db, request.params.id);
    return { data: (await listRewardRules(ctx.db, campaign.id)).map(rewardRuleView) };
  });

  app.get<IdParams>("/api/v1/reward-rules/:id", async (request) =>
    rewardRuleView(await loadRule(ctx, request.params.id)),
  );

  app.patch<IdParams>("/api/v1/reward-rules/:id", async (request) => {
    const rule = await loadRule(ctx, request.params.id);
    const input = parse(updateRewardRuleInput, request.body);
    const campaign = await loadCampaign(ctx.db, rule.campaign_id);
    return rewardRuleView(await changeRewardRule(ctx.db, campaign, rule, input, ctx.clock()));
  });

  // Deleting archives: the rule grants nothing more, and the rewards it granted stay.
  app.delete<IdParams>("/api/v1/reward-rules/:id", async (request, reply) => {
    const rule = await loadRule(ctx, request.params.id);
    if (rule.archived_at === null)
      await updateRewardRule(ctx.db, rule.id, { archived_at: ctx.clock(), updated_at: ctx.clock() });
    return reply.status(204).send();
  });
}

async function loadRule(ctx: AppContext, id: string) {
  const rule = await getRewardRule(ctx.db, id);
  if (!rule) throw notFound("reward rule");
  return rule;
}
