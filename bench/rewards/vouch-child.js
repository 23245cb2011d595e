// Vouch in a process of its own, started through its composition root (the built @vouch/server) as
// `vouch serve` would, so that the load generator in the parent never shares an event loop with it.
// Talks to the parent over IPC: "ready" with its URL, then "mark" / "stats" / "stop".
import { performance } from "node:perf_hooks";
import { startServer } from "@vouch/server";

const env = process.env;
const server = await startServer(
  {
    port: 0,
    host: "127.0.0.1",
    databaseUrl: env.BENCH_VOUCH_DATABASE_URL,
    adminKey: env.BENCH_ADMIN_KEY,
    publicUrl: "http://vouch.bench",
    ingestBatchMax: Number(env.VOUCH_INGEST_BATCH_MAX || 256),
    webhookAllowPrivate: false,
  },
  env.BENCH_SCHEMA ? { schema: env.BENCH_SCHEMA } : {},
);

let since = snapshot();
let stopping = false;
// The parent went away without asking (killed, crashed): do not linger holding a port and the database.
process.on("disconnect", () => {
  if (!stopping) void server.close().finally(() => process.exit(1));
});
process.on("message", async (msg) => {
  if (msg?.type === "mark") {
    since = snapshot();
    process.send({ type: "marked" });
  } else if (msg?.type === "stats") {
    const now = snapshot();
    process.send({
      type: "stats",
      wallMs: now.wall - since.wall,
      cpuMs: (now.cpu.user - since.cpu.user + now.cpu.system - since.cpu.system) / 1000,
      mainEventLoopUtilization: performance.eventLoopUtilization(now.elu, since.elu).utilization,
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
    });
  } else if (msg?.type === "stop") {
    stopping = true;
    await server.close();
    process.send({ type: "stopped" });
    process.disconnect();
  }
});
process.send({ type: "ready", url: server.url, migrationsApplied: server.migrationsApplied });

function snapshot() {
  return { wall: performance.now(), cpu: process.cpuUsage(), elu: performance.eventLoopUtilization() };
}
