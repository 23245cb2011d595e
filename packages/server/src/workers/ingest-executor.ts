// Where a batch is written: the ingest connection (see openIngestConnection). On SQLite a batch's transaction
// runs on the event loop to its commit without giving it up (better-sqlite3 answers at once), so no other
// connection of the server ever finds the ingest connection's lock held. A batch is answered once `durable`
// resolves.
import { type Dialect, type IngestConnection, waitForLock } from "@vouch/db";
import type { ConversionRequest } from "../use-cases/record-conversions.js";
import type { VisitRequest } from "../use-cases/record-visits.js";
import { type IngestBatchResult, writeIngestBatch } from "../use-cases/write-ingest-batch.js";

export interface CommittedBatch {
  result: IngestBatchResult;
  /** Resolves once the commit is on disk: only then may the batch be answered. */
  durable: Promise<void>;
}

export interface IngestExecutor {
  /** `giveUpAt`: when the batch stops waiting for a lock another connection holds (epoch ms). */
  write(visits: VisitRequest[], conversions: ConversionRequest[], giveUpAt: number): Promise<CommittedBatch>;
  close(): Promise<void>;
}

/**
 * The SQLite ingest connection never waits for a lock on the event loop (another connection holding one
 * across awaits, the checkpoint thread starting the log over, or another process such as `vouch import`):
 * when it finds the database busy it tries the batch again a little later (waitForLock), giving the event
 * loop back meanwhile. A try that found it busy wrote nothing: the transaction was rolled back. Past
 * `giveUpAt` the batch fails with SQLite's refusal, which the HTTP error handler answers 503 unavailable.
 */
export function ingestExecutor(connection: IngestConnection, dialect: Dialect): IngestExecutor {
  return {
    async write(visits, conversions, giveUpAt) {
      const result = await waitForLock(() => writeIngestBatch(connection.db, dialect, visits, conversions), {
        giveUpAt,
      });
      return { result, durable: connection.durable() };
    },
    close: () => connection.close(),
  };
}
