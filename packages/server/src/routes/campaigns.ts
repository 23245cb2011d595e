// POST|GET /api/v1/campaigns, GET|PATCH /api/v1/campaigns/:id — the owner manages campaigns.
import { createCampaignInput, updateCampaignInput } from "@vouch/core";
import { listCampaigns } from "@vouch/db";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { parse } from "../http/parse.js";
import { createCampaign } from "../use-cases/create-campaign.js";
import { updateCampaign } from "../use-cases/update-campaign.js";
import { campaignView } from "../views/campaign-view.js";
import { loadCampaign } from "./load.js";

export function campaignRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post("/api/v1/campaigns", async (request, reply) => {
    const input = parse(createCampaignInput, request.body);
    const campaign = await createCampaign(ctx.db, input, ctx.clock());
    return reply.status(201).send(campaignView(campaign));
  });

  app.get("/api/v1/campaigns", async () => {
    const rows = await listCampaigns(ctx.db);
    return { data: rows.map(campaignView) };
  });

  app.get<{ Params: { id: string } }>("/api/v1/campaigns/:id", async (request) => {
    return campaignView(await loadCampaign(ctx.db, request.params.id));
  });

  app.patch<{ Params: { id: string } }>("/api/v1/campaigns/:id", async (request) => {
    const input = parse(updateCampaignInput, request.body);
    const campaign = await updateCampaign(ctx.db, request.params.id, input, ctx.clock());
    ctx.campaigns.forget(campaign.public_key);
    return campaignView(campaign);
  });
}
