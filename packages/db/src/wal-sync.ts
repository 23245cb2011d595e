// Durable commits without stalling the event loop: a connection in WAL mode with synchronous=NORMAL writes its
// commit to the write-ahead log and returns; this makes those commits durable afterwards with fdatasync of the
// log on libuv's thread pool, one sync covering every commit made before it began (group commit's sync).
import { closeSync, constants, fdatasync, fsyncSync, openSync } from "node:fs";
import { dirname } from "node:path";

type Sync = (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class WalSync {
  private readonly fd: number;
  private waiting: Waiter[] = [];
  private syncing = false;
  private broken: Error | null = null;
  private closed = false;

  /**
   * `walPath` is the database file's `-wal`. It is opened (created if SQLite has not yet) while the caller's
   * connection is open, which keeps it the same file: SQLite removes the log only when its last connection
   * closes, and truncates rather than replaces it otherwise.
   */
  constructor(
    walPath: string,
    private readonly sync: Sync = fdatasync,
  ) {
    this.fd = openSync(walPath, constants.O_RDWR | constants.O_CREAT, 0o644);
    // The log's directory entry is on disk too, so that a log created just now survives a power loss.
    const dir = openSync(dirname(walPath), constants.O_RDONLY);
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }

  /**
   * Call right after a commit: resolves once an fdatasync of the log that began after this call has finished,
   * so the commit (and every one before it) is on disk. Rejects if a sync failed: after a failed fsync the
   * kernel may have dropped the unwritten pages, so no later commit is called durable either.
   */
  afterCommit(): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.closed) return Promise.reject(new Error("the write-ahead log is closed"));
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.syncing) this.round();
    });
  }

  /** Waits for the syncs asked for, then closes the log's descriptor (the connection stays the caller's). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.syncing) await new Promise((r) => setTimeout(r, 1));
    closeSync(this.fd);
  }

  private round(): void {
    const covered = this.waiting;
    this.waiting = [];
    this.syncing = true;
    this.sync(this.fd, (err) => {
      this.syncing = false;
      if (err) {
        this.broken = new Error(`the database log could not be synced to disk: ${err.message}`);
        for (const w of [...covered, ...this.waiting]) w.reject(this.broken);
        this.waiting = [];
        return;
      }
      for (const w of covered) w.resolve();
      // Commits made while this sync ran wait for one that begins after them.
      if (this.waiting.length > 0) this.round();
    });
  }
}
