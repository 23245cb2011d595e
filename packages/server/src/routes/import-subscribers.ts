// POST /api/v1/campaigns/:id/subscribers/import — ambassadors from a CSV file, with a report of every row.
import { importQuery } from "@vouch/core";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";
import { inPieces } from "../csv-stream.js";
import { AppError } from "../errors.js";
import { parse } from "../http/parse.js";
import { importSubscribers } from "../use-cases/import-subscribers.js";
import { loadCampaign } from "./load.js";

/** 100,000 rows of a typical export are about 10 MB. */
const MAX_BODY = 32 * 1024 * 1024;

export function importSubscriberRoutes(app: FastifyInstance, ctx: AppContext): void {
  void app.register(async (scope) => {
    // Read as bytes, not text: a row whose bytes are not UTF-8 is then refused on its own, with its line.
    scope.removeContentTypeParser("text/csv");
    scope.addContentTypeParser("text/csv", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

    scope.post<{ Params: { id: string } }>(
      "/api/v1/campaigns/:id/subscribers/import",
      { bodyLimit: MAX_BODY },
      async (request, reply) => {
        const campaign = await loadCampaign(ctx.db, request.params.id);
        const { mode } = parse(importQuery, request.query);
        if (!Buffer.isBuffer(request.body)) {
          throw new AppError(
            "unsupported_media_type",
            "send the file as text/csv, its first line naming the columns (email, name, extra_field, extra_field_2, referrer)",
          );
        }
        const report = await importSubscribers(ctx.db, campaign, inPieces(request.body), {
          mode,
          now: ctx.clock(),
        });
        if (report.created > 0) ctx.webhooks.nudge();
        // All or nothing with rejected rows: nothing was written, and the report says which rows to fix.
        return reply.status(report.imported ? 200 : 422).send(report);
      },
    );
  });
}
