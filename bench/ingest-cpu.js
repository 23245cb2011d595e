// What one visit or conversion costs the database path alone: batches go straight to the group commit's write
// (writeIngestBatch, on the server's own ingest connection), with no HTTP, no load generator and no sync, so
// the CPU time per request is steady enough to compare two versions of the code a few percent apart, which
// the HTTP benchmark on a shared two-core machine is not. Prints CPU µs per request, the log frames (pages)
// each commit writes, and with --pages which table or index each frame belonged to, with --statements the
// time each statement took.
//
//   npm run build && node bench/ingest-cpu.js [visits|conversions] [--batch 16] [--batches 1500] [--rounds 5]
//                                             [--pages] [--statements]
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { migrateToLatest, openDatabase, openIngestConnection } from "@vouch/db";
import SQLite from "better-sqlite3";
import { writeIngestBatch } from "../packages/server/dist/use-cases/write-ingest-batch.js";
import { newVisitorId, shopperEmail } from "./keys.js";
import { median } from "./stats.js";

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    batch: { type: "string", default: "16" },
    batches: { type: "string", default: "1500" },
    rounds: { type: "string", default: "5" },
    pages: { type: "boolean", default: false },
    statements: { type: "boolean", default: false },
  },
});
const workload = positionals[0] ?? "conversions";
if (workload !== "visits" && workload !== "conversions") throw new Error("workload: visits or conversions");
const batchSize = Number(opts.batch);
const AMBASSADORS = 100;
const FRAME_BYTES = 24 + 4096;

const timings = opts.statements ? timeStatements() : undefined;
const dir = mkdtempSync(join(tmpdir(), "vouch-ingest-cpu-"));
const file = join(dir, "vouch.db");
try {
  const database = await openDatabase(`sqlite:${file}`);
  await migrateToLatest(database);
  const campaign = await seed(database.db);
  // Checkpoints are left to no one, as the server leaves them to its checkpoint thread: the log only grows,
  // so what each commit adds to it can be read off its size.
  const ingest = openIngestConnection(database, { checkpointThread: true });
  let n = 0;
  const nextBatch = () => Array.from({ length: batchSize }, () => request(campaign, ++n));
  const write = (batch) =>
    workload === "visits"
      ? writeIngestBatch(ingest.db, "sqlite", batch, [])
      : writeIngestBatch(ingest.db, "sqlite", [], batch);

  const rounds = [];
  for (let round = 0; round < Number(opts.rounds); round++) {
    const framesBefore = logFrames(file);
    timings?.clear();
    const cpu = process.cpuUsage();
    for (let b = 0; b < Number(opts.batches); b++) await write(nextBatch());
    const used = process.cpuUsage(cpu);
    const requests = batchSize * Number(opts.batches);
    rounds.push({
      user: used.user / requests,
      system: used.system / requests,
      frames: (logFrames(file) - framesBefore) / Number(opts.batches),
    });
  }
  const med = (key) => median(rounds.map((r) => r[key]));
  console.log(
    `${workload}, batches of ${batchSize}, ${rounds.length} rounds of ${opts.batches} (medians; ${n.toLocaleString("en-US")} rows at the end):`,
  );
  console.log(
    `  CPU per request ${(med("user") + med("system")).toFixed(1)} µs (user ${med("user").toFixed(1)}, system ${med("system").toFixed(1)}); ${med("frames").toFixed(1)} log frames per commit`,
  );
  if (timings) printStatements(timings, batchSize * Number(opts.batches));
  if (opts.pages) await printPages(file, () => write(nextBatch()));
  await ingest.close();
  await database.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function seed(db) {
  const now = Date.now();
  await db
    .insertInto("campaigns")
    .values({
      id: "cmp_ingest",
      name: "Ingest",
      url: "https://site.example/",
      events: '["download"]',
      public_key: "pk_ingest",
      cookie_window_days: 90,
      attribution: "first",
      status: "active",
      default_currency: "USD",
      allowed_domains: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db
    .insertInto("subscribers")
    .values(
      Array.from({ length: AMBASSADORS }, (_, i) => ({
        id: `sub_ingest${i}`,
        campaign_id: "cmp_ingest",
        email: `ambassador${i}@ingest.example`,
        name: `Ambassador ${i}`,
        extra_field: null,
        extra_field_2: null,
        code: `CODE${i}`,
        referred_by: null,
        created_at: now + i,
      })),
    )
    .execute();
  return db.selectFrom("campaigns").selectAll().where("id", "=", "cmp_ingest").executeTakeFirstOrThrow();
}

/** What the collect routes hand the batcher, shaped like the HTTP benchmark's requests. */
function request(campaign, n) {
  const code = `CODE${n % AMBASSADORS}`;
  const vid = newVisitorId();
  const now = Date.now();
  if (workload === "visits") {
    return {
      campaign,
      input: { k: "pk_ingest", vid, code, url: `https://site.example/pricing?mwr=${code}`, referrer: null },
      now,
    };
  }
  const email = shopperEmail(n, "ingest.example");
  return {
    campaign,
    event: "download",
    fields: {
      email,
      first_name: "Bench",
      last_name: `Buyer ${n}`,
      currency: "USD",
      amount: 15.7,
      transaction_id: `ingest-${n}`,
    },
    data: {},
    channel: "pixel",
    visitorId: vid,
    refs: n % 2 === 0 ? [{ code, ts: now }] : [],
    now,
  };
}

function logFrames(dbFile) {
  try {
    return Math.max(0, (statSync(`${dbFile}-wal`).size - 32) / FRAME_BYTES);
  } catch {
    return 0;
  }
}

/** Ten more commits, then the page number of each frame they added, named by the b-tree it belongs to. */
async function printPages(dbFile, commit) {
  const start = statSync(`${dbFile}-wal`).size;
  const COMMITS = 10;
  for (let i = 0; i < COMMITS; i++) await commit();
  const log = readFileSync(`${dbFile}-wal`);
  const reader = new SQLite(dbFile, { readonly: true });
  const owner = new Map(reader.prepare("select pageno, name from dbstat").raw().all());
  reader.close();
  const counts = new Map();
  for (let at = start; at + FRAME_BYTES <= log.length; at += FRAME_BYTES) {
    const page = log.readUInt32BE(at);
    const name = owner.get(page) ?? `page ${page}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  console.log("  log frames per commit, by table or index:");
  for (const [name, count] of [...counts].sort((a, b) => b[1] - a[1]))
    console.log(`  ${(count / COMMITS).toFixed(1).padStart(6)}  ${name}`);
}

/** Times every statement better-sqlite3 runs, by its text with batch-sized lists folded. */
function timeStatements() {
  const byShape = new Map();
  const prepare = SQLite.prototype.prepare;
  SQLite.prototype.prepare = function timedPrepare(source) {
    const stmt = prepare.call(this, source);
    const shape = source
      .replace(/\(\?(?:, \?)*\)(?:, \(\?(?:, \?)*\))*/g, "(…)")
      .replace(/(?:when \? then cast\(\? as integer\) ?)+/g, "… ");
    for (const method of ["all", "run", "get"]) {
      const original = stmt[method];
      stmt[method] = function timed(...args) {
        const started = process.hrtime.bigint();
        try {
          return original.apply(this, args);
        } finally {
          const entry = byShape.get(shape) ?? { runs: 0, ns: 0n };
          entry.runs += 1;
          entry.ns += process.hrtime.bigint() - started;
          byShape.set(shape, entry);
        }
      };
    }
    return stmt;
  };
  return byShape;
}

function printStatements(byShape, requests) {
  console.log("  statements, last round (µs per request, runs):");
  for (const [shape, e] of [...byShape].sort((a, b) => Number(b[1].ns - a[1].ns)).slice(0, 14)) {
    const us = Number(e.ns) / 1000 / requests;
    console.log(`  ${us.toFixed(1).padStart(6)}  ${String(e.runs).padStart(6)}  ${shape.slice(0, 110)}`);
  }
}
