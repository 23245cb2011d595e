// /api/v1/campaigns/:id/webhooks, /api/v1/webhooks/:id[/test|/rotate-secret|/deliveries|/replay],
// /api/v1/webhook-messages/:id/retry — the owner's webhook endpoints and their delivery log.
import { createWebhookInput, deliveryLogQuery, replayWebhookInput, updateWebhookInput } from "@vouch/core";
import {
  type DB,
  deleteWebhook,
  getWebhook,
  getWebhookMessage,
  type Kysely,
  listDeliveryLog,
  listWebhooks,
  requeueMessages,
  type WebhookRow,
} from "@vouch/db";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { AppError, notFound } from "../errors.js";
import { parse } from "../http/parse.js";
import {
  changeWebhook,
  createWebhook,
  rotateWebhookSecret,
  sendTestEvents,
} from "../use-cases/manage-webhooks.js";
import { deliveryView, webhookView } from "../views/webhook-view.js";
import { loadCampaign } from "./load.js";

type IdParams = { Params: { id: string } };

export function webhookRoutes(app: FastifyInstance, ctx: AppContext): void {
  const safety = { allowPrivate: ctx.config.webhookAllowPrivate };

  app.post<IdParams>("/api/v1/campaigns/:id/webhooks", async (request, reply) => {
    const campaign = await loadCampaign(ctx.db, request.params.id);
    const input = parse(createWebhookInput, request.body);
    const webhook = await createWebhook(ctx.db, campaign, input, safety, ctx.clock());
    return reply.status(201).send({ ...webhookView(webhook), secret: webhook.secret });
  });

  app.get<IdParams>("/api/v1/campaigns/:id/webhooks", async (request) => {
    const campaign = await loadCampaign(ctx.db, request.params.id);
    return { data: (await listWebhooks(ctx.db, campaign.id)).map(webhookView) };
  });

  app.get<IdParams>("/api/v1/webhooks/:id", async (request) =>
    webhookView(await loadWebhook(ctx.db, request.params.id)),
  );

  app.patch<IdParams>("/api/v1/webhooks/:id", async (request) => {
    const webhook = await loadWebhook(ctx.db, request.params.id);
    const input = parse(updateWebhookInput, request.body);
    return webhookView(await changeWebhook(ctx.db, webhook, input, safety, ctx.clock()));
  });

  app.delete<IdParams>("/api/v1/webhooks/:id", async (request, reply) => {
    const webhook = await loadWebhook(ctx.db, request.params.id);
    await ctx.db.transaction().execute((trx) => deleteWebhook(trx, webhook.id));
    return reply.status(204).send();
  });

  app.post<IdParams>("/api/v1/webhooks/:id/test", async (request, reply) => {
    const webhook = await loadWebhook(ctx.db, request.params.id);
    const messages = await ctx.db.transaction().execute((trx) => sendTestEvents(trx, webhook, ctx.clock()));
    ctx.webhooks.nudge();
    return reply.status(202).send({ messages });
  });

  app.post<IdParams>("/api/v1/webhooks/:id/rotate-secret", async (request) => {
    const webhook = await rotateWebhookSecret(
      ctx.db,
      await loadWebhook(ctx.db, request.params.id),
      ctx.clock(),
    );
    return { ...webhookView(webhook), secret: webhook.secret };
  });

  app.get<IdParams>("/api/v1/webhooks/:id/deliveries", async (request) => {
    const webhook = await loadWebhook(ctx.db, request.params.id);
    const q = parse(deliveryLogQuery, request.query);
    const rows = await listDeliveryLog(ctx.db, webhook.id, q.limit, q.before ? Date.parse(q.before) : null);
    return { data: rows.map(deliveryView) };
  });

  app.post<IdParams>("/api/v1/webhooks/:id/replay", async (request, reply) => {
    const webhook = assertEnabled(await loadWebhook(ctx.db, request.params.id));
    const { since } = parse(replayWebhookInput, request.body);
    const createdSince = typeof since === "number" ? since * 1000 : Date.parse(since);
    const replayed = await requeueMessages(ctx.db, { webhookId: webhook.id, createdSince }, ctx.clock());
    ctx.webhooks.nudge();
    return reply.status(202).send({ replayed });
  });

  app.post<IdParams>("/api/v1/webhook-messages/:id/retry", async (request, reply) => {
    const message = await getWebhookMessage(ctx.db, request.params.id);
    if (!message) throw notFound("webhook message");
    const webhook = await getWebhook(ctx.db, message.webhook_id);
    if (webhook) assertEnabled(webhook);
    await requeueMessages(ctx.db, { id: message.id }, ctx.clock());
    ctx.webhooks.nudge();
    return reply.status(202).send({ id: message.id, status: "pending" });
  });
}

/** Sending to a disabled endpoint would only fail again: the owner enables it first. */
function assertEnabled(webhook: WebhookRow): WebhookRow {
  if (webhook.enabled !== 1)
    throw new AppError("validation_failed", "the webhook is disabled; enable it first", "enabled");
  return webhook;
}

async function loadWebhook(db: Kysely<DB>, id: string): Promise<WebhookRow> {
  const webhook = await getWebhook(db, id);
  if (!webhook) throw notFound("webhook");
  return webhook;
}
