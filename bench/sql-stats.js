// BENCH_SQL_STATS=1 (SQLite only): which statements a request costs, and how long better-sqlite3 spends
// preparing and running each. A diagnostic: the timing wrappers themselves add a little to every statement.
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";

export function watchSqlite() {
  // better-sqlite3 as @vouch/db resolves it, so the very prototype the server uses is the one observed.
  const require = createRequire(import.meta.resolve("@vouch/db"));
  const SQLite = require("better-sqlite3");
  let bySql = new Map();
  const entry = (sql) => {
    const shape = shapeOf(sql);
    let e = bySql.get(shape);
    if (!e) {
      e = { prepares: 0, runs: 0, prepareMs: 0, runMs: 0 };
      bySql.set(shape, e);
    }
    return e;
  };

  const prepare = SQLite.prototype.prepare;
  const probe = new SQLite(":memory:");
  const Statement = prepare.call(probe, "select 1").constructor;
  probe.close();
  SQLite.prototype.prepare = function timedPrepare(sql) {
    const started = performance.now();
    const stmt = prepare.call(this, sql);
    const e = entry(sql);
    e.prepares += 1;
    e.prepareMs += performance.now() - started;
    return stmt;
  };
  for (const method of ["run", "all", "get"]) {
    const original = Statement.prototype[method];
    Statement.prototype[method] = function timed(...args) {
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const e = entry(this.source);
        e.runs += 1;
        e.runMs += performance.now() - started;
      }
    };
  }

  return {
    reset() {
      bySql = new Map();
    },
    summary() {
      const statements = [...bySql]
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
    },
  };
}

/** Set-based queries vary with the batch: `in (?, ?, ?)`, multi-row `values` and `case … when` lists are folded. */
function shapeOf(sql) {
  return sql
    .replace(/\s+/g, " ")
    .replace(/\(\?(?:, \?)*\)/g, "(?…)")
    .replace(/\(\?…\)(?:, \(\?…\))+/g, "(?…), …")
    .replace(/(when \? then [^w]*?)(?:when \? then [^w]*?)*(?=else|end)/g, "$1… ");
}
