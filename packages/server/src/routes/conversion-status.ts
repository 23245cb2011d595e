// PATCH /api/v1/conversions/:id, PATCH /api/v1/campaigns/:id/transactions/:transaction_id and
// POST /api/v1/campaigns/:id/conversions/statuses (CSV) — the owner confirms, cancels or refunds conversions.
import { CsvError, parseCsv } from "@vouch/core";
import {
  type CampaignRow,
  getConversion,
  getSubscriber,
  listConversionsByTransaction,
  listRewardRules,
} from "@vouch/db";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { AppError, notFound } from "../errors.js";
import { parse } from "../http/parse.js";
import { type ConversionStatus, changeConversionStatus } from "../use-cases/change-conversion-status.js";
import { conversionView } from "../views/conversion-view.js";
import { rewardView } from "../views/reward-view.js";
import { loadCampaign } from "./load.js";

const STATUSES = ["pending", "confirmed", "cancelled", "refunded"] as const;
const statusChange = z.strictObject({ status: z.enum(STATUSES) });
const transactionChange = z.strictObject({ status: z.enum(STATUSES), event: z.string().max(50).optional() });
const CSV_ROWS = 50_000;

export function conversionStatusRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.patch<{ Params: { id: string } }>("/api/v1/conversions/:id", async (request) => {
    const { status } = parse(statusChange, request.body);
    const conversion = await getConversion(ctx.db, request.params.id);
    if (!conversion) throw notFound("conversion");
    return change(ctx, await loadCampaign(ctx.db, conversion.campaign_id), conversion.id, status);
  });

  app.patch<{ Params: { id: string; transaction_id: string } }>(
    "/api/v1/campaigns/:id/transactions/:transaction_id",
    async (request) => {
      const campaign = await loadCampaign(ctx.db, request.params.id);
      const { status, event } = parse(transactionChange, request.body);
      const id = await byTransaction(ctx, campaign, request.params.transaction_id, event);
      return change(ctx, campaign, id, status);
    },
  );

  // A CSV of transaction_id,status[,event]: each row applied on its own, with a report line per row.
  app.post<{ Params: { id: string } }>(
    "/api/v1/campaigns/:id/conversions/statuses",
    { bodyLimit: 5 * 1024 * 1024 },
    async (request) => {
      const campaign = await loadCampaign(ctx.db, request.params.id);
      if (typeof request.body !== "string") {
        throw new AppError(
          "unsupported_media_type",
          "send the CSV as text/csv with a transaction_id,status header",
        );
      }
      const table = readCsv(request.body);
      const report: Array<{
        line: number;
        transaction_id: string;
        status: string;
        result: string;
        error?: string;
      }> = [];
      for (const { line, cells } of table.rows) {
        const [transactionId = "", status = "", event] = [0, 1, 2].map((i) => cells[i]?.trim());
        try {
          if (!(STATUSES as readonly string[]).includes(status)) {
            throw new AppError("validation_failed", `status must be one of ${STATUSES.join(", ")}`, "status");
          }
          const id = await byTransaction(ctx, campaign, transactionId, event || undefined);
          const result = await changeConversionStatus(
            ctx.db,
            ctx.dialect,
            campaign,
            id,
            status as ConversionStatus,
            ctx.clock(),
          );
          report.push({
            line,
            transaction_id: transactionId,
            status,
            result: result.changed ? "updated" : "unchanged",
          });
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          report.push({ line, transaction_id: transactionId, status, result: "error", error: err.message });
        }
      }
      ctx.webhooks.nudge();
      const count = (r: string) => report.filter((x) => x.result === r).length;
      return {
        updated: count("updated"),
        unchanged: count("unchanged"),
        failed: count("error"),
        rows: report,
      };
    },
  );
}

async function change(ctx: AppContext, campaign: CampaignRow, id: string, status: ConversionStatus) {
  const result = await changeConversionStatus(ctx.db, ctx.dialect, campaign, id, status, ctx.clock());
  if (result.changed) ctx.webhooks.nudge();
  const rules = result.rewards.length > 0 ? await listRewardRules(ctx.db, campaign.id, true) : [];
  const referrer = result.conversion.referrer_id
    ? await getSubscriber(ctx.db, result.conversion.referrer_id)
    : undefined;
  return {
    ...conversionView(result.conversion, referrer?.code ?? null),
    changed: result.changed,
    rewards_changed: result.rewards.map((r) =>
      rewardView(
        r,
        rules.find((rule) => rule.id === r.rule_id),
      ),
    ),
  };
}

async function byTransaction(
  ctx: AppContext,
  campaign: CampaignRow,
  transactionId: string,
  event: string | undefined,
) {
  if (!transactionId) throw new AppError("validation_failed", "transaction_id is required", "transaction_id");
  const found = (await listConversionsByTransaction(ctx.db, campaign.id, transactionId)).filter(
    (c) => event === undefined || c.event === event,
  );
  if (found.length === 0) throw notFound(`conversion with transaction_id "${transactionId}"`);
  if (found.length > 1) {
    throw new AppError(
      "validation_failed",
      `transaction_id "${transactionId}" is on several events: name the event`,
      "event",
    );
  }
  return (found[0] as { id: string }).id;
}

function readCsv(text: string) {
  let table: ReturnType<typeof parseCsv>;
  try {
    table = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvError) throw new AppError("validation_failed", err.message, "csv");
    throw err;
  }
  if (table.header[0] !== "transaction_id" || table.header[1] !== "status") {
    throw new AppError(
      "validation_failed",
      "the first line must be transaction_id,status (and optionally event)",
      "csv",
    );
  }
  if (table.rows.length > CSV_ROWS)
    throw new AppError("validation_failed", `at most ${CSV_ROWS} rows per file`, "csv");
  return table;
}
