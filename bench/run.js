// npm run bench — Vouch next to a raw node:http server, in one run, on the same machine and the same requests.
// Settings (environment): BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_REPEATS, BENCH_CONNECTIONS,
// BENCH_AMBASSADORS, BENCH_WORKLOADS, BENCH_DATABASE_URL (postgres://…), BENCH_CPU_PROF, BENCH_SQL_STATS,
// BENCH_KEEP_DATA, BENCH_STRICT. See bench/README.md.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { adminApi } from "./admin-api.js";
import { drive } from "./load.js";
import { formatProfileSummary, summarizeProfile } from "./profile-summary.js";
import { printReport, summarize, verdict } from "./report.js";
import { measureStorageCeiling } from "./storage-ceiling.js";
import { startTarget } from "./targets.js";
import { checkCommitted, checkVisitsCounted, settledStats } from "./verify.js";
import * as workloadsByName from "./workloads.js";

const ADMIN_KEY = "bench-admin-key-0123456789abcdef";
const RESULTS = fileURLToPath(new URL("results/", import.meta.url));

const settings = readSettings();
const cleanups = [];
let interrupted = false;
let shuttingDown;
process.on("SIGINT", () => {
  interrupted = true;
  console.error("\ninterrupted: stopping the servers…");
  void shutdown().then(() => process.exit(130));
});

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`bench failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await shutdown();
}

async function main() {
  await mkdir(RESULTS, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const profileDir = settings.cpuProfile ? join(RESULTS, "profiles", stamp) : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const database = await prepareDatabase();
  const childEnv = profileDir ? { BENCH_PROFILE_DIR: profileDir } : {};

  // Same harness, same kind of process, started side by side.
  const [raw, vouch] = await Promise.all([
    startTarget("raw-server.js", { env: childEnv }),
    startTarget("vouch-server.js", {
      env: { ...childEnv, ...database.env, BENCH_ADMIN_KEY: ADMIN_KEY, BENCH_DB_PROBE: "1" },
    }),
  ]);
  cleanups.push(
    () => raw.stop(),
    () => vouch.stop(),
  );
  const targets = { raw, vouch };
  const api = adminApi(vouch.url, ADMIN_KEY);
  const campaign = await api.createCampaign(settings.ambassadors);

  const meta = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown CPU",
    loadAverageStart: loadavg(),
    seconds: settings.seconds,
    warmupSeconds: settings.warmupSeconds,
    repeats: settings.repeats,
    connections: settings.connections,
    ambassadors: settings.ambassadors,
    cpuProfile: Boolean(profileDir),
    // Anything preloaded this way reaches the servers too: such a run is an experiment, not a measurement of Vouch.
    ...(process.env.NODE_OPTIONS ? { nodeOptions: process.env.NODE_OPTIONS } : {}),
    database: { dialect: database.dialect, location: database.location },
  };
  console.log(
    `bench: raw node:http (pid ${raw.pid}) and Vouch on ${database.dialect} (pid ${vouch.pid}), ` +
      `${settings.ambassadors} ambassadors; ${settings.repeats} × ${settings.workloads.length} workloads × 2 targets, ` +
      `${settings.warmupSeconds} s warm-up + ~${settings.seconds} s each`,
  );

  const runs = [];
  const commitChecks = [];
  const total = settings.repeats * settings.workloads.length * 2;
  let seq = 0;
  for (let repeat = 1; repeat <= settings.repeats && !interrupted; repeat++) {
    for (const workload of settings.workloads) {
      // Alternate who goes first, so neither always runs on the warmer (or more crowded) machine.
      const order = repeat % 2 === 1 ? ["raw", "vouch"] : ["vouch", "raw"];
      for (const name of order) {
        if (interrupted) break;
        seq += 1;
        const run = await measure({ name, target: targets[name], workload, campaign, api, repeat, seq });
        runs.push(run);
        if (run.check) commitChecks.push(run.check);
        console.log(progressLine(run, seq, total));
      }
    }
  }
  if (interrupted) return 130;

  const finalStats = await settledStats(api, campaign.id);
  meta.rowsAtEnd = { visits: finalStats.visits, conversions: finalStats.conversions };
  const summary = summarize(
    runs,
    settings.workloads.map((w) => w.name),
    ["raw", "vouch"],
  );
  const verdicts = verdict(summary, commitChecks);
  meta.loadAverageEnd = loadavg();
  printReport({ meta, summary, commitChecks, verdicts });
  const report = {};

  // Stopping the children flushes nothing but frees the CPU for the storage ceiling and the profile summary.
  await Promise.all([raw.stop(), vouch.stop()]);
  if (database.dialect === "sqlite") {
    report.ceiling = await measureCeiling(summary);
    printCeiling(report.ceiling, summary);
  }
  const profiles = profileDir ? await printProfiles(runs) : [];
  printSqlStats(runs);

  Object.assign(report, { meta, summary, verdicts, commitChecks, runs, profiles });
  const body = `${JSON.stringify(report, null, 2)}\n`;
  await writeFile(join(RESULTS, "latest.json"), body);
  await writeFile(join(RESULTS, `${stamp}-${database.dialect}.json`), body);
  console.log(`written: bench/results/latest.json (and ${stamp}-${database.dialect}.json)`);

  const lost = commitChecks.filter((c) => !c.ok);
  if (lost.length > 0) {
    console.error(`FAIL: ${lost.length} run(s) answered 2xx for requests that are not in the database`);
    return 1;
  }
  const missed = [...verdicts.ratio, ...verdicts.p99].filter((v) => !v.met);
  if (settings.strict && missed.length > 0) {
    console.error(`BENCH_STRICT: ${missed.length} target(s) missed`);
    return 1;
  }
  return 0;
}

/** Warm-up, then a measured run sized from the warm-up's rate so that every request sent gets its answer. */
async function measure({ name, target, workload, campaign, api, repeat, seq }) {
  const base = { url: target.url, workload, connections: settings.connections };
  const warm = await drive({
    ...base,
    ctx: { ...campaign, tag: `w${seq}` },
    seconds: settings.warmupSeconds,
  });
  const perConnection = Math.max(10, Math.round((warm.rps * settings.seconds) / settings.connections));
  const amount = perConnection * settings.connections;
  const isVouch = name === "vouch";
  const before = isVouch ? await settledStats(api, campaign.id) : undefined;

  const tag = `m${seq}`;
  await target.call("mark", { label: `${workload.name}-${name}-${repeat}` });
  const clientElu = performance.eventLoopUtilization();
  const result = await drive({
    ...base,
    ctx: { ...campaign, tag },
    amount,
    deadlineSeconds: settings.seconds * 3 + 30,
  });
  const clientEventLoopUtilization = performance.eventLoopUtilization(clientElu).utilization;
  const server = serverFigures(await target.call("stats"));

  let check;
  if (isVouch && workload.name === "conversions") {
    check = await checkCommitted(api, campaign, tag, before.conversions, result.ledger);
  } else if (isVouch && workload.name === "visits") {
    check = await checkVisitsCounted(api, campaign, before.visits, result);
  }
  const { ledger, ...measured } = result;
  return {
    repeat,
    workload: workload.name,
    target: name,
    amount,
    stoppedAtDeadline: Boolean(ledger.stoppedAtDeadline),
    warmupRps: warm.rps,
    ...measured,
    clientEventLoopUtilization,
    server,
    ...(check ? { check: { workload: workload.name, repeat, ...check } } : {}),
  };
}

function progressLine(run, seq, total) {
  const cpuUs = (run.server.cpuMs * 1000) / run.requests;
  return (
    `  [${String(seq).padStart(String(total).length)}/${total}] ${run.workload.padEnd(11)} ${run.target.padEnd(5)} ` +
    `${Math.round(run.rps).toLocaleString("en-US").padStart(7)} req/s  p50 ${run.latencyMs.p50.toFixed(2)} ms  ` +
    `p99 ${run.latencyMs.p99.toFixed(2)} ms  non-2xx ${run.non2xx + run.errors}  ` +
    `server ${Math.round(cpuUs)} µs CPU/req, ELU ${threadElus(run.server)}  ` +
    `client ELU ${Math.round(run.clientEventLoopUtilization * 100)}%` +
    (run.server.groupCommit?.transactions
      ? `  ${(run.requests / run.server.groupCommit.transactions).toFixed(1)} req/transaction`
      : "") +
    (run.check ? `  check ${run.check.ok ? "OK" : "FAIL"}` : "") +
    (run.stoppedAtDeadline ? "  (stopped at deadline)" : "")
  );
}

/** Bare SQLite on this disk, in the batch sizes Vouch's group commit formed (see storage-ceiling.js). */
async function measureCeiling(summary) {
  const vouchRows = summary.filter((r) => r.target === "vouch" && r.groupCommit);
  const batchSizes = Object.fromEntries(
    vouchRows.map((r) => [r.workload, r.groupCommit.requestsPerTransaction]),
  );
  return measureStorageCeiling({
    workloads: vouchRows.map((r) => r.workload),
    batchSizes,
    seconds: Math.min(settings.seconds, 5),
    repeats: settings.repeats,
  });
}

function printCeiling(ceiling, summary) {
  console.log(
    "storage ceiling: bare better-sqlite3 on this disk, Vouch's schema and settings (WAL, synchronous=FULL),\n" +
      "the same rows in Vouch's batch sizes, one INSERT + COMMIT per batch, nothing else (no HTTP, no reads, no counters)",
  );
  for (const c of ceiling) {
    const raw = summary.find((r) => r.workload === c.workload && r.target === "raw");
    const vouch = summary.find((r) => r.workload === c.workload && r.target === "vouch");
    console.log(
      `  ${c.workload.padEnd(11)} ${Math.round(c.rowsPerSecond).toLocaleString("en-US").padStart(7)} rows/s ` +
        `(${c.usPerRow.toFixed(1)} µs/row, batches of ${c.batch})` +
        (raw ? `  = ${(c.rowsPerSecond / raw.rps).toFixed(2)}× raw` : "") +
        (vouch ? `  · Vouch reaches ${Math.round((100 * vouch.rps) / c.rowsPerSecond)}% of it` : ""),
    );
  }
  console.log("");
}

async function printProfiles(runs) {
  const printed = [];
  const profiled = runs.filter((r) => r.server.profiles.length > 0);
  // One profile per workload and target is enough to see the shape: take each pair's median-rps run.
  const keys = [...new Set(profiled.map((r) => `${r.workload}/${r.target}`))];
  for (const key of keys) {
    const mine = profiled.filter((r) => `${r.workload}/${r.target}` === key).sort((a, b) => a.rps - b.rps);
    const pick = mine[Math.floor(mine.length / 2)];
    for (const { threadId, main, file } of pick.server.profiles) {
      const summary = summarizeProfile(JSON.parse(await readFile(file, "utf8")));
      const where = main ? "main thread" : `thread ${threadId}`;
      console.log(`\n${formatProfileSummary(`CPU profile ${key}, ${where} (run ${pick.repeat})`, summary)}`);
      printed.push({ key, threadId, file, summary });
    }
  }
  return printed;
}

/**
 * The child's report, flattened: process CPU and memory, the main thread's event-loop utilisation (and each
 * other thread's), transactions and statements summed over the threads that did them, the profile files.
 */
function serverFigures(stats) {
  const threads = stats.threads ?? [];
  const main = threads.find((t) => t.main);
  const db = threads.map((t) => t.database).filter(Boolean);
  const transactions = db.reduce((n, d) => n + d.transactions, 0);
  const figures = {
    wallMs: stats.wallMs,
    cpuMs: stats.cpuMs,
    rssMb: stats.rssMb,
    eventLoopUtilization: main?.eventLoopUtilization ?? 0,
    threads: threads.map((t) => ({
      threadId: t.threadId,
      main: t.main,
      eventLoopUtilization: t.eventLoopUtilization,
    })),
    profiles: threads
      .filter((t) => t.profile)
      .map((t) => ({ threadId: t.threadId, main: t.main, file: t.profile })),
  };
  if (transactions > 0) {
    const syncs = db.map((d) => d.syncs).filter(Boolean);
    figures.groupCommit = {
      transactions,
      transactionMs: db.reduce((ms, d) => ms + d.transactionMs, 0),
      // SQLite only, and only the main thread syncs the log (WalSync): one thread's figures.
      ...(syncs.length === 1 ? { syncs: syncs[0] } : {}),
    };
  }
  const shapes = new Map();
  for (const s of db.flatMap((d) => d.statements ?? [])) {
    const e = shapes.get(s.sql) ?? { sql: s.sql, prepares: 0, runs: 0, prepareMs: 0, runMs: 0 };
    for (const k of ["prepares", "runs", "prepareMs", "runMs"]) e[k] += s[k];
    shapes.set(s.sql, e);
  }
  if (shapes.size > 0) {
    const all = [...shapes.values()].sort((a, b) => b.prepareMs + b.runMs - (a.prepareMs + a.runMs));
    const total = (k) => all.reduce((sum, e) => sum + e[k], 0);
    figures.sql = {
      prepares: total("prepares"),
      runs: total("runs"),
      prepareMs: total("prepareMs"),
      runMs: total("runMs"),
      top: all.slice(0, 15),
    };
  }
  return figures;
}

function threadElus(server) {
  const pct = (t) => `${Math.round(t.eventLoopUtilization * 100)}%`;
  const others = server.threads.filter((t) => !t.main);
  return [
    `${Math.round(server.eventLoopUtilization * 100)}%`,
    ...others.map((t) => `thread ${t.threadId} ${pct(t)}`),
  ].join(", ");
}

function printSqlStats(runs) {
  for (const workload of settings.workloads) {
    const mine = runs
      .filter((r) => r.workload === workload.name && r.server.sql)
      .sort((a, b) => a.rps - b.rps);
    const pick = mine[Math.floor(mine.length / 2)];
    if (!pick) continue;
    const { sql } = pick.server;
    const us = (ms, n) => (n ? ((ms / n) * 1000).toFixed(1) : "-");
    const transactions = pick.server.groupCommit?.transactions || 1;
    console.log(
      `\nSQL, ${workload.name} (run ${pick.repeat}, ${transactions} transactions): per request ` +
        `${us(sql.prepareMs, pick.requests)} µs preparing, ${us(sql.runMs, pick.requests)} µs running; ` +
        `per transaction ${(sql.runs / transactions).toFixed(1)} statements run, ${(sql.prepares / transactions).toFixed(1)} prepared`,
    );
    console.log("  runs/tx  µs/run  µs/prepare  statement (shape)");
    for (const s of sql.top) {
      console.log(
        `  ${(s.runs / transactions).toFixed(2).padStart(7)}  ${us(s.runMs, s.runs).padStart(6)}  ` +
          `${us(s.prepareMs, s.prepares).padStart(10)}  ${s.sql}`,
      );
    }
  }
}

async function prepareDatabase() {
  const pgUrl = process.env.BENCH_DATABASE_URL;
  if (pgUrl) {
    if (!/^postgres(ql)?:\/\//.test(pgUrl)) fail("BENCH_DATABASE_URL must be a postgres:// URL");
    const schema = `bench_${Date.now().toString(36)}_${process.pid}`;
    const parsed = new URL(pgUrl);
    if (!settings.keepData) cleanups.push(() => dropSchema(pgUrl, schema));
    return {
      dialect: "postgres",
      location: `${parsed.host}${parsed.pathname}, fresh schema ${schema}`,
      env: { BENCH_VOUCH_DATABASE_URL: pgUrl, BENCH_SCHEMA: schema },
    };
  }
  const dir = await mkdtemp(join(tmpdir(), "vouch-bench-"));
  if (!settings.keepData) cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, "vouch.db");
  return {
    dialect: "sqlite",
    location: `fresh file ${file}`,
    env: { BENCH_VOUCH_DATABASE_URL: `sqlite:${file}` },
  };
}

async function dropSchema(url, schema) {
  const { openDatabase } = await import("@vouch/db");
  const database = await openDatabase(url);
  try {
    await database.db.schema.dropSchema(schema).ifExists().cascade().execute();
  } finally {
    await database.close();
  }
}

function shutdown() {
  // Children first (they hold the database), then the database itself; each step once, in reverse order.
  shuttingDown ??= (async () => {
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((err) => console.error(`cleanup: ${err}`));
  })();
  return shuttingDown;
}

function readSettings() {
  const names = (process.env.BENCH_WORKLOADS ?? "visits,conversions").split(",").map((s) => s.trim());
  const known = [workloadsByName.visits, workloadsByName.conversions];
  const workloads = names.map(
    (n) => known.find((w) => w.name === n) ?? fail(`BENCH_WORKLOADS: unknown "${n}"`),
  );
  return {
    seconds: intSetting("BENCH_SECONDS", 10, 1, 300),
    warmupSeconds: intSetting("BENCH_WARMUP_SECONDS", 2, 1, 60),
    repeats: intSetting("BENCH_REPEATS", 3, 1, 9),
    connections: intSetting("BENCH_CONNECTIONS", 32, 1, 512),
    ambassadors: intSetting("BENCH_AMBASSADORS", 100, 1, 1000),
    workloads,
    cpuProfile: flag("BENCH_CPU_PROF"),
    keepData: flag("BENCH_KEEP_DATA"),
    strict: flag("BENCH_STRICT"),
  };
}

function intSetting(name, fallback, min, max) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    fail(`${name} must be a whole number from ${min} to ${max} (got "${raw.slice(0, 20)}")`);
  }
  return n;
}

function flag(name) {
  return ["1", "true", "yes"].includes((process.env[name] ?? "").toLowerCase());
}

/** The commit measured, with "+changes" when tracked files outside bench/ differ from it (others' work in progress). */
function gitCommit() {
  try {
    const git = (...args) =>
      execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const head = git("rev-parse", "--short", "HEAD");
    const changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench");
    return changed ? `${head}+changes` : head;
  } catch {
    return "unknown";
  }
}

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}
