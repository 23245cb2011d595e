// BENCH_SQL_STATS=1: which statements a request costs, and how long each takes — on SQLite the time better-sqlite3
// spends preparing and running it, on PostgreSQL the time from sending it to its answer (round trip included).
// A diagnostic: the timing wrappers themselves add a little to every statement.
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";

/** @param {"sqlite" | "postgres"} dialect */
export function watchSql(dialect) {
  // The driver as @vouch/db resolves it, so the very prototype the server uses is the one observed.
  const require = createRequire(import.meta.resolve("@vouch/db"));
  const stats = new ShapeStats();
  if (dialect === "sqlite") watchSqlite(require("better-sqlite3"), stats);
  else watchPostgres(require("pg"), stats);
  return stats;
}

function watchSqlite(SQLite, stats) {
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
  for (const method of ["run", "all", "get"]) {
    const original = Statement.prototype[method];
    Statement.prototype[method] = function timed(...args) {
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        stats.ran(this.source, performance.now() - started);
      }
    };
  }
}

function watchPostgres(pg, stats) {
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function timedQuery(config, ...rest) {
    const text = typeof config === "string" ? config : config?.text;
    const started = performance.now();
    const result = query.call(this, config, ...rest);
    if (typeof text === "string" && typeof result?.then === "function") {
      const done = () => stats.ran(text, performance.now() - started);
      result.then(done, done);
    }
    return result;
  };
}

class ShapeStats {
  #byShape = new Map();

  #entry(sql) {
    const shape = shapeOf(sql);
    let e = this.#byShape.get(shape);
    if (!e) {
      e = { prepares: 0, runs: 0, prepareMs: 0, runMs: 0 };
      this.#byShape.set(shape, e);
    }
    return e;
  }

  prepared(sql, ms) {
    const e = this.#entry(sql);
    e.prepares += 1;
    e.prepareMs += ms;
  }

  ran(sql, ms) {
    const e = this.#entry(sql);
    e.runs += 1;
    e.runMs += ms;
  }

  reset() {
    this.#byShape = new Map();
  }

  summary() {
    const statements = [...this.#byShape]
      .map(([sql, e]) => ({ sql: sql.slice(0, 160), ...e }))
      .sort((a, b) => b.prepareMs + b.runMs - (a.prepareMs + a.runMs));
    const total = (field) => statements.reduce((sum, s) => sum + s[field], 0);
    return {
      prepares: total("prepares"),
      runs: total("runs"),
      prepareMs: total("prepareMs"),
      runMs: total("runMs"),
      top: statements.slice(0, 15),
    };
  }
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
