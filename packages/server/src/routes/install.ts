// GET /api/v1/campaigns/:id/install — the tracking code for <head> and each event's conversion snippet.
import { conversionCode, trackingCode } from "@vouch/pixel";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { campaignEvents } from "../views/campaign-view.js";
import { loadCampaign } from "./load.js";
import { PIXEL_SCRIPT_PATH } from "./pixel-script.js";

export function installRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: { id: string } }>("/api/v1/campaigns/:id/install", async (request) => {
    const campaign = await loadCampaign(ctx.db, request.params.id);
    const base = ctx.config.publicUrl;
    return {
      tracking_code: trackingCode({
        scriptUrl: `${base}${PIXEL_SCRIPT_PATH}`,
        publicKey: campaign.public_key,
        apiUrl: base,
        cookieDays: campaign.cookie_window_days,
      }),
      conversion_code: Object.fromEntries(
        campaignEvents(campaign).map((event) => [
          event,
          conversionCode(event, { currency: campaign.default_currency }),
        ]),
      ),
    };
  });
}
