// Webhook benchmark: signed deliveries per second from a full outbox to a local receiver (next to a plain
// keep-alive client sending the same requests), and the time from a conversion's 2xx to its webhook's arrival.
// Runs on SQLite, and on PostgreSQL too when BENCH_DATABASE_URL is set. Needs a build first (npm run build).
// Settings: BENCH_WEBHOOK_MESSAGES, BENCH_LATENCY_SECONDS, BENCH_LATENCY_RATE, BENCH_REPEATS, BENCH_AMBASSADORS,
// BENCH_DATABASE_URL, BENCH_KEEP_DATA, BENCH_CPU_PROF, BENCH_STRICT. See README.md beside this file.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { latencyRun } from "./latency.js";
import { startReceiver } from "./receiver-client.js";
import { median } from "./stats.js";
import { throughputRun } from "./throughput.js";
import { freshDatabase } from "./vouch.js";

const TARGET_PER_SECOND = 5_000;
const RESULTS = fileURLToPath(new URL("./results/", import.meta.url));

const settings = readSettings(process.env);
const stamp = new Date().toISOString().replace(/[:.]/g, "-");

console.log(
  `webhook bench: ${fmt(settings.messages)} messages × ${settings.repeats} · latency ${settings.latencyRate}/s ` +
    `for ${settings.latencySeconds} s × ${settings.repeats} · ${os.cpus().length} CPUs, load ` +
    `${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} · node ${process.version}`,
);

const receiver = await startReceiver();
const results = [];
let failed = false;
try {
  const dialects = [null, ...(settings.pgUrl ? [settings.pgUrl] : [])];
  for (const pgUrl of dialects) {
    const result = await benchDialect(pgUrl);
    results.push(result);
    printDialect(result);
    if (result.checks.some((c) => !c.ok)) failed = true;
  }
} finally {
  await receiver.close();
}

mkdirSync(RESULTS, { recursive: true });
const out = {
  at: new Date().toISOString(),
  settings: { ...settings, pgUrl: settings.pgUrl ? redact(settings.pgUrl) : null },
  target: { deliveriesPerSecond: TARGET_PER_SECOND },
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadavg: os.loadavg(),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  },
  results,
};
writeFileSync(`${RESULTS}latest.json`, `${JSON.stringify(out, null, 2)}\n`);
console.log(`\nresults: bench/webhooks/results/latest.json`);

const missed = results.some((r) => !r.summary.targetMet);
if (failed) {
  console.error("FAILED: a check did not hold (see above)");
  process.exit(1);
}
if (missed && settings.strict) {
  console.error(`target missed: fewer than ${fmt(TARGET_PER_SECOND)} deliveries/s (BENCH_STRICT=1)`);
  process.exit(1);
}

async function benchDialect(pgUrl) {
  const name = pgUrl ? "postgres" : "sqlite";
  const throughput = [];
  for (let i = 0; i < settings.repeats; i++) {
    const database = freshDatabase(pgUrl, settings.keepData);
    try {
      const run = await throughputRun({
        database,
        receiver,
        messages: settings.messages,
        ambassadors: settings.ambassadors,
        vouchFirst: i % 2 === 0,
        profileTo: settings.cpuProfile
          ? `${RESULTS}profiles/${stamp}/${name}-worker-${i + 1}.cpuprofile`
          : null,
      });
      throughput.push(run);
      console.log(
        `  ${name} throughput ${i + 1}/${settings.repeats}: vouch ${fmt(run.vouch.perSecond)}/s, baseline ` +
          `${fmt(run.baseline.perSecond)}/s (${run.vouchFirst ? "vouch" : "baseline"} first; outbox filled ` +
          `at ${fmt(run.fill.perSecond)} conversions/s)`,
      );
    } finally {
      await database.cleanup();
    }
  }
  const latency = [];
  for (let i = 0; i < settings.repeats; i++) {
    const database = freshDatabase(pgUrl, settings.keepData);
    try {
      const run = await latencyRun({
        database,
        receiver,
        ratePerSecond: settings.latencyRate,
        seconds: settings.latencySeconds,
        ambassadors: settings.ambassadors,
        tag: `${name}${i}`,
      });
      latency.push(run);
      console.log(
        `  ${name} latency ${i + 1}/${settings.repeats}: p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, ` +
          `max ${run.maxMs} ms (${fmt(run.conversions)} conversions at ${run.sentPerSecond}/s; ` +
          `${run.arrivedBeforeAnswer} webhooks arrived before their conversion's answer)`,
      );
    } finally {
      await database.cleanup();
    }
  }

  const vouch = median(throughput.map((r) => r.vouch.perSecond));
  const baseline = median(throughput.map((r) => r.baseline.perSecond));
  const medianRun = throughput.find(
    (r) =>
      r.vouch.perSecond ===
      nearest(
        throughput.map((t) => t.vouch.perSecond),
        vouch,
      ),
  );
  const checks = [
    ...throughput.flatMap((r, i) =>
      [...r.vouch.checks, ...r.baseline.checks].map((c) => ({ ...c, run: `throughput ${i + 1}` })),
    ),
    ...latency.flatMap((r, i) => r.checks.map((c) => ({ ...c, run: `latency ${i + 1}` }))),
  ];
  return {
    dialect: name,
    summary: {
      vouchPerSecond: vouch,
      baselinePerSecond: baseline,
      ratio: vouch && baseline ? Math.round((vouch / baseline) * 100) / 100 : null,
      drainPerSecond: median(throughput.map((r) => r.vouch.drainPerSecond)),
      fillPerSecond: median(throughput.map((r) => r.fill.perSecond)),
      targetMet: vouch !== null && vouch >= TARGET_PER_SECOND,
      rounds: medianRun?.vouch.rounds ?? null,
      profile: medianRun?.vouch.profile ?? null,
      latencyP50Ms: median(latency.map((r) => r.p50Ms)),
      latencyP99Ms: median(latency.map((r) => r.p99Ms)),
      latencyMaxMs: median(latency.map((r) => r.maxMs)),
      requestP50Ms: median(latency.map((r) => r.requestP50Ms)),
      requestP99Ms: median(latency.map((r) => r.requestP99Ms)),
    },
    throughput,
    latency,
    checks,
  };
}

function printDialect({ dialect, summary: s, checks }) {
  const title = `${dialect}: median of ${settings.repeats}`;
  console.log(`\n${title}\n${"─".repeat(78)}`);
  console.log(
    `deliveries/s           vouch ${pad(fmt(s.vouchPerSecond), 7)}  baseline ${pad(fmt(s.baselinePerSecond), 7)}  ` +
      `ratio ${s.ratio ?? "–"}×   target ≥ ${fmt(TARGET_PER_SECOND)}/s: ${s.targetMet ? "met" : "MISSED"}`,
  );
  console.log(
    `conversion → webhook   p50 ${s.latencyP50Ms} ms  p99 ${s.latencyP99Ms} ms  max ${s.latencyMaxMs} ms  ` +
      `(${settings.latencyRate}/s for ${settings.latencySeconds} s; the conversion's own answer: ` +
      `p50 ${s.requestP50Ms} ms, p99 ${s.requestP99Ms} ms)`,
  );
  console.log(
    `whole drain            ${fmt(s.drainPerSecond)}/s from start() until the database shows every message ` +
      `delivered; outbox filled at ${fmt(s.fillPerSecond)} conversions/s`,
  );
  const r = s.rounds;
  if (r) {
    console.log(
      `worker rounds          ${fmt(r.rounds)} rounds of ${r.meanSize} messages: claim and send ` +
        `${r.meanClaimSendMs} ms (claim ${r.meanClaimMs}), recorded in ${fmt(r.records)} transactions of ` +
        `${r.meanRecordMs} ms, overlapping the next round (means, median run)`,
    );
  }
  if (s.profile) {
    console.log(`cpu profile            ${s.profile.file} (${s.profile.sampledMs} ms sampled)`);
    for (const c of s.profile.components.slice(0, 8)) console.log(`    ${pad(`${c.percent}%`, 6)} ${c.name}`);
    console.log("  top functions (self time):");
    for (const f of s.profile.functions.slice(0, 12)) console.log(`    ${pad(`${f.percent}%`, 6)} ${f.name}`);
  }
  const bad = checks.filter((c) => !c.ok);
  console.log(
    bad.length === 0
      ? `checks                 all ${checks.length} held (exactly once, ids match the outbox, signatures verify, ` +
          `database delivered)`
      : `checks                 ${bad.length} of ${checks.length} FAILED:`,
  );
  for (const c of bad) console.log(`    ✗ ${c.run}: ${c.name} — ${c.detail}`);
}

function readSettings(env) {
  const int = (name, fallback, min, max) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      console.error(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      process.exit(2);
    }
    return n;
  };
  const pgUrl = env.BENCH_DATABASE_URL || null;
  if (pgUrl && !/^postgres(ql)?:\/\//.test(pgUrl)) {
    console.error("BENCH_DATABASE_URL must be a postgres:// URL");
    process.exit(2);
  }
  return {
    messages: int("BENCH_WEBHOOK_MESSAGES", 20_000, 100, 500_000),
    latencySeconds: int("BENCH_LATENCY_SECONDS", 10, 1, 600),
    latencyRate: int("BENCH_LATENCY_RATE", 200, 1, 5_000),
    repeats: int("BENCH_REPEATS", 3, 1, 15),
    ambassadors: int("BENCH_AMBASSADORS", 20, 1, 1_000),
    pgUrl,
    keepData: env.BENCH_KEEP_DATA === "1",
    cpuProfile: env.BENCH_CPU_PROF === "1",
    strict: env.BENCH_STRICT === "1",
  };
}

function nearest(values, target) {
  return values.reduce((best, v) => (Math.abs(v - target) < Math.abs(best - target) ? v : best), values[0]);
}

function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

function fmt(n) {
  return n === null || n === undefined ? "–" : Math.round(n).toLocaleString("en-US");
}

function pad(s, width) {
  return String(s).padStart(width);
}
