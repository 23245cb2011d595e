import type { DB, Kysely } from "@vouch/db";
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
}

/** The visits and conversions that arrived together, written in one transaction (group commit). */
export function writeIngestBatch(
  db: Kysely<DB>,
  visits: readonly VisitRequest[],
  conversions: readonly ConversionRequest[],
): Promise<IngestBatchResult> {
  return db.transaction().execute(async (trx) => ({
    visits: visits.length > 0 ? await recordVisits(trx, visits) : [],
    conversions: conversions.length > 0 ? await recordConversions(trx, conversions) : [],
  }));
}
