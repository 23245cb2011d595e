// The storage ceiling: how fast this machine's disk and SQLite take the rows a workload stores, with nothing
// else in the way — no HTTP, no parsing, no dedup reads, no counters. Vouch's schema (its own migrations) and
// connection settings (WAL; synchronous=FULL, the log synced at every commit as Vouch's ingest has it synced
// after each), the same rows in the same batch sizes Vouch's group commit formed, one multi-row INSERT and one
// COMMIT per batch. No server storing those rows durably can take requests faster than this on this machine;
// Vouch's figure is read against it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateToLatest, openDatabase, tuneSqlite } from "@vouch/db";
import SQLite from "better-sqlite3";
import { newVisitorId, shopperEmail } from "./keys.js";
import { median } from "./stats.js";

const CAMPAIGN = "cmp_ceiling";
const AMBASSADORS = 100;

/** Rows each workload stores per request, built the way Vouch builds them (ids sortable by time). */
const shapes = {
  visits: {
    table: "visits",
    row(n, now, ambassador) {
      return {
        id: rowId("vis", now, n),
        campaign_id: CAMPAIGN,
        visitor_id: newVisitorId(),
        code: ambassador.code,
        subscriber_id: ambassador.id,
        source: "direct_visit",
        landing_page: `https://site.example/?mwr=${ambassador.code}`,
        created_at: now,
      };
    },
  },
  conversions: {
    table: "conversions",
    row(n, now, ambassador) {
      const referred = n % 2 === 0;
      return {
        id: rowId("cnv", now, n),
        campaign_id: CAMPAIGN,
        event: "download",
        email: shopperEmail(n, "ceiling.bench.example"),
        first_name: "Bench",
        last_name: `Buyer ${n}`,
        amount_minor: 1570,
        currency: "USD",
        transaction_id: `ceiling-${n}`,
        source: "direct_visit",
        status: "confirmed",
        verified: 0,
        channel: "pixel",
        referrer_id: referred ? ambassador.id : null,
        referral_code: referred ? ambassador.code : null,
        visitor_id: newVisitorId(),
        data: null,
        created_at: now,
      };
    },
  },
};

/**
 * Measures each workload `repeats` times for `seconds` each, in batches of `batchSizes[workload]` rows.
 * Returns per workload the median rows/s and µs per row.
 */
export async function measureStorageCeiling({ workloads, batchSizes, seconds, repeats }) {
  const dir = await mkdtemp(join(tmpdir(), "vouch-ceiling-"));
  try {
    const file = join(dir, "ceiling.db");
    const database = await openDatabase(`sqlite:${file}`);
    await migrateToLatest(database);
    await database.close();
    const sqlite = new SQLite(file);
    tuneSqlite(sqlite);
    try {
      const ambassadors = seed(sqlite);
      const results = [];
      let n = 0;
      for (const workload of workloads) {
        const shape = shapes[workload];
        const batch = Math.max(1, Math.round(batchSizes[workload] ?? 1));
        const rates = [];
        for (let r = 0; r < repeats; r++) {
          const run = insertFor(sqlite, shape, batch, seconds, n, ambassadors);
          n = run.next;
          rates.push(run.rows / run.seconds);
        }
        const rowsPerSecond = median(rates);
        results.push({ workload, batch, rowsPerSecond, usPerRow: 1e6 / rowsPerSecond, rates });
      }
      return results;
    } finally {
      sqlite.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function insertFor(sqlite, shape, batch, seconds, start, ambassadors) {
  const columns = Object.keys(shape.row(0, 0, ambassadors[0]));
  const tuple = `(${columns.map(() => "?").join(", ")})`;
  const insert = sqlite.prepare(
    `insert into ${shape.table} (${columns.join(", ")}) values ${Array(batch).fill(tuple).join(", ")}`,
  );
  const begin = sqlite.prepare("begin immediate");
  const commit = sqlite.prepare("commit");
  const started = performance.now();
  const until = started + seconds * 1000;
  let n = start;
  let rows = 0;
  while (performance.now() < until) {
    const now = Date.now();
    const values = [];
    for (let i = 0; i < batch; i++, n++) {
      values.push(...Object.values(shape.row(n, now, ambassadors[n % ambassadors.length])));
    }
    begin.run();
    insert.run(values);
    commit.run();
    rows += batch;
  }
  return { rows, seconds: (performance.now() - started) / 1000, next: n };
}

/** One campaign and its ambassadors, so that every foreign key points at a real row. */
function seed(sqlite) {
  const now = Date.now();
  sqlite
    .prepare(
      `insert into campaigns (id, name, url, events, public_key, cookie_window_days, attribution, status,
         default_currency, created_at, updated_at)
       values (?, 'Ceiling', 'https://site.example', '["download"]', 'pk_ceiling', 90, 'first', 'active', 'USD', ?, ?)`,
    )
    .run(CAMPAIGN, now, now);
  const insert = sqlite.prepare(
    "insert into subscribers (id, campaign_id, email, code, people_referred, created_at) values (?, ?, ?, ?, 0, ?)",
  );
  const ambassadors = [];
  for (let i = 0; i < AMBASSADORS; i++) {
    const ambassador = { id: rowId("sub", now, i), code: `AMB-${i}` };
    insert.run(ambassador.id, CAMPAIGN, `ambassador${i}@ceiling.bench.example`, ambassador.code, now);
    ambassadors.push(ambassador);
  }
  return ambassadors;
}

function rowId(prefix, now, n) {
  return `${prefix}_${now.toString(36).padStart(10, "0")}${n.toString(36).padStart(16, "0")}`;
}
