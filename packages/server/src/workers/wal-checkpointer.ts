// Runs SQLite's checkpoints on a thread of their own (checkpoint-thread.ts), for a server whose connections
// leave them to it: the ingest connection commits without syncing (WalSync syncs the log off the event loop),
// and a checkpoint copying the log into the database file and syncing it would otherwise stall a commit.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

// The built thread entry; tests that run the TypeScript sources use it too (`npm test` builds first).
const THREAD_ENTRY = fileURLToPath(new URL("../../dist/workers/checkpoint-thread.js", import.meta.url));

export function checkpointThreadAvailable(): boolean {
  return existsSync(THREAD_ENTRY);
}

export class WalCheckpointer {
  private worker: Worker;
  private alive = false;
  private stopping = false;

  constructor(
    private readonly path: string,
    /** `restartPages`: the log's length that starts it over (openWalCheckpointer's default unless given). */
    private readonly options: { intervalMs?: number; restartPages?: number } = {},
    private readonly log: (line: string) => void = (line) => console.error(line),
  ) {
    this.worker = this.spawn();
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // A thread that died and waits to be replaced has nothing to finish.
    if (!this.alive) return;
    const exited = new Promise((r) => this.worker.once("exit", r));
    this.worker.postMessage("stop");
    await exited;
  }

  private spawn(): Worker {
    const { intervalMs = 100, restartPages } = this.options;
    const worker = new Worker(THREAD_ENTRY, { workerData: { path: this.path, intervalMs, restartPages } });
    this.alive = true;
    worker.on("message", (msg: { error?: string }) => {
      if (msg.error) this.log(`vouch: checkpoint failed, will retry: ${msg.error}`);
    });
    worker.on("error", (err) => this.log(`vouch: checkpoint thread failed: ${err.message}`));
    // A thread that dies is replaced (after a pause, should it die at once again): without checkpoints the
    // log would only grow.
    worker.on("exit", () => {
      this.alive = false;
      if (this.stopping) return;
      setTimeout(() => {
        if (!this.stopping) this.worker = this.spawn();
      }, 1_000).unref();
    });
    return worker;
  }
}
