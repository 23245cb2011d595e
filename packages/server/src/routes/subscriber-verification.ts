// POST /api/v1/subscribers/:id/verify|verification-email — the owner confirms an ambassador pending double
// opt-in, or sends them a new confirmation link.
import { getCampaign, getSubscriber, type SubscriberRow } from "@vouch/db";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { AppContext } from "../context.js";
import { AppError, notFound } from "../errors.js";
import { ResendTooSoon, resendVerificationEmail } from "../use-cases/request-verification.js";
import { verifySubscriber } from "../use-cases/verify-subscriber.js";
import { subscriberView } from "../views/subscriber-view.js";

type IdParams = { Params: { id: string } };

export function subscriberVerificationRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<IdParams>("/api/v1/subscribers/:id/verify", async (request) => {
    const subscriber = await getSubscriber(ctx.db, request.params.id);
    if (!subscriber) throw notFound("subscriber");
    const campaign = await getCampaign(ctx.db, subscriber.campaign_id);
    if (!campaign) throw notFound("campaign");
    const outcome = await verifySubscriber(ctx.db, ctx.dialect, subscriber, campaign, ctx.clock());
    if (outcome.outboxWritten) ctx.webhooks.nudge();
    return subscriberView(outcome.subscriber, campaign);
  });

  app.post<IdParams>("/api/v1/subscribers/:id/verification-email", async (request, reply) => {
    const subscriber = await getSubscriber(ctx.db, request.params.id);
    if (!subscriber) throw notFound("subscriber");
    await sendVerificationEmail(ctx, reply, subscriber);
    return reply.status(202).send({ sent: true, to: subscriber.email });
  });
}

/**
 * A new link for a pending ambassador (the admin API and the widget): 409 when they are verified already,
 * 429 with Retry-After when one went out too recently.
 */
export async function sendVerificationEmail(
  ctx: AppContext,
  reply: FastifyReply,
  subscriber: SubscriberRow,
): Promise<void> {
  try {
    const outcome = await resendVerificationEmail(ctx.db, ctx.dialect, subscriber, ctx.clock());
    if (!outcome.sent)
      throw new AppError("already_verified", "this ambassador's email is confirmed already", "verified");
  } catch (err) {
    if (err instanceof ResendTooSoon) reply.header("Retry-After", String(err.retryAfterSeconds));
    throw err;
  }
  ctx.mail.nudge();
}
