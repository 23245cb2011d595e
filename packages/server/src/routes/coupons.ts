// /api/v1/campaigns/:id/coupon-groups and /api/v1/coupon-groups/:id[/codes] — codes handed out with rewards.
import { CsvError, parseCsv, text } from "@vouch/core";
import { getCouponGroup, listCouponGroups } from "@vouch/db";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { AppError, notFound } from "../errors.js";
import { parse } from "../http/parse.js";
import { addCoupons, couponGroupView, createCouponGroup } from "../use-cases/manage-coupons.js";
import { loadCampaign } from "./load.js";

type IdParams = { Params: { id: string } };
const MAX_CODES = 100_000;
const code = text(100).pipe(z.string().min(1, "must not be empty"));
const groupInput = z.strictObject({
  name: text(100).pipe(z.string().min(1, "must not be empty")),
  low_stock_threshold: z.int().min(0).max(1_000_000).default(10),
});
const codesInput = z.strictObject({ codes: z.array(code).min(1).max(MAX_CODES) });

export function couponRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<IdParams>("/api/v1/campaigns/:id/coupon-groups", async (request, reply) => {
    const campaign = await loadCampaign(ctx.db, request.params.id);
    const group = await createCouponGroup(ctx.db, campaign, parse(groupInput, request.body), ctx.clock());
    return reply.status(201).send(await couponGroupView(ctx.db, group));
  });

  app.get<IdParams>("/api/v1/campaigns/:id/coupon-groups", async (request) => {
    const campaign = await loadCampaign(ctx.db, request.params.id);
    const groups = await listCouponGroups(ctx.db, campaign.id);
    return { data: await Promise.all(groups.map((g) => couponGroupView(ctx.db, g))) };
  });

  app.get<IdParams>("/api/v1/coupon-groups/:id", async (request) =>
    couponGroupView(ctx.db, await loadGroup(ctx, request.params.id)),
  );

  // Codes as a CSV with a `code` column (text/csv), or JSON {codes: [...]}.
  app.post<IdParams>("/api/v1/coupon-groups/:id/codes", { bodyLimit: 5 * 1024 * 1024 }, async (request) => {
    const group = await loadGroup(ctx, request.params.id);
    const codes =
      typeof request.body === "string" ? codesFromCsv(request.body) : parse(codesInput, request.body).codes;
    const result = await addCoupons(ctx.db, ctx.dialect, group, [...new Set(codes)], ctx.clock());
    if (result.filled > 0) ctx.webhooks.nudge();
    return { ...result, skipped: result.skipped + (codes.length - new Set(codes).size) };
  });
}

function codesFromCsv(body: string): string[] {
  let table: ReturnType<typeof parseCsv>;
  try {
    table = parseCsv(body);
  } catch (err) {
    if (err instanceof CsvError) throw new AppError("validation_failed", err.message, "csv");
    throw err;
  }
  const column = table.header.indexOf("code");
  if (column < 0) throw new AppError("validation_failed", "the first line must name a code column", "csv");
  if (table.rows.length > MAX_CODES)
    throw new AppError("validation_failed", `at most ${MAX_CODES} codes per upload`, "csv");
  return table.rows.map(({ line, cells }) => {
    const result = code.safeParse(cells[column] ?? "");
    if (!result.success)
      throw new AppError("validation_failed", `line ${line}: code ${result.error.issues[0]?.message}`, "csv");
    return result.data;
  });
}

async function loadGroup(ctx: AppContext, id: string) {
  const group = await getCouponGroup(ctx.db, id);
  if (!group) throw notFound("coupon group");
  return group;
}
