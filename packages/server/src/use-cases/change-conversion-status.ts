import { eventConversionPayload } from "@vouch/core";
import {
  type CampaignRow,
  type ConversionRow,
  type DB,
  type Dialect,
  getConversion,
  getSubscriber,
  insertWebhookMessages,
  type Kysely,
  listWebhooks,
  type RewardRow,
  updateConversionStatus,
  type WebhookMessageRow,
} from "@vouch/db";
import { AppError, notFound } from "../errors.js";
import { conversionView } from "../views/conversion-view.js";
import { referrerObject } from "../views/webhook-view.js";
import { outboxRows } from "./enqueue-webhook-event.js";
import { countTowardRewards, uncountConversion } from "./grant-rewards.js";

export type ConversionStatus = ConversionRow["status"];

const NEXT: Record<ConversionStatus, readonly ConversionStatus[]> = {
  pending: ["confirmed", "cancelled"],
  confirmed: ["cancelled", "refunded"],
  cancelled: [],
  refunded: [],
};

export interface StatusChange {
  conversion: ConversionRow;
  changed: boolean;
  rewards: RewardRow[];
}

/**
 * pending → confirmed → cancelled | refunded. Confirming counts the conversion toward reward rules; cancelling or
 * refunding a confirmed one takes back the rewards whose threshold it no longer meets (cancelled when not yet
 * sent, flagged for clawback when sent) and reports it (conversion_updated). Asking again for the status a
 * conversion already has changes nothing.
 */
export async function changeConversionStatus(
  db: Kysely<DB>,
  dialect: Dialect,
  campaign: CampaignRow,
  conversionId: string,
  status: ConversionStatus,
  now: number,
): Promise<StatusChange> {
  return db.transaction().execute(async (trx) => {
    const conversion = await getConversion(trx, conversionId);
    if (!conversion || conversion.campaign_id !== campaign.id) throw notFound("conversion");
    if (conversion.status === status) return { conversion, changed: false, rewards: [] };
    if (!NEXT[conversion.status].includes(status)) {
      throw new AppError(
        "validation_failed",
        `a ${conversion.status} conversion cannot become ${status}`,
        "status",
      );
    }
    // 1. Move the status, only from the one read (a concurrent change makes this one a conflict to retry).
    if (!(await updateConversionStatus(trx, conversion.id, conversion.status, status))) {
      throw new AppError("unavailable", "the conversion changed at the same moment; try again");
    }
    const updated: ConversionRow = { ...conversion, status };

    // 2. Rewards follow the counting status.
    const messages: WebhookMessageRow[] = [];
    let rewards: RewardRow[] = [];
    if (status === "confirmed")
      messages.push(...(await countTowardRewards(trx, dialect, [{ conversion: updated, campaign }], now)));
    if (conversion.status === "confirmed") rewards = await uncountConversion(trx, updated, now);

    // 3. Report the change for attributed conversions, as event_conversion reported their arrival.
    const referrer = updated.referrer_id ? await getSubscriber(trx, updated.referrer_id) : undefined;
    if (referrer) {
      const base = eventConversionPayload({
        campaignId: campaign.id,
        conversion: { ...updated, amount: conversionView(updated, null).amount },
        referrer: referrerObject(referrer, campaign),
      });
      const payload = {
        ...base,
        response: "conversion_updated",
        event_data: { ...base.event_data, status, previous_status: conversion.status },
        rewards: rewards.map((r) => ({ id: r.id, status: r.status })),
      };
      messages.push(
        ...outboxRows(
          await listWebhooks(trx, campaign.id),
          "conversion_updated",
          JSON.stringify(payload),
          now,
        ),
      );
    }
    await insertWebhookMessages(trx, messages);
    return { conversion: updated, changed: true, rewards };
  });
}
