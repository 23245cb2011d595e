// Where a batch is written: on the event loop's own connection, or — for SQLite — on a thread of its own, so
// that SQLite's synchronous work (statements, commit, fsync) never stalls the HTTP event loop.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { CampaignRow, DB, Dialect, Kysely } from "@vouch/db";
import { AppError, type ErrorCode } from "../errors.js";
import type { ConversionRequest } from "../use-cases/record-conversions.js";
import type { VisitRequest } from "../use-cases/record-visits.js";
import { type IngestBatchResult, writeIngestBatch } from "../use-cases/write-ingest-batch.js";

export interface IngestExecutor {
  write(visits: VisitRequest[], conversions: ConversionRequest[]): Promise<IngestBatchResult>;
  close(): Promise<void>;
}

export function inProcessExecutor(db: Kysely<DB>, dialect: Dialect): IngestExecutor {
  return {
    write: (visits, conversions) => writeIngestBatch(db, dialect, visits, conversions),
    close: async () => {},
  };
}

/** What crosses the thread boundary: AppErrors travel as their fields and are rebuilt on arrival. */
export type WireResult =
  | {
      id: number;
      ok: true;
      visits: IngestBatchResult["visits"];
      conversions: Array<WireConversion>;
      outboxWritten: boolean;
    }
  | { id: number; ok: false; message: string };
export type WireConversion =
  | Exclude<IngestBatchResult["conversions"][number], AppError>
  | { appError: { code: ErrorCode; message: string; field?: string } };

/**
 * A batch as it crosses to the thread: each campaign row once, the requests pointing at it by position
 * (copying a campaign row with every request made the copy the larger part of a small request).
 */
export interface WireBatch {
  id: number;
  campaigns: CampaignRow[];
  visits: Array<Omit<VisitRequest, "campaign"> & { campaign: number }>;
  conversions: Array<Omit<ConversionRequest, "campaign"> & { campaign: number }>;
}

export function packBatch(
  id: number,
  visits: readonly VisitRequest[],
  conversions: readonly ConversionRequest[],
): WireBatch {
  const campaigns: CampaignRow[] = [];
  const position = new Map<CampaignRow, number>();
  const at = (campaign: CampaignRow): number => {
    let i = position.get(campaign);
    if (i === undefined) {
      i = campaigns.push(campaign) - 1;
      position.set(campaign, i);
    }
    return i;
  };
  return {
    id,
    campaigns,
    visits: visits.map((v) => ({ ...v, campaign: at(v.campaign) })),
    conversions: conversions.map((c) => ({ ...c, campaign: at(c.campaign) })),
  };
}

export function unpackBatch(batch: WireBatch): { visits: VisitRequest[]; conversions: ConversionRequest[] } {
  const campaign = (i: number): CampaignRow => {
    const row = batch.campaigns[i];
    if (!row) throw new Error(`ingest batch ${batch.id} names campaign ${i} it does not carry`);
    return row;
  };
  return {
    visits: batch.visits.map((v) => ({ ...v, campaign: campaign(v.campaign) })),
    conversions: batch.conversions.map((c) => ({ ...c, campaign: campaign(c.campaign) })),
  };
}

// The built thread entry; tests that run the TypeScript sources use it too (`npm test` builds first).
const THREAD_ENTRY = fileURLToPath(new URL("../../dist/workers/ingest-thread.js", import.meta.url));

export function threadExecutorAvailable(): boolean {
  return existsSync(THREAD_ENTRY);
}

export class ThreadExecutor implements IngestExecutor {
  private worker: Worker;
  private nextId = 0;
  private readonly inFlight = new Map<
    number,
    { resolve: (r: IngestBatchResult) => void; reject: (e: Error) => void }
  >();
  private closing = false;

  constructor(private readonly databaseUrl: string) {
    this.worker = this.spawn();
  }

  write(visits: VisitRequest[], conversions: ConversionRequest[]): Promise<IngestBatchResult> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.inFlight.set(id, { resolve, reject });
      this.worker.postMessage(packBatch(id, visits, conversions));
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    while (this.inFlight.size > 0) await new Promise((r) => setTimeout(r, 5));
    await this.worker.terminate();
  }

  private spawn(): Worker {
    const worker = new Worker(THREAD_ENTRY, { workerData: { databaseUrl: this.databaseUrl } });
    worker.on("message", (msg: WireResult) => this.settle(msg));
    // A thread that dies fails what it held (nothing of it was acknowledged) and is replaced.
    const fail = (reason: string) => {
      for (const [id, pending] of this.inFlight) {
        pending.reject(new Error(`ingest thread ${reason}`));
        this.inFlight.delete(id);
      }
      if (!this.closing) this.worker = this.spawn();
    };
    worker.on("error", (err) => fail(`failed: ${err.message}`));
    worker.on("exit", (code) => {
      if (!this.closing) fail(`exited with code ${code}`);
    });
    return worker;
  }

  private settle(msg: WireResult): void {
    const pending = this.inFlight.get(msg.id);
    if (!pending) return;
    this.inFlight.delete(msg.id);
    if (!msg.ok) {
      pending.reject(new Error(msg.message));
      return;
    }
    pending.resolve({
      visits: msg.visits,
      outboxWritten: msg.outboxWritten,
      conversions: msg.conversions.map((c) =>
        "appError" in c ? new AppError(c.appError.code, c.appError.message, c.appError.field) : c,
      ),
    });
  }
}
