import { z } from "zod";
import { WEBHOOK_EVENTS } from "../webhooks/events.js";
import { httpUrl } from "./common.js";

const events = z
  .array(z.enum(WEBHOOK_EVENTS, `must be one of ${WEBHOOK_EVENTS.join(", ")}`))
  .min(1, "needs at least one event")
  .max(WEBHOOK_EVENTS.length)
  .refine((list) => new Set(list).size === list.length, "events must be unique");

export const createWebhookInput = z.strictObject({
  url: httpUrl.refine((u) => {
    // Zod runs this check even when httpUrl's failed, so an unparsable value must not throw here.
    const parsed = URL.canParse(u) ? new URL(u) : null;
    return parsed === null || (!parsed.username && !parsed.password);
  }, "must not carry credentials"),
  events,
  enabled: z.boolean().default(true),
});
export type CreateWebhookInput = z.infer<typeof createWebhookInput>;

export const updateWebhookInput = z
  .strictObject({
    url: createWebhookInput.shape.url.optional(),
    events: events.optional(),
    enabled: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "give at least one field to change");
export type UpdateWebhookInput = z.infer<typeof updateWebhookInput>;

export const replayWebhookInput = z.strictObject({
  since: z.union(
    [z.iso.datetime({ offset: true }), z.number().int().nonnegative()],
    "must be an ISO 8601 time or Unix seconds",
  ),
});

export const deliveryLogQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.iso.datetime({ offset: true }).optional(),
});
