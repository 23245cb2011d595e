// POST /api/v1/widget/:publicKey/join — the widget opening a one-click join link (rh_email, rh_exp, rh_sig):
// the known customer is signed in as an ambassador, never as someone's referral.
import { widgetJoinInput } from "@vouch/core";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { AppError } from "../errors.js";
import { parse } from "../http/parse.js";
import { RateLimiter, type RateLimitOptions } from "../http/rate-limit.js";
import { joinWithLink } from "../use-cases/join-with-link.js";
import { getAmbassadorView } from "../use-cases/widget-ambassador.js";

/** A person opens their link a few times; the signature cannot be guessed, so this only blunts floods. */
export const JOIN_LIMIT_PER_IP: RateLimitOptions = { limit: 20, perMs: 60_000 };

export function widgetJoinRoute(
  app: FastifyInstance,
  ctx: AppContext,
  perIpLimit: RateLimitOptions = JOIN_LIMIT_PER_IP,
): void {
  const perIp = new RateLimiter(perIpLimit);

  app.post<{ Params: { publicKey: string } }>(
    "/api/v1/widget/:publicKey/join",
    { bodyLimit: 4 * 1024 },
    async (request, reply) => {
      const now = ctx.clock();
      const wait = perIp.take(request.ip, now);
      if (wait > 0) {
        reply.header("Retry-After", String(Math.max(1, Math.ceil(wait / 1000))));
        throw new AppError("rate_limited", "too many join links opened from this address; try again later");
      }
      const campaign = await ctx.campaigns.byPublicKey(request.params.publicKey);
      if (!campaign) throw new AppError("not_found", "no campaign has this public key");
      const input = parse(widgetJoinInput, request.body);
      if (campaign.status === "paused")
        throw new AppError("campaign_paused", "this referral program is paused");

      const outcome = await joinWithLink(ctx.db, ctx.dialect, campaign, input, now);
      if (outcome.outboxWritten) ctx.webhooks.nudge();
      return reply.status(outcome.created ? 201 : 200).send({
        created: outcome.created,
        session: outcome.session.token,
        expires_at: new Date(outcome.session.expiresAt).toISOString(),
        ambassador: await getAmbassadorView(ctx.db, campaign, outcome.subscriber),
      });
    },
  );
}
