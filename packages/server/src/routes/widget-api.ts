// POST /api/v1/widget/:publicKey/signup|share|verification-email, GET /api/v1/widget/:publicKey/me — the
// embeddable widgets' API, called from customers' sites (public, keyed by the campaign's public key; the
// ambassador by a session token).
import { email, optionalText, referralCode, visitorId } from "@vouch/core";
import { addWidgetShare, type CampaignRow } from "@vouch/db";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { AppError } from "../errors.js";
import { parse } from "../http/parse.js";
import { RateLimiter } from "../http/rate-limit.js";
import { getAmbassadorView } from "../use-cases/widget-ambassador.js";
import { getWidgetSessionSubscriber } from "../use-cases/widget-session.js";
import { widgetSignup } from "../use-cases/widget-signup.js";
import { sendVerificationEmail } from "./subscriber-verification.js";
import { widgetJoinRoute } from "./widget-join.js";
import { widgetScriptRoutes } from "./widget-script.js";

export const SHARE_NETWORKS = ["twitter", "facebook", "linkedin", "whatsapp", "telegram", "email"] as const;

/** A value kept when it passes `schema`, dropped (undefined) when it does not: stale cookies never block a sign-up. */
const lenient = <S extends z.ZodType>(schema: S) =>
  z
    .unknown()
    .transform((v) => {
      const r = schema.safeParse(v);
      return r.success ? (r.data as z.infer<S>) : undefined;
    })
    .optional();

const signupBody = z.object({
  email,
  name: optionalText(100),
  extra_field: optionalText(200),
  extra_field_2: optionalText(200),
  consent: z.literal(true, "must be accepted to join"),
  vid: lenient(visitorId),
  refs: z
    .array(lenient(z.object({ code: referralCode, ts: z.number().int().nonnegative() })))
    .max(4, "must hold at most 4 referrals")
    .default([]),
});

const shareBody = z.object({ network: z.enum(SHARE_NETWORKS) });

type KeyParams = { Params: { publicKey: string } };

export interface WidgetRouteOptions {
  /** Sign-ups per IP address: `limit` per `perMs`, as a burst too. */
  signups?: { limit: number; perMs: number };
}

export function widgetRoutes(app: FastifyInstance, ctx: AppContext, options: WidgetRouteOptions = {}): void {
  const signupsPerIp = new RateLimiter(options.signups ?? { limit: 10, perMs: 60_000 });
  // Shares are counted per ambassador; a loop clicking a share button should not inflate the count forever.
  const sharesPerAmbassador = new RateLimiter({ limit: 30, perMs: 60_000 });

  widgetScriptRoutes(app);

  // The widgets run on the customer's site and authenticate with a bearer token, never a cookie: any origin.
  app.addHook("onSend", async (request, reply) => {
    if (request.url.startsWith("/api/v1/widget/")) reply.header("Access-Control-Allow-Origin", "*");
  });
  app.options("/api/v1/widget/*", async (_request, reply) => {
    reply
      .header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
      .header("Access-Control-Allow-Headers", "Content-Type, Authorization")
      .header("Access-Control-Max-Age", "86400")
      .status(204)
      .send();
  });

  app.post<KeyParams>("/api/v1/widget/:publicKey/signup", { bodyLimit: 8 * 1024 }, async (request, reply) => {
    const now = ctx.clock();
    if (signupsPerIp.take(request.ip, now) > 0) {
      throw new AppError("rate_limited", "too many sign-ups from this address; try again in a minute");
    }
    const campaign = await campaignByKey(ctx, request.params.publicKey);
    if (campaign.status === "paused")
      throw new AppError("campaign_paused", "this referral program is paused");
    const input = parse(signupBody, request.body);
    const outcome = await widgetSignup(
      ctx.db,
      campaign,
      {
        email: input.email,
        name: input.name,
        extra_field: input.extra_field,
        extra_field_2: input.extra_field_2,
        vid: input.vid,
        refs: input.refs.filter((r) => r !== undefined),
      },
      now,
    );
    if (outcome.created) {
      ctx.webhooks.nudge();
      if (outcome.subscriber.verification_pending === 1) ctx.mail.nudge();
    }
    return reply.status(outcome.created ? 201 : 200).send({
      created: outcome.created,
      session: outcome.session.token,
      expires_at: new Date(outcome.session.expiresAt).toISOString(),
      ambassador: await getAmbassadorView(ctx.db, campaign, outcome.subscriber),
    });
  });

  app.get<KeyParams>("/api/v1/widget/:publicKey/me", async (request) => {
    const campaign = await campaignByKey(ctx, request.params.publicKey);
    const subscriber = await sessionSubscriber(ctx, campaign, request);
    return getAmbassadorView(ctx.db, campaign, subscriber);
  });

  app.post<KeyParams>("/api/v1/widget/:publicKey/share", { bodyLimit: 1024 }, async (request) => {
    const campaign = await campaignByKey(ctx, request.params.publicKey);
    const subscriber = await sessionSubscriber(ctx, campaign, request);
    const { network } = parse(shareBody, request.body);
    const now = ctx.clock();
    if (sharesPerAmbassador.take(subscriber.id, now) > 0) {
      throw new AppError("rate_limited", "too many shares counted; try again later");
    }
    return { network, shares: await addWidgetShare(ctx.db, subscriber.id, network, now) };
  });

  // Double opt-in: the "send the email again" button of an ambassador still pending.
  app.post<KeyParams>(
    "/api/v1/widget/:publicKey/verification-email",
    { bodyLimit: 1024 },
    async (request, reply) => {
      const campaign = await campaignByKey(ctx, request.params.publicKey);
      const subscriber = await sessionSubscriber(ctx, campaign, request);
      await sendVerificationEmail(ctx, reply, subscriber);
      return reply.status(202).send({ sent: true });
    },
  );

  widgetJoinRoute(app, ctx);
}

async function campaignByKey(ctx: AppContext, publicKey: string): Promise<CampaignRow> {
  const campaign = await ctx.campaigns.byPublicKey(publicKey);
  if (!campaign) throw new AppError("not_found", "no campaign has this public key");
  return campaign;
}

async function sessionSubscriber(ctx: AppContext, campaign: CampaignRow, request: FastifyRequest) {
  const match = /^Bearer\s+(vws_[0-9a-z]{40})$/.exec(String(request.headers.authorization ?? ""));
  const subscriber = match?.[1]
    ? await getWidgetSessionSubscriber(ctx.db, campaign, match[1], ctx.clock())
    : undefined;
  if (!subscriber) {
    throw new AppError(
      "unauthorized",
      "no valid widget session: sign up again (Authorization: Bearer <session>)",
    );
  }
  return subscriber;
}
