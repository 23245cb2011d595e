import { isBusy, LOCK_WAIT_MS } from "@vouch/db";
import { AppError } from "../errors.js";
import type { ConversionRequest, RecordConversionOutcome } from "../use-cases/record-conversions.js";
import type { VisitRequest } from "../use-cases/record-visits.js";
import type { CommittedBatch, IngestExecutor } from "./ingest-executor.js";

interface Pending<Req, Res> {
  request: Req;
  /** When it was queued (epoch ms): it waits for a lock held elsewhere for at most LOCK_WAIT_MS from then. */
  queuedAt: number;
  resolve: (value: Res) => void;
  reject: (err: unknown) => void;
}

type VisitJob = Pending<VisitRequest, { id: string; referred: boolean }>;
type ConversionJob = Pending<ConversionRequest, RecordConversionOutcome>;

/**
 * Group commit: the visits and conversions of requests that arrive together are written in one transaction,
 * with set-based queries, and each request is answered only once that transaction's commit is on disk. A
 * request refused by a business rule (an AppError) writes nothing and does not spoil the others; should the
 * whole transaction fail, each request is retried alone so one poison request fails only itself (but not
 * when it waited out a lock held elsewhere: then all of them are answered 503 unavailable together).
 *
 * While a commit is being synced the event loop is free: the requests arriving meanwhile form the next batch,
 * written once the sync is done. (Writing it during the sync instead was measured slower: smaller batches,
 * each paying its own commit and sync.)
 */
export class IngestBatcher {
  private visits: VisitJob[] = [];
  private conversions: ConversionJob[] = [];
  private running = false;
  private closed = false;

  constructor(
    private readonly executor: IngestExecutor,
    private readonly maxBatch: number,
    /** Runs once a commit that wrote outbox rows is on disk: wakes the webhook worker. */
    private readonly afterCommit: () => void = () => {},
  ) {}

  recordVisit(request: VisitRequest): Promise<{ id: string; referred: boolean }> {
    return this.enqueue(this.visits, request);
  }

  recordConversion(request: ConversionRequest): Promise<RecordConversionOutcome> {
    return this.enqueue(this.conversions, request);
  }

  /** Finishes what was accepted, then refuses new work. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running) await new Promise((r) => setTimeout(r, 5));
    await this.executor.close();
  }

  private enqueue<Req, Res>(queue: Pending<Req, Res>[], request: Req): Promise<Res> {
    if (this.closed) return Promise.reject(new AppError("unavailable", "the server is shutting down"));
    return new Promise<Res>((resolve, reject) => {
      queue.push({ request, queuedAt: Date.now(), resolve, reject });
      if (!this.running) {
        this.running = true;
        // Let the requests already in this turn of the event loop join the batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const visits = this.visits.splice(0, this.maxBatch);
      const conversions = this.conversions.splice(0, this.maxBatch);
      if (visits.length + conversions.length === 0) break;
      let committed: CommittedBatch;
      try {
        committed = await this.write(visits, conversions);
      } catch (err) {
        // Alone, the one request fails; so does every request of a batch that waited out the lock (each
        // retried alone would wait as long again, in turn).
        if (visits.length + conversions.length === 1 || isBusy(err)) {
          for (const job of [...visits, ...conversions]) job.reject(err);
          continue;
        }
        for (const job of visits) await this.commitAlone([job], []).catch(job.reject);
        for (const job of conversions) await this.commitAlone([], [job]).catch(job.reject);
        continue;
      }
      await this.answerWhenDurable(visits, conversions, committed);
    }
    this.running = false;
  }

  /**
   * One transaction for the batch. Behind a lock held elsewhere it waits until LOCK_WAIT_MS after its oldest
   * request was queued, so that no request waits longer in all, however many batches queued before it.
   */
  private write(visits: VisitJob[], conversions: ConversionJob[]): Promise<CommittedBatch> {
    // Each queue is in arrival order: its first job is its oldest.
    const oldest = Math.min(
      visits[0]?.queuedAt ?? Number.POSITIVE_INFINITY,
      conversions[0]?.queuedAt ?? Number.POSITIVE_INFINITY,
    );
    return this.executor.write(
      visits.map((j) => j.request),
      conversions.map((j) => j.request),
      oldest + LOCK_WAIT_MS,
    );
  }

  private async commitAlone(visits: VisitJob[], conversions: ConversionJob[]): Promise<void> {
    await this.answerWhenDurable(visits, conversions, await this.write(visits, conversions));
  }

  /**
   * Answers go out only once the batch's commit is on disk. A failed sync fails the batch as it stands (its
   * requests are not retried: the commit happened, and whether it is on disk cannot be known).
   */
  private async answerWhenDurable(
    visits: VisitJob[],
    conversions: ConversionJob[],
    committed: CommittedBatch,
  ): Promise<void> {
    try {
      await committed.durable;
    } catch (err) {
      for (const job of [...visits, ...conversions]) job.reject(err);
      return;
    }
    if (committed.result.outboxWritten) this.afterCommit();
    const { result } = committed;
    for (const [i, job] of visits.entries())
      job.resolve(result.visits[i] as { id: string; referred: boolean });
    for (const [i, job] of conversions.entries()) {
      const outcome = result.conversions[i];
      if (outcome instanceof AppError || outcome === undefined) job.reject(outcome);
      else job.resolve(outcome);
    }
  }
}
