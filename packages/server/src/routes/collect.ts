// POST /api/v1/collect/visit|track|identify — what the pixel sends from customers' sites (public, by public key).
import { pixelTrackInput, pixelVisitInput } from "@vouch/core";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { AppError } from "../errors.js";
import { parse, parseCustomData } from "../http/parse.js";
import { assertAcceptsConversion } from "../use-cases/record-conversions.js";
import { collectIdentifyRoute } from "./collect-identify.js";
import { CONVERSION_BODY_LIMIT } from "./conversions.js";

export function collectRoutes(app: FastifyInstance, ctx: AppContext): void {
  // The pixel posts text/plain so that browsers send it cross-origin without a CORS preflight.
  app.addContentTypeParser("text/plain", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new AppError("invalid_json", "request body is not valid JSON"), undefined);
    }
  });
  // A callback hook, not an async one: it runs on every pixel request and needs no promise of its own.
  app.addHook("onSend", (_request, reply, payload, done) => {
    reply.header("Access-Control-Allow-Origin", "*");
    done(null, payload);
  });
  app.options("/api/v1/collect/*", async (_request, reply) => {
    reply
      .header("Access-Control-Allow-Methods", "POST, OPTIONS")
      .header("Access-Control-Allow-Headers", "Content-Type")
      .header("Access-Control-Max-Age", "86400")
      .status(204)
      .send();
  });

  app.post("/api/v1/collect/visit", { bodyLimit: CONVERSION_BODY_LIMIT }, async (request, reply) => {
    const answer = await collectVisit(ctx, request.body);
    return reply.status(answer.status).send(answer.body);
  });

  app.post("/api/v1/collect/track", { bodyLimit: CONVERSION_BODY_LIMIT }, async (request, reply) => {
    const answer = await collectTrack(ctx, request.body);
    return reply.status(answer.status).send(answer.body);
  });

  collectIdentifyRoute(app, ctx);
}

export interface PixelAnswer {
  status: number;
  body: unknown;
}

/** A landing through a referral link: recorded by group commit, answered once committed. */
export async function collectVisit(ctx: AppContext, body: unknown): Promise<PixelAnswer> {
  const input = parse(pixelVisitInput, body);
  const campaign = await campaignByKey(ctx, input.k);
  const visit = await ctx.ingest.recordVisit({ campaign, input, now: ctx.clock() });
  return { status: 201, body: visit };
}

/** rht("track", event, data): recorded once per email by group commit, answered once committed. */
export async function collectTrack(ctx: AppContext, body: unknown): Promise<PixelAnswer> {
  const { k, vid, event, data, refs } = parse(pixelTrackInput, body);
  const custom = parseCustomData((body as { data?: unknown }).data);
  const campaign = await campaignByKey(ctx, k);
  assertAcceptsConversion(campaign, event, data);
  const outcome = await ctx.ingest.recordConversion({
    campaign,
    event,
    fields: data,
    data: custom,
    channel: "pixel",
    visitorId: vid ?? null,
    refs,
    now: ctx.clock(),
  });
  return {
    status: outcome.created ? 201 : 200,
    body: {
      id: outcome.conversion.id,
      created: outcome.created,
      referred: outcome.conversion.referrer_id !== null,
    },
  };
}

async function campaignByKey(ctx: AppContext, publicKey: string) {
  const campaign = await ctx.campaigns.byPublicKey(publicKey);
  if (!campaign) throw new AppError("not_found", "no campaign has this public key", "k");
  return campaign;
}
