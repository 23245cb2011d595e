// The SQLite ingest thread: its own connection, writing the batches the event loop sends it.
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "@vouch/db";
import { AppError } from "../errors.js";
import type { ConversionRequest } from "../use-cases/record-conversions.js";
import type { VisitRequest } from "../use-cases/record-visits.js";
import { writeIngestBatch } from "../use-cases/write-ingest-batch.js";
import type { WireResult } from "./ingest-executor.js";

const port = parentPort;
if (!port) throw new Error("ingest-thread runs as a worker thread");
const database = await openDatabase((workerData as { databaseUrl: string }).databaseUrl);

port.on("message", async (msg: { id: number; visits: VisitRequest[]; conversions: ConversionRequest[] }) => {
  let reply: WireResult;
  try {
    const result = await writeIngestBatch(database.db, database.dialect, msg.visits, msg.conversions);
    reply = {
      id: msg.id,
      ok: true,
      visits: result.visits,
      outboxWritten: result.outboxWritten,
      conversions: result.conversions.map((c) =>
        c instanceof AppError
          ? { appError: { code: c.code, message: c.message, ...(c.field ? { field: c.field } : {}) } }
          : c,
      ),
    };
  } catch (err) {
    reply = { id: msg.id, ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
