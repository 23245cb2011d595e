// Import benchmark: 100,000 ambassadors from one CSV file, through the API (POST …/subscribers/import) and
// through the command (`vouch import`), each on a fresh database, repeated; the target is under 30 s.
// Runs on SQLite, and on PostgreSQL too when BENCH_DATABASE_URL is set. Needs a build (npm run build).
// Settings: BENCH_IMPORT_ROWS, BENCH_REPEATS, BENCH_IMPORT_WEBHOOK, BENCH_DATABASE_URL. See README.md here.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeImportFile } from "./data.js";
import { api, databaseCounts, freshDatabase, runImportCommand, seedCampaign, serve } from "./vouch.js";

const TARGET_MS = 30_000;
const SEED_AMBASSADORS = 100;
const RESULTS = fileURLToPath(new URL("./results/", import.meta.url));

const settings = {
  rows: Number(process.env.BENCH_IMPORT_ROWS ?? 100_000),
  repeats: Number(process.env.BENCH_REPEATS ?? 3),
  webhook: process.env.BENCH_IMPORT_WEBHOOK !== "0",
  pgUrl: process.env.BENCH_DATABASE_URL || null,
};

console.log(
  `import bench: ${fmt(settings.rows)} rows × ${settings.repeats} per target · new_registration endpoint: ` +
    `${settings.webhook ? "yes (disabled: outbox rows written, nothing sent)" : "none"} · ${os.cpus().length} CPUs, ` +
    `load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} · node ${process.version}`,
);

const work = mkdtempSync(join(tmpdir(), "vouch-bench-import-file-"));
const results = [];
let failed = false;
try {
  for (const pgUrl of [null, ...(settings.pgUrl ? [settings.pgUrl] : [])]) {
    for (const via of ["http", "cli"]) {
      const runs = [];
      for (let i = 0; i < settings.repeats; i++) {
        const run = await importOnce(pgUrl, via, join(work, "ambassadors.csv"));
        runs.push(run);
        console.log(
          `  ${run.dialect.padEnd(8)} ${via.padEnd(4)} run ${i + 1}: ${(run.ms / 1000).toFixed(2)} s, ` +
            `${fmt(Math.round(run.rowsPerSecond))} rows/s${run.problems.length ? `  ✗ ${run.problems.join("; ")}` : ""}`,
        );
        if (run.problems.length) failed = true;
      }
      const ms = median(runs.map((r) => r.ms));
      results.push({
        dialect: runs[0].dialect,
        via,
        medianMs: ms,
        rowsPerSecond: (settings.rows * 1000) / ms,
        underTarget: ms < TARGET_MS,
        runs,
      });
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(
  `\n${"database".padEnd(10)}${"via".padEnd(6)}${"median".padStart(9)}${"rows/s".padStart(10)}  < 30 s`,
);
for (const r of results) {
  console.log(
    `${r.dialect.padEnd(10)}${r.via.padEnd(6)}${`${(r.medianMs / 1000).toFixed(2)} s`.padStart(9)}` +
      `${fmt(Math.round(r.rowsPerSecond)).padStart(10)}  ${r.underTarget ? "yes" : "NO"}`,
  );
}

mkdirSync(RESULTS, { recursive: true });
const out = {
  at: new Date().toISOString(),
  settings: { ...settings, pgUrl: settings.pgUrl ? redact(settings.pgUrl) : null },
  targetMs: TARGET_MS,
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadavg: os.loadavg(),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  },
  results,
};
const stamp = out.at.replace(/[:.]/g, "-");
writeFileSync(`${RESULTS}${stamp}.json`, `${JSON.stringify(out, null, 2)}\n`);
writeFileSync(`${RESULTS}latest.json`, `${JSON.stringify(out, null, 2)}\n`);
console.log(`\nresults: bench/import/results/latest.json`);

if (failed) {
  console.error("FAILED: an import did not write what it reported (see above)");
  process.exit(1);
}
if (results.some((r) => !r.underTarget)) {
  console.error(`target missed: an import took 30 s or more`);
  process.exit(1);
}

/**
 * One timed import on a fresh database: the server seeds the campaign, then the file goes in through the API
 * (the time from the upload's first byte to the report) or through `vouch import` with the server stopped (the
 * command's whole run, Node's start included). Then the database is read back and checked.
 */
async function importOnce(pgUrl, via, file) {
  const database = await freshDatabase(pgUrl);
  try {
    const server = await serve(database.url);
    let ms;
    let report;
    let campaignId;
    let expected;
    try {
      const seeded = await seedCampaign(server.url, {
        ambassadors: SEED_AMBASSADORS,
        webhook: settings.webhook,
      });
      campaignId = seeded.campaignId;
      expected = writeImportFile(file, settings.rows, seeded.codes);
      if (via === "http") {
        const body = readFileSync(file);
        const started = performance.now();
        const res = await api(
          server.url,
          "POST",
          `/api/v1/campaigns/${campaignId}/subscribers/import`,
          body,
          "text/csv",
        );
        ms = performance.now() - started;
        report = res.status === 200 ? res.body : { status: res.status, body: res.body };
      }
    } finally {
      await server.stop();
    }
    if (via === "cli") {
      const run = await runImportCommand(database.url, [campaignId, file]);
      ms = run.ms;
      report = run.status === 0 ? parseSummary(run.stdout) : { status: run.status, stderr: run.stderr };
    }
    const counts = await databaseCounts(database.url, campaignId);
    const problems = check(report, counts, expected);
    return {
      dialect: database.dialect,
      via,
      ms,
      rowsPerSecond: (settings.rows * 1000) / ms,
      bytes: expected.bytes,
      report: { created: report.created, already_present: report.already_present, rejected: report.rejected },
      counts,
      problems,
    };
  } finally {
    await database.drop();
  }
}

function parseSummary(stdout) {
  const m = /(\d[\d,]*) created, (\d[\d,]*) already present, (\d[\d,]*) rejected/.exec(stdout);
  const n = (s) => Number(s.replaceAll(",", ""));
  return m ? { created: n(m[1]), already_present: n(m[2]), rejected: n(m[3]) } : { stdout };
}

function check(report, counts, expected) {
  const problems = [];
  if (report.created !== expected.rows) problems.push(`report: ${JSON.stringify(report).slice(0, 300)}`);
  if (counts.subscribers !== expected.rows + SEED_AMBASSADORS)
    problems.push(
      `${counts.subscribers} ambassadors in the database, expected ${expected.rows + SEED_AMBASSADORS}`,
    );
  if (counts.distinctCodes !== counts.subscribers) problems.push("codes are not unique");
  if (counts.referred !== expected.referred)
    problems.push(`${counts.referred} referred, expected ${expected.referred}`);
  if (counts.peopleReferred !== 0) problems.push("an import counted referrals");
  const messages = settings.webhook ? expected.rows : 0;
  if (counts.registrationMessages !== messages)
    problems.push(`${counts.registrationMessages} new_registration messages, expected ${messages}`);
  return problems;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function fmt(n) {
  return n.toLocaleString("en");
}

function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}
