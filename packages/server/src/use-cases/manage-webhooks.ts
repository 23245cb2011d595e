import {
  type CreateWebhookInput,
  newId,
  newWebhookSecret,
  samplePayload,
  type UpdateWebhookInput,
  type WebhookEvent,
} from "@vouch/core";
import {
  type CampaignRow,
  type DB,
  insertWebhook,
  type Kysely,
  updateWebhook,
  type WebhookRow,
} from "@vouch/db";
import { AppError, notFound } from "../errors.js";
import { checkWebhookUrl, type SafetyOptions } from "../webhooks/safe-agent.js";
import { enqueueWebhookEvent } from "./enqueue-webhook-event.js";

const ROTATION_OVERLAP_MS = 24 * 3_600_000;
const randomBytes = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n));

/** Refuses URLs that are not http(s) or that resolve to a non-public address (unless allowed). */
async function assertSafeUrl(url: string, safety: SafetyOptions): Promise<void> {
  const verdict = await checkWebhookUrl(url, safety);
  if (!verdict.ok) throw new AppError("validation_failed", `url ${verdict.reason}`, "url");
}

export async function createWebhook(
  db: Kysely<DB>,
  campaign: CampaignRow,
  input: CreateWebhookInput,
  safety: SafetyOptions,
  now: number,
): Promise<WebhookRow> {
  await assertSafeUrl(input.url, safety);
  const row: WebhookRow = {
    id: newId("whk", now),
    campaign_id: campaign.id,
    url: input.url,
    events: JSON.stringify(input.events),
    enabled: input.enabled ? 1 : 0,
    secret: newWebhookSecret(randomBytes),
    previous_secret: null,
    previous_secret_until: null,
    disabled_reason: null,
    failing_since: null,
    created_at: now,
    updated_at: now,
  };
  await insertWebhook(db, row);
  return row;
}

export async function changeWebhook(
  db: Kysely<DB>,
  webhook: WebhookRow,
  input: UpdateWebhookInput,
  safety: SafetyOptions,
  now: number,
): Promise<WebhookRow> {
  if (input.url) await assertSafeUrl(input.url, safety);
  const reenabled = input.enabled === true && webhook.enabled === 0;
  const row = await updateWebhook(db, webhook.id, {
    ...(input.url ? { url: input.url } : {}),
    ...(input.events ? { events: JSON.stringify(input.events) } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
    ...(reenabled ? { disabled_reason: null, failing_since: null } : {}),
    ...(input.enabled === false ? { disabled_reason: "disabled by the owner" } : {}),
    updated_at: now,
  });
  if (!row) throw notFound("webhook");
  return row;
}

/** A new secret; the old one keeps signing beside it for 24 hours so receivers can switch over. */
export async function rotateWebhookSecret(
  db: Kysely<DB>,
  webhook: WebhookRow,
  now: number,
): Promise<WebhookRow> {
  const row = await updateWebhook(db, webhook.id, {
    secret: newWebhookSecret(randomBytes),
    previous_secret: webhook.secret,
    previous_secret_until: now + ROTATION_OVERLAP_MS,
    updated_at: now,
  });
  if (!row) throw notFound("webhook");
  return row;
}

/** Queues a sample of each event the endpoint subscribes to, marked `"test": true`. */
export async function sendTestEvents(db: Kysely<DB>, webhook: WebhookRow, now: number): Promise<string[]> {
  if (webhook.enabled !== 1)
    throw new AppError("validation_failed", "the webhook is disabled; enable it first", "enabled");
  const ids: string[] = [];
  for (const event of JSON.parse(webhook.events) as WebhookEvent[]) {
    const payload = samplePayload(event, webhook.campaign_id, now);
    ids.push(
      ...(await enqueueWebhookEvent(db, {
        campaignId: webhook.campaign_id,
        event,
        payload,
        now,
        only: webhook,
      })),
    );
  }
  return ids;
}
