// Vouch as a benchmark target: started through its own config loader and composition root, exactly as
// `vouch serve` would, on the database bench/run.js chose (a fresh SQLite file or a fresh PostgreSQL schema).
// What it does with the database is observed by thread-probe.cjs, in whichever thread it happens.
import { loadConfig, startServer } from "@vouch/server";
import { serveProbe } from "./child-probe.js";

await serveProbe(async () => {
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: process.env.BENCH_VOUCH_DATABASE_URL,
    VOUCH_ADMIN_KEY: process.env.BENCH_ADMIN_KEY,
    VOUCH_INGEST_BATCH_MAX: process.env.VOUCH_INGEST_BATCH_MAX,
  });
  const schema = process.env.BENCH_SCHEMA;
  const server = await startServer(config, schema ? { schema } : {});
  return { url: server.url, close: () => server.close() };
});
