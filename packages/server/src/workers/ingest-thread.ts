// The SQLite ingest thread: its own connection, writing the batches the event loop sends it.
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "@vouch/db";
import { AppError } from "../errors.js";
import { writeIngestBatch } from "../use-cases/write-ingest-batch.js";
import { unpackBatch, type WireBatch, type WireResult } from "./ingest-executor.js";

const port = parentPort;
if (!port) throw new Error("ingest-thread runs as a worker thread");
const database = await openDatabase((workerData as { databaseUrl: string }).databaseUrl);

port.on("message", async (msg: WireBatch) => {
  let reply: WireResult;
  try {
    const { visits, conversions } = unpackBatch(msg);
    const result = await writeIngestBatch(database.db, database.dialect, visits, conversions);
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
