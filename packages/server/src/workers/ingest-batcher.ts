import type { ControlledTransaction, DB, Kysely } from "@vouch/db";

type Work<T> = (trx: Kysely<DB>) => Promise<T>;

interface Job {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: the writes of requests that arrive together run in one transaction, and each request is
 * answered only after that transaction has committed. Every job runs inside its own savepoint, so a job
 * that fails leaves nothing behind and does not spoil the others.
 */
export class IngestBatcher {
  private queue: Job[] = [];
  private running = false;
  private closed = false;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly maxBatch: number,
    /** Runs after each commit, e.g. to wake the webhook worker for the outbox rows just written. */
    private readonly afterCommit: () => void = () => {},
  ) {}

  submit<T>(work: Work<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error("ingest is shutting down"));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.running) {
        this.running = true;
        // Let the requests already in this turn of the event loop join the batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Finishes what was accepted, then refuses new work. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      await this.runBatch(batch);
    }
    this.running = false;
  }

  private async runBatch(batch: Job[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    let trx: ControlledTransaction<DB> | undefined;
    try {
      trx = await this.db.startTransaction().execute();
      for (const job of batch) {
        const sp = await trx.savepoint("job").execute();
        try {
          const value = await job.work(sp);
          await sp.releaseSavepoint("job").execute();
          outcomes.push({ ok: true, value });
        } catch (error) {
          await sp.rollbackToSavepoint("job").execute();
          outcomes.push({ ok: false, error });
        }
      }
      await trx.commit().execute();
      this.afterCommit();
    } catch (error) {
      if (trx && !trx.isCommitted)
        await trx
          .rollback()
          .execute()
          .catch(() => undefined);
      for (const job of batch) job.reject(error);
      return;
    }
    batch.forEach((job, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) job.resolve(outcome.value);
      else job.reject(outcome?.error);
    });
  }
}
