// POST /api/v1/collect/identify — rht("identify") on a customer's site: the signed-in person as an ambassador.
import { effectiveAllowedDomains, originAllowed, pixelIdentifyInput } from "@vouch/core";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { AppContext } from "../context.js";
import { AppError } from "../errors.js";
import { parse } from "../http/parse.js";
import { RateLimiter, type RateLimitOptions } from "../http/rate-limit.js";
import { identifyVisitor } from "../use-cases/identify-visitor.js";
import { subscriberView } from "../views/subscriber-view.js";

export interface IdentifyLimits {
  perVisitor: RateLimitOptions;
  perIp: RateLimitOptions;
}

/** A person signs in a few times a day; a page looping over identify, or a script cycling visitor ids, is cut off. */
export const IDENTIFY_LIMITS: IdentifyLimits = {
  perVisitor: { limit: 10, perMs: 60_000 },
  perIp: { limit: 60, perMs: 60_000 },
};

export function collectIdentifyRoute(
  app: FastifyInstance,
  ctx: AppContext,
  limits: IdentifyLimits = IDENTIFY_LIMITS,
): void {
  const perIp = new RateLimiter(limits.perIp);
  const perVisitor = new RateLimiter(limits.perVisitor);

  app.post("/api/v1/collect/identify", { bodyLimit: 8 * 1024 }, async (request, reply) => {
    const now = ctx.clock();
    // 1. Limits first, so that refused floods cost no database work.
    throttle(reply, perIp.take(request.ip, now), "this address");
    const { k, ...input } = parse(pixelIdentifyInput, request.body);
    throttle(reply, perVisitor.take(input.vid, now), "this browser");

    // 2. The public key is in every page of the site, so it is not enough: the page must be on the site.
    const campaign = await ctx.campaigns.byPublicKey(k);
    if (!campaign) throw new AppError("not_found", "no campaign has this public key", "k");
    const origin = request.headers.origin;
    if (!originAllowed(origin, effectiveAllowedDomains(campaign))) {
      throw new AppError(
        "forbidden",
        `origin ${origin ? JSON.stringify(origin) : "(none)"} is not on one of the campaign's allowed domains`,
        "origin",
      );
    }
    if (campaign.status !== "active")
      throw new AppError("campaign_paused", "this referral program is paused");

    // 3. The ambassador, found or created, and the browser linked to them.
    const outcome = await identifyVisitor(ctx.db, campaign, input, now);
    if (outcome.created) {
      ctx.webhooks.nudge();
      if (outcome.subscriber.verification_pending === 1) ctx.mail.nudge();
    }
    const view = subscriberView(outcome.subscriber, campaign);
    return reply.status(outcome.created ? 201 : 200).send({
      id: view.id,
      code: view.code,
      referral_link: view.referral_link,
      people_referred: view.people_referred,
      verified: view.verified,
    });
  });
}

function throttle(reply: FastifyReply, waitMs: number, who: string): void {
  if (waitMs === 0) return;
  reply.header("Retry-After", String(Math.max(1, Math.ceil(waitMs / 1000))));
  throw new AppError("rate_limited", `too many identify calls from ${who}; try again later`);
}
