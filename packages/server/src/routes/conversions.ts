// POST|GET /api/v1/campaigns/:id/conversions — server-side tracking, and the export of every conversion.
import { Readable } from "node:stream";
import { apiConversionInput, listConversionsQuery } from "@vouch/core";
import { listConversionPage } from "@vouch/db";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { parse, parseCustomData } from "../http/parse.js";
import { assertAcceptsConversion } from "../use-cases/record-conversions.js";
import { CONVERSION_CSV_COLUMNS, conversionCsvRow, conversionView } from "../views/conversion-view.js";
import { loadCampaign } from "./load.js";

export const CONVERSION_BODY_LIMIT = 16 * 1024;
const EXPORT_PAGE = 1_000;

export function conversionRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Params: { id: string } }>(
    "/api/v1/campaigns/:id/conversions",
    { bodyLimit: CONVERSION_BODY_LIMIT },
    async (request, reply) => {
      const campaign = await loadCampaign(ctx.db, request.params.id);
      const { event, referral_code, subscriber_id, visitor_id, data, ...fields } = parse(
        apiConversionInput,
        request.body,
      );
      const custom = parseCustomData(data, []);
      assertAcceptsConversion(campaign, event, fields);
      const named =
        referral_code || subscriber_id ? { code: referral_code, subscriberId: subscriber_id } : undefined;
      const outcome = await ctx.ingest.recordConversion({
        campaign,
        event,
        fields,
        data: custom,
        channel: "api",
        visitorId: visitor_id ?? null,
        refs: [],
        ...(named ? { named } : {}),
        now: ctx.clock(),
      });
      return reply.status(outcome.created ? 201 : 200).send({
        ...conversionView(outcome.conversion, outcome.referrer?.code ?? null),
        created: outcome.created,
      });
    },
  );

  app.get<{ Params: { id: string } }>("/api/v1/campaigns/:id/conversions", async (request, reply) => {
    const campaign = await loadCampaign(ctx.db, request.params.id);
    const { format } = parse(listConversionsQuery, request.query);
    const rows = exportRows(ctx, campaign.id);
    if (format === "csv") {
      const lines = (async function* () {
        yield `${CONVERSION_CSV_COLUMNS.join(",")}\r\n`;
        for await (const row of rows) yield `${conversionCsvRow(row)}\r\n`;
      })();
      return reply
        .header("Content-Type", "text/csv; charset=utf-8")
        .header("Content-Disposition", `attachment; filename="conversions-${campaign.id}.csv"`)
        .send(Readable.from(lines));
    }
    const json = (async function* () {
      yield '{"data":[';
      let first = true;
      for await (const row of rows) {
        yield `${first ? "" : ","}${JSON.stringify(row)}`;
        first = false;
      }
      yield "]}";
    })();
    return reply.header("Content-Type", "application/json; charset=utf-8").send(Readable.from(json));
  });
}

/** Walks the conversions a page at a time (by id), so a million rows never sit in memory. */
async function* exportRows(ctx: AppContext, campaignId: string) {
  let after: string | null = null;
  for (;;) {
    const page = await listConversionPage(ctx.db, campaignId, after, EXPORT_PAGE);
    for (const row of page) yield conversionView(row, row.referrer_code);
    const last = page.at(-1);
    if (!last || page.length < EXPORT_PAGE) return;
    after = last.id;
  }
}
