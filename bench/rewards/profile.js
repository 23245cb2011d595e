// Where a batch's time goes: batches of Mark's purchases written by Vouch's own ingest use-case (the built
// writeIngestBatch, the function the SQLite ingest thread and the PostgreSQL path call), with every statement
// the drivers run timed by shape; then each costly statement's plan on that database (EXPLAIN QUERY PLAN on
// SQLite, EXPLAIN ANALYZE inside a rolled-back transaction on PostgreSQL).
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { openDatabase } from "@vouch/db";
import pg from "pg";

// The drivers exactly as @vouch/db resolves them, so the prototypes observed are the ones it calls.
const fromDb = createRequire(createRequire(import.meta.url).resolve("@vouch/db"));
const SQLite = fromDb("better-sqlite3");
const pgFromDb = fromDb("pg");
const { writeIngestBatch } = await import(
  new URL("../../packages/server/dist/use-cases/write-ingest-batch.js", import.meta.url).href
);

const WARMUP_BATCHES = 5;
let recorder;
watchDrivers();

/**
 * Writes `batches` batches of `batchSize` new purchases referred by Mark (after a few unrecorded ones), in this
 * process, on the database, with Vouch stopped. Everything written is what Vouch writes, so the database stays
 * consistent and only grows.
 */
export async function profileBatches({ database, program, batches, batchSize, tag, planTop = 8 }) {
  const opened = await openDatabase(database.url, database.schema ? { schema: database.schema } : {});
  try {
    const campaign = await opened.db
      .selectFrom("campaigns")
      .selectAll()
      .where("id", "=", program.campaignId)
      .executeTakeFirstOrThrow();
    let n = 0;
    const batch = () =>
      Array.from({ length: batchSize }, () => {
        const i = n++;
        const email = `${tag}-${i}@friends.bench.example`;
        return {
          campaign,
          event: "purchase",
          fields: {
            email,
            first_name: "Bench",
            last_name: `Friend ${i}`,
            currency: "USD",
            amount: i % 4 === 3 ? 5 : 15.7,
            transaction_id: `${tag}-${i}`,
          },
          data: {},
          channel: "pixel",
          visitorId: `${tag}-${i.toString(36).padStart(8, "0")}`,
          refs: [{ code: program.mark.code, ts: Date.now() }],
          now: Date.now(),
        };
      });
    const write = async () => {
      const result = await writeIngestBatch(opened.db, opened.dialect, [], batch());
      const refused = result.conversions.filter((c) => c instanceof Error || !c.created);
      if (refused.length > 0) throw new Error(`profile batch: ${refused.length} not created`);
    };
    for (let i = 0; i < WARMUP_BATCHES; i++) await write();

    recorder = new Map();
    const batchMs = [];
    for (let i = 0; i < batches; i++) {
      const t0 = performance.now();
      await write();
      batchMs.push(performance.now() - t0);
    }
    const shapes = [...recorder.values()];
    recorder = undefined;
    shapes.sort((a, b) => b.ms - a.ms);
    for (const s of shapes.slice(0, planTop)) s.plan = await planOf(opened, database, s);
    return {
      batches,
      batchSize,
      written: n,
      meanBatchMs: batchMs.reduce((a, b) => a + b, 0) / batches,
      shapes: shapes.map(({ sample, ...s }) => ({
        ...s,
        perBatch: s.runs / batches,
        usPerRun: (s.ms * 1000) / s.runs,
      })),
    };
  } finally {
    recorder = undefined;
    await opened.close();
  }
}

/** One shape for a statement whatever its batch size: placeholders and repeated lists folded. */
export function shapeOf(text) {
  return text
    .replace(/\s+/g, " ")
    .replace(/\$\d+/g, "?")
    .replace(/\((?:\?, )*\?\)/g, "(?…)")
    .replace(/\(\?…\)(?:, \(\?…\))+/g, "(?…), …")
    .replace(/(?:when \? then cast\(\? as integer\) ?)+/g, "when … ")
    .trim();
}

function record(text, params, ms) {
  if (!recorder || typeof text !== "string") return;
  const key = shapeOf(text);
  let s = recorder.get(key);
  if (!s) {
    s = { sql: key, runs: 0, ms: 0 };
    recorder.set(key, s);
  }
  s.runs += 1;
  s.ms += ms;
  s.sample = { text, params };
}

function watchDrivers() {
  // better-sqlite3: statements are native objects sharing one prototype; wrap its calls once.
  const probe = new SQLite(":memory:");
  const proto = Object.getPrototypeOf(probe.prepare("select 1"));
  probe.close();
  for (const method of ["run", "all", "get"]) {
    const original = proto[method];
    proto[method] = function timed(...args) {
      if (!recorder) return original.apply(this, args);
      const t0 = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        record(this.source, args[0], performance.now() - t0);
      }
    };
  }
  // pg: Kysely sends every query through Client#query(text, values), pooled clients included.
  for (const Client of new Set([pgFromDb.Client, pg.Client])) {
    const original = Client.prototype.query;
    Client.prototype.query = function timed(text, values, ...rest) {
      if (!recorder || typeof text !== "string") return original.call(this, text, values, ...rest);
      const t0 = performance.now();
      const out = original.call(this, text, values, ...rest);
      if (out && typeof out.then === "function") {
        return out.then((r) => {
          record(text, values, performance.now() - t0);
          return r;
        });
      }
      return out;
    };
  }
}

async function planOf(opened, database, shape) {
  const { text, params } = shape.sample;
  if (/^(begin|commit|rollback)/i.test(text)) return null;
  if (opened.dialect === "sqlite") {
    const file = opened.location;
    const sqlite = new SQLite(file, { readonly: true });
    try {
      const rows = sqlite.prepare(`explain query plan ${text}`).all(params ?? []);
      return rows.map((r) => r.detail);
    } catch (err) {
      return [`(no plan: ${err.message})`];
    } finally {
      sqlite.close();
    }
  }
  const client = new pg.Client({
    connectionString: database.url,
    options: `-c search_path=${database.schema}`,
  });
  await client.connect();
  try {
    await client.query("begin");
    const { rows } = await client.query(`explain (analyze, buffers, costs off) ${text}`, params ?? []);
    return rows.map((r) => r["QUERY PLAN"]);
  } catch (err) {
    return [`(no plan: ${err.message})`];
  } finally {
    await client.query("rollback").catch(() => {});
    await client.end();
  }
}
