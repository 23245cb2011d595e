// GET /api/v1/campaigns/:id/stats — visits, referred visits, conversions, by source and by day.
import { getCampaignStats } from "@vouch/db";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { parse } from "../http/parse.js";
import { loadCampaign } from "./load.js";

const statsQuery = z.strictObject({ days: z.coerce.number().int().min(1).max(366).default(30) });

export function statsRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: { id: string } }>("/api/v1/campaigns/:id/stats", async (request) => {
    const campaign = await loadCampaign(ctx.db, request.params.id);
    const { days } = parse(statsQuery, request.query);
    const since = Math.floor(ctx.clock() / 86_400_000 - days + 1) * 86_400_000;
    return { days, ...(await getCampaignStats(ctx.db, campaign.id, since)) };
  });
}
