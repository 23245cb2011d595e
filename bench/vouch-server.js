// Vouch as a benchmark target: started through its own config loader and composition root, exactly as
// `vouch serve` would, on the database bench/run.js chose (a fresh SQLite file or a fresh PostgreSQL schema).
import { performance } from "node:perf_hooks";
import { loadConfig, startServer } from "@vouch/server";
import { serveProbe } from "./child-probe.js";
import { watchSql } from "./sql-stats.js";

await serveProbe(async () => {
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: process.env.BENCH_VOUCH_DATABASE_URL,
    VOUCH_ADMIN_KEY: process.env.BENCH_ADMIN_KEY,
    VOUCH_INGEST_BATCH_MAX: process.env.VOUCH_INGEST_BATCH_MAX,
  });
  const schema = process.env.BENCH_SCHEMA;
  const sql =
    process.env.BENCH_SQL_STATS === "1"
      ? watchSql(config.databaseUrl.startsWith("sqlite:") ? "sqlite" : "postgres")
      : undefined;
  const server = await startServer(config, schema ? { schema } : {});
  const batches = watchTransactions(server.database.db);
  return {
    url: server.url,
    close: () => server.close(),
    mark: () => {
      batches.reset();
      sql?.reset();
    },
    stats: () => ({ groupCommit: batches.summary(), ...(sql ? { sql: sql.summary() } : {}) }),
  };
});

/**
 * Observes group commit from outside, without touching server code: every transaction opened on this Kysely
 * instance (`transaction()` or `startTransaction()`) is counted and timed, from begin to commit. During a load
 * run with no webhook endpoints configured, only the ingest batcher opens transactions, so requests per
 * transaction is the batch size.
 */
function watchTransactions(db) {
  let count = 0;
  let openMs = 0;
  const timed = async (run) => {
    const opened = performance.now();
    try {
      return await run();
    } finally {
      count += 1;
      openMs += performance.now() - opened;
    }
  };

  const transaction = db.transaction.bind(db);
  db.transaction = () => {
    const builder = transaction();
    const execute = builder.execute.bind(builder);
    builder.execute = (callback) => timed(() => execute(callback));
    return builder;
  };
  const startTransaction = db.startTransaction.bind(db);
  db.startTransaction = () => {
    const builder = startTransaction();
    const execute = builder.execute.bind(builder);
    builder.execute = async () => {
      const opened = performance.now();
      const trx = await execute();
      for (const end of ["commit", "rollback"]) {
        const finish = trx[end].bind(trx);
        trx[end] = () => {
          const endBuilder = finish();
          const run = endBuilder.execute.bind(endBuilder);
          endBuilder.execute = async () => {
            await run();
            count += 1;
            openMs += performance.now() - opened;
          };
          return endBuilder;
        };
      }
      return trx;
    };
    return builder;
  };

  return {
    reset() {
      count = 0;
      openMs = 0;
    },
    summary() {
      return { transactions: count, transactionMs: openMs };
    },
  };
}
