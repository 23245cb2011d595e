// The one place where SQLite and PostgreSQL differ: how a connection is opened and tuned.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { LockWaitingSqliteDialect } from "./lock-wait.js";
import type { DB } from "./schema.js";
import { WalSync } from "./wal-sync.js";

export type Dialect = "sqlite" | "postgres";

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  /** Where the data lives, for the start-up line (a file path, or the server without credentials). */
  location: string;
  /** PostgreSQL: the schema chosen with OpenOptions.schema, if any. */
  schema?: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL only: the schema to use (created when missing). Tests use one schema per suite. */
  schema?: string;
  /** PostgreSQL only: the pool size. */
  poolSize?: number;
}

export class DatabaseUrlError extends Error {}

/** Whether a write failed on a unique index (PostgreSQL's SQLSTATE 23505, better-sqlite3's constraint code). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/** Parses `sqlite:<path>` or `postgres://…`, throwing DatabaseUrlError with what to fix. */
export function parseDatabaseUrl(url: string): { dialect: Dialect; target: string } {
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (!path)
      throw new DatabaseUrlError("DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/vouch.db");
    return { dialect: "sqlite", target: path };
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    try {
      new URL(url);
    } catch {
      throw new DatabaseUrlError("DATABASE_URL is not a valid postgres:// URL");
    }
    return { dialect: "postgres", target: url };
  }
  throw new DatabaseUrlError(
    `DATABASE_URL must start with sqlite: or postgres:// (got "${url.slice(0, 40)}")`,
  );
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  const { dialect, target } = parseDatabaseUrl(url);
  return dialect === "sqlite" ? openSqlite(target) : openPostgres(target, options);
}

function openSqlite(path: string): Database {
  const file = path === ":memory:" ? path : resolve(path);
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  tuneSqlite(sqlite);
  // Locks other connections hold are waited for by the dialect, off the event loop (lock-wait.ts).
  sqlite.pragma("busy_timeout = 0");
  const db = new Kysely<DB>({
    dialect: new LockWaitingSqliteDialect({ database: withStatementCache(sqlite) }, sqlite),
  });
  return { db, dialect: "sqlite", location: file, close: () => db.destroy() };
}

/** The connection group commit writes through, and how its commits become durable. */
export interface IngestConnection {
  db: Kysely<DB>;
  /** Call right after a commit: resolves once that commit is on disk. */
  durable(): Promise<void>;
  close(): Promise<void>;
}

/**
 * PostgreSQL (and SQLite in memory): the database's own connections; a commit is durable when it returns.
 * An SQLite file: a connection of its own on the event loop, tuned so that nothing it does waits: commits
 * with synchronous=NORMAL (written to the log, not yet synced), made durable afterwards by WalSync off the
 * event loop; no checkpoints when a checkpoint thread runs them (see `openWalCheckpointer`); and no busy
 * wait for a lock another connection holds, which on the event loop would stall everything: the caller
 * retries.
 */
export function openIngestConnection(
  database: Database,
  options: { checkpointThread: boolean },
): IngestConnection {
  if (database.dialect !== "sqlite" || database.location === ":memory:") {
    return { db: database.db, durable: () => Promise.resolve(), close: async () => {} };
  }
  const sqlite = new SQLite(database.location);
  tuneSqlite(sqlite);
  sqlite.pragma("synchronous = NORMAL");
  // A batch's multi-row insert into conversions could fail midway through its rows, so SQLite keeps a
  // statement journal: a copy of every page the statement changes. Past 64 KB it spills that copy to a file in
  // the temp directory, which it creates, writes and unlinks: about every second batch of 16 conversions.
  // In memory instead, bounded by the batch size (VOUCH_INGEST_BATCH_MAX).
  sqlite.pragma("temp_store = MEMORY");
  if (options.checkpointThread) sqlite.pragma("wal_autocheckpoint = 0");
  sqlite.pragma("busy_timeout = 0");
  const wal = new WalSync(`${database.location}-wal`);
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    durable: () => wal.afterCommit(),
    async close() {
      await wal.close();
      await db.destroy();
    },
  };
}

/**
 * How long the write-ahead log may grow (in pages, about 64 MB) before a checkpoint starts it over. Each
 * restart holds the write lock while it copies what was committed since the last checkpoint and syncs the
 * database file: about 10 ms under load, which a batch then waits out. Under the benchmark's load with live
 * traffic's random keys (some 50 log pages a commit of 16 conversions) 4,000 pages made that wait for 0.7% of
 * batches and a p99 of 15-18 ms; 16,000 for about a third as many, and a p99 of 10-11 ms.
 */
const WAL_RESTART_PAGES = 16_000;

/**
 * A connection for a checkpoint thread. Each `checkpoint()` copies what the log holds into the database file
 * without waiting for anyone (PASSIVE). Commits go on meanwhile, so under steady load the log is never quite
 * caught up, and SQLite starts it over from the beginning only once it is: past `restartPages` a RESTART takes
 * the write lock, copies what was committed since and lets the next commit start the log over, so that it keeps
 * its size instead of growing without end. Writers find the database busy meanwhile (the ingest connection
 * retries; the others wait). When readers still use the log (a long export), it gives up after a few
 * milliseconds and tries again next time.
 */
export function openWalCheckpointer(
  path: string,
  restartPages = WAL_RESTART_PAGES,
): { checkpoint(): void; close(): void } {
  const sqlite = new SQLite(path);
  tuneSqlite(sqlite);
  sqlite.pragma("busy_timeout = 20");
  const passive = sqlite.prepare("pragma wal_checkpoint(PASSIVE)");
  const restart = sqlite.prepare("pragma wal_checkpoint(RESTART)");
  return {
    checkpoint() {
      const { log } = passive.get() as { busy: number; log: number; checkpointed: number };
      if (log > restartPages) restart.get();
    },
    close: () => sqlite.close(),
  };
}

/** Leaves a database's checkpoints to a checkpoint thread: its own commits no longer run one. */
export async function leaveCheckpointsToThread(database: Database): Promise<void> {
  if (database.dialect === "sqlite") await sql`pragma wal_autocheckpoint = 0`.execute(database.db);
}

/** How every Vouch connection to an SQLite file is set up (the benchmark's bare-SQLite ceiling uses it too). */
export function tuneSqlite(sqlite: SQLite.Database): void {
  sqlite.pragma("journal_mode = WAL");
  // FULL: a commit is on disk before it is acknowledged; group commit keeps that affordable.
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  // A wait inside SQLite stops the thread: the server's own connections set 0 and wait off the event loop.
  sqlite.pragma("busy_timeout = 5000");
  // Let SQLite gather the statistics its planner needs, cheaply, as it recommends doing on every open.
  sqlite.pragma("optimize = 0x10002");
}

/**
 * Kysely prepares every query it runs; preparing costs more than running a small statement. Keep the most
 * recently used statements by their SQL text (the hot path's queries repeat with the same shapes).
 */
function withStatementCache(sqlite: SQLite.Database, size = 500) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(kyselySql: string) {
      // Two connections of the server write (the ingest connection and its own), and other processes may: a
      // transaction takes the write lock when it begins, so one that read first never fails to upgrade; the
      // begin waits for the lock instead (off the event loop: lock-wait.ts, and the ingest's retries).
      const sqlText = kyselySql === "begin" ? "begin immediate" : kyselySql;
      let stmt = cache.get(sqlText);
      if (stmt) {
        cache.delete(sqlText);
      } else {
        stmt = sqlite.prepare(sqlText);
        if (cache.size >= size) cache.delete(cache.keys().next().value as string);
      }
      cache.set(sqlText, stmt);
      return stmt;
    },
  };
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

async function openPostgres(url: string, options: OpenOptions): Promise<Database> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new DatabaseUrlError(`invalid schema name "${schema}"`);
  }
  // The schema exists before any pooled connection starts with it on its search_path.
  if (schema) {
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    try {
      await setup.query(`create schema if not exists ${schema}`);
    } catch (err) {
      // Two processes creating the same schema at once: the loser sees a unique violation; the schema exists.
      if ((err as { code?: string }).code !== "23505") throw err;
    } finally {
      await setup.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    // Milliseconds and minor units stay far below 2^53, so bigint columns are read as numbers.
    types: {
      getTypeParser: (oid: number, format?: "text" | "binary") =>
        oid === INT8_OID || oid === NUMERIC_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format ?? "text"),
    } as pg.CustomTypesConfig,
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const parsed = new URL(url);
  return {
    db,
    dialect: "postgres",
    location: `${parsed.host}${parsed.pathname}${schema ? ` (schema ${schema})` : ""}`,
    ...(schema ? { schema } : {}),
    close: () => db.destroy(),
  };
}
