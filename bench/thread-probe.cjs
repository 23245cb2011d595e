// Loaded with --require into both benchmark targets, and so into every thread they start (Node runs --require
// preloads in worker threads too; --import ones it does not). Each thread measures itself during a window the
// parent opens and closes over a BroadcastChannel: its event-loop utilisation, optionally a CPU profile, and in
// Vouch its database work — transactions (begin to commit), the syncs that make commits durable and, when asked,
// every statement by shape.
// CommonJS because a preload that reaches worker threads must be.
const { BroadcastChannel, threadId, isMainThread } = require("node:worker_threads");
const { performance } = require("node:perf_hooks");
const { createRequire, syncBuiltinESMExports } = require("node:module");
const inspector = require("node:inspector");
const fs = require("node:fs");
const { writeFileSync } = fs;
const { join } = require("node:path");
const { percentile } = require("./stats.js");

const CHANNEL = "vouch-bench-thread-probe";

// Set at the end of this file, once DatabaseStats is defined.
let database;
const profileDir = process.env.BENCH_PROFILE_DIR;
let since = { elu: performance.eventLoopUtilization() };
let session;
let profileFile;

const channel = new BroadcastChannel(CHANNEL);
channel.unref();
channel.onmessage = async ({ data }) => {
  if (data?.type === "mark") {
    database?.reset();
    await startProfile(data.label);
    since = { elu: performance.eventLoopUtilization() };
    channel.postMessage({ type: "ack", id: data.id, threadId });
  } else if (data?.type === "collect") {
    const eventLoopUtilization = performance.eventLoopUtilization(since.elu).utilization;
    const profile = await stopProfile();
    channel.postMessage({
      type: "report",
      id: data.id,
      threadId,
      report: {
        threadId,
        main: isMainThread,
        eventLoopUtilization,
        ...(database ? { database: database.summary() } : {}),
        ...(profile ? { profile } : {}),
      },
    });
  }
};

function post(method, params = {}) {
  return new Promise((resolve, reject) =>
    session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
  );
}

async function startProfile(label) {
  if (!profileDir) return;
  if (!session) {
    session = new inspector.Session();
    session.connect();
    await post("Profiler.enable");
    await post("Profiler.setSamplingInterval", { interval: 250 });
  }
  const safe = /^[a-z0-9-]{1,60}$/.test(label ?? "") ? label : "window";
  profileFile = join(profileDir, `${safe}${isMainThread ? "" : `-thread${threadId}`}.cpuprofile`);
  await post("Profiler.start");
}

async function stopProfile() {
  if (!session || !profileFile) return undefined;
  const file = profileFile;
  profileFile = undefined;
  const { profile } = await post("Profiler.stop");
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

/** The drivers as @vouch/db resolves them, so the very prototypes the server uses are the ones observed. */
function watchDatabase() {
  const fromDb = createRequire(require.resolve("@vouch/db"));
  const stats = new DatabaseStats(process.env.BENCH_SQL_STATS === "1");
  const SQLite = fromDb("better-sqlite3");
  const prepare = SQLite.prototype.prepare;
  const probe = new SQLite(":memory:");
  const Statement = prepare.call(probe, "select 1").constructor;
  probe.close();
  SQLite.prototype.prepare = function timedPrepare(sql) {
    const started = performance.now();
    const stmt = prepare.call(this, sql);
    stats.prepared(sql, performance.now() - started);
    return stmt;
  };
  // A statement's text is read once: `source` builds a new string on every read, which, for each statement
  // run, would charge the server for the probe's own work.
  const sources = new WeakMap();
  const sourceOf = (stmt) => {
    let sql = sources.get(stmt);
    if (sql === undefined) {
      sql = stmt.source;
      sources.set(stmt, sql);
    }
    return sql;
  };
  // Without statement stats only a transaction's begin and end need seeing, and the driver runs those with
  // `run`: `all` and `get` stay untouched, and `run` passes other statements straight through.
  for (const method of stats.byShape ? ["run", "all", "get"] : ["run"]) {
    const original = Statement.prototype[method];
    Statement.prototype[method] = function timed(...args) {
      if (!stats.byShape && kindOf(sourceOf(this)) === "other") return original.apply(this, args);
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        stats.ran(this.database, sourceOf(this), started, performance.now());
      }
    };
  }
  // On SQLite the server makes its commits durable with fdatasync of the log, off the event loop (WalSync):
  // time each one from the call to its callback. ESM imports of node:fs see the wrapper once synced.
  const fdatasync = fs.fdatasync;
  fs.fdatasync = function timedFdatasync(fd, callback) {
    const started = performance.now();
    return fdatasync.call(this, fd, (...args) => {
      stats.synced(performance.now() - started);
      callback(...args);
    });
  };
  syncBuiltinESMExports();
  const pg = fromDb("pg");
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function timedQuery(config, ...rest) {
    const text = typeof config === "string" ? config : config?.text;
    const started = performance.now();
    const result = query.call(this, config, ...rest);
    if (typeof text === "string" && typeof result?.then === "function") {
      const done = () => stats.ran(this, text, started, performance.now());
      result.then(done, done);
    }
    return result;
  };
  return stats;
}

class DatabaseStats {
  #shapes = new Map();
  #openSince = new WeakMap();
  #transactions = 0;
  #transactionMs = 0;
  #syncMs = [];

  constructor(byShape) {
    this.byShape = byShape;
  }

  prepared(sql, ms) {
    if (!this.byShape) return;
    const e = this.#entry(sql);
    e.prepares += 1;
    e.prepareMs += ms;
  }

  /** `connection`: the better-sqlite3 Database or pg Client, so that each one's begin pairs with its commit. */
  ran(connection, sql, started, ended) {
    const kind = kindOf(sql);
    if (kind === "begin") this.#openSince.set(connection, started);
    else if (kind === "end") {
      const since = this.#openSince.get(connection);
      if (since !== undefined) {
        this.#openSince.delete(connection);
        this.#transactions += 1;
        this.#transactionMs += ended - since;
      }
    }
    if (!this.byShape) return;
    const e = this.#entry(sql);
    e.runs += 1;
    e.runMs += ended - started;
  }

  synced(ms) {
    this.#syncMs.push(ms);
  }

  reset() {
    this.#syncMs = [];
    this.#shapes = new Map();
    this.#transactions = 0;
    this.#transactionMs = 0;
  }

  summary() {
    const statements = [...this.#shapes]
      .map(([sql, e]) => ({ sql: sql.slice(0, 160), ...e }))
      .sort((a, b) => b.prepareMs + b.runMs - (a.prepareMs + a.runMs));
    const syncs = this.#syncMs.sort((a, b) => a - b);
    return {
      transactions: this.#transactions,
      transactionMs: this.#transactionMs,
      ...(syncs.length > 0
        ? {
            syncs: {
              count: syncs.length,
              meanMs: syncs.reduce((sum, ms) => sum + ms, 0) / syncs.length,
              p50Ms: percentile(syncs, 0.5),
              p99Ms: percentile(syncs, 0.99),
            },
          }
        : {}),
      ...(this.byShape ? { statements } : {}),
    };
  }

  #entry(sql) {
    // Statements repeat verbatim (the server caches them), so each text is folded into its shape once.
    let shape = shapeCache.get(sql);
    if (shape === undefined) {
      shape = shapeOf(sql);
      if (shapeCache.size < 10_000) shapeCache.set(sql, shape);
    }
    let e = this.#shapes.get(shape);
    if (!e) {
      e = { prepares: 0, runs: 0, prepareMs: 0, runMs: 0 };
      this.#shapes.set(shape, e);
    }
    return e;
  }
}

const shapeCache = new Map();
const kindCache = new Map();

/** Whether a statement begins a transaction, ends one, or neither (remembered by text). */
function kindOf(sql) {
  let kind = kindCache.get(sql);
  if (kind === undefined) {
    const head = sql.trimStart().slice(0, 9).toLowerCase();
    kind = head.startsWith("begin")
      ? "begin"
      : head.startsWith("commit") || head.startsWith("rollback")
        ? "end"
        : "other";
    if (kindCache.size < 10_000) kindCache.set(sql, kind);
  }
  return kind;
}

/**
 * Set-based queries vary with the batch: `in (?, ?, ?)`, multi-row `values` and `case … when` lists are folded
 * (PostgreSQL's `$n` placeholders read as `?`).
 */
function shapeOf(sql) {
  return sql
    .replace(/\s+/g, " ")
    .replace(/\$\d+/g, "?")
    .replace(/\(\?(?:, \?)*\)/g, "(?…)")
    .replace(/\(\?…\)(?:, \(\?…\))+/g, "(?…), …")
    .replace(/(when \? then [^w]*?)(?:when \? then [^w]*?)*(?=else|end)/g, "$1… ");
}

database = process.env.BENCH_DB_PROBE === "1" ? watchDatabase() : undefined;
