// The SQLite checkpoint thread: copies the write-ahead log into the database file every little while, so that
// neither the event loop nor the ingest connection ever pays for a checkpoint (or its sync of the database file).
import { parentPort, workerData } from "node:worker_threads";
import { openWalCheckpointer } from "@vouch/db";

const port = parentPort;
if (!port) throw new Error("checkpoint-thread runs as a worker thread");
const { path, intervalMs, restartPages } = workerData as {
  path: string;
  intervalMs: number;
  restartPages?: number;
};
const checkpointer = openWalCheckpointer(path, restartPages);

const timer = setInterval(() => {
  try {
    checkpointer.checkpoint();
  } catch (err) {
    // A checkpoint that fails (the disk full, say) leaves the log as it was: the next one tries again.
    port.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
}, intervalMs);

port.on("message", (msg: "stop") => {
  if (msg !== "stop") return;
  clearInterval(timer);
  // A last checkpoint, so a server stopped cleanly leaves little in the log.
  try {
    checkpointer.checkpoint();
  } finally {
    checkpointer.close();
    port.close();
  }
});
