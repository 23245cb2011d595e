// Waiting for SQLite's write lock without stopping the event loop.
//
// better-sqlite3 is synchronous: with a busy_timeout, a statement that finds the write lock taken (by
// `vouch import` in another process, or the checkpoint thread starting the log over) sleeps inside SQLite,
// and the whole server, every request and every worker, sleeps with it. The server's connection is
// therefore opened with busy_timeout=0, and this driver waits instead: when SQLite refuses a lock to a
// statement run outside a transaction, or to the `begin` of one, nothing was done, so the driver tries it
// again a little later, giving the event loop back meanwhile. Inside a transaction the lock is already held
// (transactions begin IMMEDIATE), so a refusal there is an error like any other.
import type SQLite from "better-sqlite3";
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from "kysely";

/** How long a statement waits, trying again, for a lock another connection holds, before it fails. */
export const LOCK_WAIT_MS = 5_000;

/** Whether SQLite refused a lock another connection holds. */
export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface LockWaitOptions {
  /** Whether a refusal left nothing done, so that the attempt may be made again (checked before each try). */
  retryable?: () => boolean;
  /** Waits between tries. */
  pause?: (ms: number) => Promise<void>;
  /** When to give up (epoch ms); LOCK_WAIT_MS from now when not given. */
  giveUpAt?: number;
}

/**
 * Runs `attempt` until SQLite stops refusing it a lock, or until `giveUpAt`, then rethrows the refusal.
 * Tries are 1 ms apart at first, since the usual holder (a checkpoint, a batch) lets go within
 * milliseconds and a longer step would only add to the wait, then 10 ms apart.
 */
export async function waitForLock<T>(attempt: () => Promise<T>, options: LockWaitOptions = {}): Promise<T> {
  const { retryable = () => true, pause = sleep, giveUpAt = Date.now() + LOCK_WAIT_MS } = options;
  for (let tries = 1; ; tries++) {
    const safe = retryable();
    try {
      return await attempt();
    } catch (err) {
      if (!isBusy(err) || !safe || Date.now() >= giveUpAt) throw err;
      await pause(tries <= 100 ? 1 : 10);
    }
  }
}

/** Kysely's SQLite dialect, waiting for locks as above. `sqlite` is the connection `config.database` wraps. */
export class LockWaitingSqliteDialect extends SqliteDialect {
  constructor(
    private readonly config: SqliteDialectConfig,
    private readonly sqlite: SQLite.Database,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new LockWaitingSqliteDriver(this.config, this.sqlite);
  }
}

/**
 * Kysely gives its one SQLite connection to one caller at a time. A caller waiting for the lock lends it
 * back between tries, so that reads (which the write lock does not stop) and other callers go on meanwhile.
 */
class LockWaitingSqliteDriver extends SqliteDriver {
  private wrapped: DatabaseConnection | undefined;

  constructor(
    config: SqliteDialectConfig,
    private readonly sqlite: SQLite.Database,
  ) {
    super(config);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    if (!this.wrapped) {
      const lendWhileWaiting = async (ms: number) => {
        await super.releaseConnection();
        await sleep(ms);
        await super.acquireConnection();
      };
      this.wrapped = {
        executeQuery: <R>(query: CompiledQuery): Promise<QueryResult<R>> =>
          waitForLock(() => connection.executeQuery<R>(query), {
            retryable: () => !this.sqlite.inTransaction,
            pause: lendWhileWaiting,
          }),
        streamQuery: <R>(query: CompiledQuery, chunkSize?: number) =>
          connection.streamQuery<R>(query, chunkSize),
      };
    }
    return this.wrapped;
  }
}
