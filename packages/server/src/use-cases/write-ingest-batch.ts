import type { DB, Dialect, Kysely } from "@vouch/db";
import type { AppError } from "../errors.js";
import {
  type ConversionRequest,
  type RecordConversionOutcome,
  recordConversions,
} from "./record-conversions.js";
import { recordVisits, type VisitRequest } from "./record-visits.js";

export interface IngestBatchResult {
  visits: Array<{ id: string; referred: boolean }>;
  /** In request order: the outcome, or the AppError that refused the request (which then wrote nothing). */
  conversions: Array<RecordConversionOutcome | AppError>;
  /** Whether webhook messages are due now. */
  outboxWritten: boolean;
}

/** The visits and conversions that arrived together, written in one transaction (group commit). */
export function writeIngestBatch(
  db: Kysely<DB>,
  dialect: Dialect,
  visits: readonly VisitRequest[],
  conversions: readonly ConversionRequest[],
): Promise<IngestBatchResult> {
  return db.transaction().execute(async (trx) => {
    const recorded = visits.length > 0 ? await recordVisits(trx, visits) : [];
    const converted =
      conversions.length > 0
        ? await recordConversions(trx, dialect, conversions)
        : { outcomes: [], outboxWritten: false };
    return { visits: recorded, conversions: converted.outcomes, outboxWritten: converted.outboxWritten };
  });
}
