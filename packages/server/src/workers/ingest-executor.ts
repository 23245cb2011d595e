// Where a batch is written: the ingest connection (see openIngestConnection). On SQLite a batch's transaction
// runs on the event loop to its commit without giving it up (better-sqlite3 answers at once), so no other
// connection of the server ever finds the ingest connection's lock held. A batch is answered once `durable`
// resolves.
import { type Dialect, type IngestConnection, isBusy } from "@vouch/db";
import { AppError } from "../errors.js";
import type { ConversionRequest } from "../use-cases/record-conversions.js";
import type { VisitRequest } from "../use-cases/record-visits.js";
import { type IngestBatchResult, writeIngestBatch } from "../use-cases/write-ingest-batch.js";

export interface CommittedBatch {
  result: IngestBatchResult;
  /** Resolves once the commit is on disk: only then may the batch be answered. */
  durable: Promise<void>;
}

export interface IngestExecutor {
  write(visits: VisitRequest[], conversions: ConversionRequest[]): Promise<CommittedBatch>;
  close(): Promise<void>;
}

/** How long a batch waits, retrying, for a write lock another connection holds, before it fails. */
const LOCK_WAIT_MS = 5_000;

export function ingestExecutor(connection: IngestConnection, dialect: Dialect): IngestExecutor {
  return {
    async write(visits, conversions) {
      const result = await withLockRetry(() => writeIngestBatch(connection.db, dialect, visits, conversions));
      return { result, durable: connection.durable() };
    },
    close: () => connection.close(),
  };
}

/**
 * The SQLite ingest connection never waits for a lock on the event loop (another connection holding one
 * across awaits, the checkpoint thread starting the log over, or another process such as `vouch import`):
 * when it finds the database busy it tries again a little later, giving the event loop back meanwhile.
 * Nothing was written by a try that found it busy. Tries are 1 ms apart at first, since the usual holder (a
 * checkpoint) lets go within milliseconds and a longer step would only add to the wait, then 10 ms apart.
 */
async function withLockRetry<T>(write: () => Promise<T>): Promise<T> {
  const giveUpAt = Date.now() + LOCK_WAIT_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (!isBusy(err)) throw err;
      if (Date.now() >= giveUpAt)
        throw new AppError("unavailable", "the database is busy; try again in a moment");
      await new Promise((r) => setTimeout(r, attempt <= 100 ? 1 : 10));
    }
  }
}
