import { AppError } from "../errors.js";
import type { ConversionRequest, RecordConversionOutcome } from "../use-cases/record-conversions.js";
import type { VisitRequest } from "../use-cases/record-visits.js";
import type { IngestBatchResult } from "../use-cases/write-ingest-batch.js";
import type { IngestExecutor } from "./ingest-executor.js";

interface Pending<Req, Res> {
  request: Req;
  resolve: (value: Res) => void;
  reject: (err: unknown) => void;
}

type VisitJob = Pending<VisitRequest, { id: string; referred: boolean }>;
type ConversionJob = Pending<ConversionRequest, RecordConversionOutcome>;

/**
 * Group commit: the visits and conversions of requests that arrive together are written in one transaction,
 * with set-based queries, and each request is answered only after that transaction has committed. A request
 * refused by a business rule (an AppError) writes nothing and does not spoil the others; should the whole
 * transaction fail, each request is retried alone so one poison request fails only itself.
 */
export class IngestBatcher {
  private visits: VisitJob[] = [];
  private conversions: ConversionJob[] = [];
  private running = false;
  private closed = false;

  constructor(
    private readonly executor: IngestExecutor,
    private readonly maxBatch: number,
    /** Runs after a commit that wrote outbox rows: wakes the webhook worker. */
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
      queue.push({ request, resolve, reject });
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
      let result: IngestBatchResult;
      try {
        result = await this.write(visits, conversions);
      } catch (err) {
        if (visits.length + conversions.length === 1) {
          for (const job of [...visits, ...conversions]) job.reject(err);
          continue;
        }
        for (const job of visits) await this.commitAlone([job], []).catch(job.reject);
        for (const job of conversions) await this.commitAlone([], [job]).catch(job.reject);
        continue;
      }
      // Answering only schedules the requests' continuations; the loop goes straight on to hand the next
      // batch to the executor, so the database writes it while these answers are being sent.
      this.answer(visits, conversions, result);
    }
    this.running = false;
  }

  /** One transaction for the batch. */
  private async write(visits: VisitJob[], conversions: ConversionJob[]): Promise<IngestBatchResult> {
    const result = await this.executor.write(
      visits.map((j) => j.request),
      conversions.map((j) => j.request),
    );
    if (result.outboxWritten) this.afterCommit();
    return result;
  }

  private async commitAlone(visits: VisitJob[], conversions: ConversionJob[]): Promise<void> {
    this.answer(visits, conversions, await this.write(visits, conversions));
  }

  /** Answers go out only once the batch's transaction has committed. */
  private answer(visits: VisitJob[], conversions: ConversionJob[], result: IngestBatchResult): void {
    for (const [i, job] of visits.entries())
      job.resolve(result.visits[i] as { id: string; referred: boolean });
    for (const [i, job] of conversions.entries()) {
      const outcome = result.conversions[i];
      if (outcome instanceof AppError || outcome === undefined) job.reject(outcome);
      else job.resolve(outcome);
    }
  }
}
