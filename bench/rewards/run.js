// Reward evaluation as data grows: conversions/s of attributed purchases (every one moving Mark's rule progress)
// on an empty database and on one already holding BENCH_SEED_CONVERSIONS conversions (Mark with 10,000 friends
// among them), side by side, medians of alternating runs; then where a batch's time goes on each.
// Runs on SQLite, and on PostgreSQL too when BENCH_DATABASE_URL is set. Needs a build first (npm run build).
// Settings: BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_REPEATS, BENCH_CONNECTIONS, BENCH_AMBASSADORS,
// BENCH_SEED_CONVERSIONS, BENCH_SEED_MARK_FRIENDS, BENCH_PROFILE_BATCHES, BENCH_PROFILE_BATCH_SIZE,
// BENCH_DATABASE_URL, BENCH_KEEP_DATA, BENCH_STRICT. See README.md beside this file.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { openDatabase } from "@vouch/db";
import { checkDatabase, tableSizes } from "./checks.js";
import { drive } from "./load.js";
import { profileBatches } from "./profile.js";
import { setUpProgram } from "./program.js";
import { seed } from "./seed.js";
import { median } from "./stats.js";
import { startVouch } from "./vouch-process.js";

const TARGET_RATIO = 0.8;
const RESULTS = fileURLToPath(new URL("./results/", import.meta.url));
const ADMIN_KEY = `bench_rewards_${randomBytes(12).toString("hex")}`;

const settings = readSettings(process.env);
const cleanups = [];
let interrupted = false;
process.on("SIGINT", () => {
  interrupted = true;
  console.error("\ninterrupted: finishing the current step, then cleaning up…");
});

const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const workDir = mkdtempSync(join(os.tmpdir(), "vouch-bench-rewards-"));
if (!settings.keepData) cleanups.push(async () => rmSync(workDir, { recursive: true, force: true }));

console.log(
  `rewards bench: ${fmt(settings.seedConversions)} seeded conversions (Mark ${fmt(settings.markFriends)} friends) · ` +
    `${settings.repeats} × (empty, big) · ${settings.connections} connections, ${settings.warmupSeconds} s warm-up + ` +
    `~${settings.seconds} s · ${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} · node ${process.version} · commit ${gitCommit()}`,
);

const results = [];
let failed = false;
try {
  for (const pgUrl of [null, ...(settings.pgUrl ? [settings.pgUrl] : [])]) {
    if (interrupted) break;
    const result = await benchDialect(pgUrl);
    results.push(result);
    printDialect(result);
    if (!result.checksOk) failed = true;
  }
} catch (err) {
  console.error(`bench failed: ${err?.stack ?? err}`);
  failed = true;
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => console.error(`cleanup: ${err}`));
}

if (results.length > 0) {
  mkdirSync(RESULTS, { recursive: true });
  const out = {
    at: new Date().toISOString(),
    commit: gitCommit(),
    settings: { ...settings, pgUrl: settings.pgUrl ? redact(settings.pgUrl) : null },
    target: { ratio: TARGET_RATIO },
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      loadavg: os.loadavg(),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    },
    results,
  };
  const body = `${JSON.stringify(out, null, 2)}\n`;
  writeFileSync(`${RESULTS}latest.json`, body);
  writeFileSync(`${RESULTS}${stamp}.json`, body);
  console.log("\nresults: bench/rewards/results/latest.json");
}
if (failed) {
  console.error("FAILED: a check did not hold (see above)");
  process.exit(1);
}
if (settings.strict && results.some((r) => !r.summary.targetMet)) {
  console.error(`target missed: big/empty below ${TARGET_RATIO} (BENCH_STRICT=1)`);
  process.exit(1);
}
if (interrupted) process.exit(130);

async function benchDialect(pgUrl) {
  const dialect = pgUrl ? "postgres" : "sqlite";

  // 1. The big database: the program through the API, then the seed, before any traffic.
  const big = freshLocation(dialect, "big");
  const setUp = await withVouch(
    big,
    () => undefined,
    (vouch) => setUpProgram(vouch.url, ADMIN_KEY, settings.ambassadors),
  );
  const program = setUp.result;
  const seedStart = performance.now();
  let lastPrint = seedStart;
  const seeded = await seed(big, program, {
    conversions: settings.seedConversions,
    markFriends: settings.markFriends,
    now: Date.now(),
    onProgress: (done) => {
      if (performance.now() - lastPrint < 10_000 && done < settings.seedConversions) return;
      lastPrint = performance.now();
      console.log(
        `  ${dialect} seed: ${fmt(done)} conversions (${((lastPrint - seedStart) / 1000).toFixed(0)} s)`,
      );
    },
  });
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const seededSizes = await tableSizes(big);
  console.log(
    `  ${dialect} seed: ${fmt(seeded.conversions)} conversions, ${fmt(seeded.referred)} referred, ` +
      `${fmt(seeded.ruleFriends)} counted friends, ${fmt(seeded.rewards)} rewards in ${seedSeconds.toFixed(1)} s ` +
      `(${fmt(seeded.conversions / seedSeconds)} conversions/s); Mark: ${fmt(seeded.markFriends)} friends, rewards ` +
      `${Object.entries(seeded.markRewards)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(", ")}`,
  );
  const bigState = { location: big, program, friends: seeded.markFriends, runs: 0 };

  // 2. The runs, alternating which goes first; each empty run on a database of its own.
  const runs = [];
  for (let repeat = 1; repeat <= settings.repeats && !interrupted; repeat++) {
    const order = repeat % 2 === 1 ? ["empty", "big"] : ["big", "empty"];
    for (const kind of order) {
      if (interrupted) break;
      const run =
        kind === "big"
          ? await measureRun(dialect, kind, repeat, bigState)
          : await measureEmptyRun(dialect, repeat);
      runs.push(run);
      console.log(runLine(dialect, run));
    }
  }

  // 3. Where a batch's time goes: the same batches on a fresh database and on the big one.
  const profiles = {};
  if (settings.profileBatches > 0 && !interrupted) {
    const fresh = freshLocation(dialect, "profile");
    const freshProgram = (
      await withVouch(
        fresh,
        () => undefined,
        (vouch) => setUpProgram(vouch.url, ADMIN_KEY, settings.ambassadors),
      )
    ).result;
    const profileOpts = { batches: settings.profileBatches, batchSize: settings.profileBatchSize };
    profiles.empty = await profileBatches({
      database: fresh,
      program: freshProgram,
      tag: "pe",
      ...profileOpts,
    });
    profiles.empty.markFriendsBefore = 0;
    profiles.big = await profileBatches({ database: big, program, tag: "pb", ...profileOpts });
    profiles.big.markFriendsBefore = bigState.friends;
    bigState.friends += profiles.big.written;
    if (!settings.keepData) await fresh.cleanup();
  }

  // 4. The big database at the end: everything Vouch wrote on it, and what that grew to.
  const finalCheck = await checkDatabase(big, program, {
    okEmails: [],
    unansweredEmails: [],
    friendsBefore: bigState.friends,
  });
  const finalSizes = await tableSizes(big);
  if (!settings.keepData) await big.cleanup();

  const of = (kind) => runs.filter((r) => r.kind === kind);
  const rps = (kind) => median(of(kind).map((r) => r.rps));
  const p99 = (kind) => median(of(kind).map((r) => r.latencyMs.p99));
  const summary = {
    emptyRps: rps("empty"),
    bigRps: rps("big"),
    emptyP50Ms: median(of("empty").map((r) => r.latencyMs.p50)),
    bigP50Ms: median(of("big").map((r) => r.latencyMs.p50)),
    emptyP99Ms: p99("empty"),
    bigP99Ms: p99("big"),
    emptyCpuUsPerRequest: median(of("empty").map((r) => r.cpuUsPerRequest)),
    bigCpuUsPerRequest: median(of("big").map((r) => r.cpuUsPerRequest)),
  };
  summary.ratio = summary.emptyRps && summary.bigRps ? summary.bigRps / summary.emptyRps : null;
  summary.p99Ratio = summary.emptyP99Ms && summary.bigP99Ms ? summary.bigP99Ms / summary.emptyP99Ms : null;
  summary.targetMet = summary.ratio !== null && summary.ratio >= TARGET_RATIO;
  const checks = [
    ...runs.flatMap((r) => r.checks.map((c) => ({ ...c, run: `${r.kind} ${r.repeat}` }))),
    ...finalCheck.checks.map((c) => ({ ...c, run: "big, at the end" })),
  ];
  return {
    dialect,
    seed: { seconds: seedSeconds, ...seeded, tables: seededSizes },
    finalTables: finalSizes,
    finalMark: finalCheck.mark,
    summary,
    runs,
    profiles,
    checks,
    checksOk: checks.every((c) => c.ok),
  };
}

async function measureEmptyRun(dialect, repeat) {
  const location = freshLocation(dialect, `empty${repeat}`);
  try {
    const state = { location, program: null, friends: 0, runs: 0 };
    return await measureRun(dialect, "empty", repeat, state);
  } finally {
    if (!settings.keepData) await location.cleanup();
  }
}

/** One run: Vouch started on the database, a warm-up, a measured run, Vouch stopped, the database checked. */
async function measureRun(dialect, kind, repeat, state) {
  const tag = `${dialect[0]}${kind[0]}${repeat}`;
  const before = { friends: state.friends };
  const { result } = await withVouch(
    state.location,
    async (vouch) => {
      // An empty database gets its program here, through the same API calls as the big one got before its seed.
      if (!state.program) state.program = await setUpProgram(vouch.url, ADMIN_KEY, settings.ambassadors);
    },
    async (vouch) => {
      const base = { url: vouch.url, program: state.program, connections: settings.connections };
      const warm = await drive({ ...base, tag: `${tag}w`, seconds: settings.warmupSeconds });
      const perConnection = Math.max(10, Math.round((warm.rps * settings.seconds) / settings.connections));
      await vouch.mark();
      const measured = await drive({
        ...base,
        tag: `${tag}m`,
        amount: perConnection * settings.connections,
        deadlineSeconds: settings.seconds * 4 + 30,
      });
      const server = await vouch.stats();
      return { warm, measured, server };
    },
  );
  const { warm, measured, server } = result;
  const check = await checkDatabase(state.location, state.program, {
    okEmails: [...warm.okEmails, ...measured.okEmails],
    unansweredEmails: [...warm.unansweredEmails, ...measured.unansweredEmails],
    friendsBefore: state.friends,
  });
  state.friends = check.friendsNow;
  state.runs += 1;
  const answeredAll = {
    name: "every request of the measured run answered 2xx (warm-up too)",
    ok:
      measured.ok === measured.sent &&
      measured.unansweredEmails.length === 0 &&
      warm.non2xx + warm.errors + measured.errors === 0 &&
      !measured.stoppedAtDeadline,
    detail:
      `measured ${measured.ok} 2xx of ${measured.sent} sent (codes ${JSON.stringify(measured.statusCodes)}, ` +
      `${measured.errors} errors); warm-up ${warm.non2xx} non-2xx, ${warm.errors} errors`,
  };
  const { okEmails: _ok, unansweredEmails, ...figures } = measured;
  return {
    kind,
    repeat,
    ...figures,
    warmup: {
      rps: warm.rps,
      ok: warm.ok,
      non2xx: warm.non2xx,
      errors: warm.errors,
      unanswered: warm.unansweredEmails.length,
    },
    unanswered: unansweredEmails.length,
    non2xx: measured.non2xx + warm.non2xx,
    errors: measured.errors + warm.errors,
    cpuUsPerRequest: (server.cpuMs * 1000) / measured.answered,
    server,
    markFriends: { before: before.friends, after: state.friends },
    mark: check.mark,
    checks: [answeredAll, ...check.checks],
  };
}

/** Starts Vouch on `location`, runs `prepare` then `work` with it, stops it whatever happens. */
async function withVouch(location, prepare, work) {
  const vouch = await startVouch({ databaseUrl: location.url, schema: location.schema, adminKey: ADMIN_KEY });
  try {
    await prepare(vouch);
    return { result: await work(vouch) };
  } finally {
    await vouch.stop();
  }
}

/** A fresh SQLite file in this run's temporary folder, or a fresh PostgreSQL schema; and how to remove it. */
function freshLocation(dialect, name) {
  if (dialect === "sqlite") {
    const file = join(workDir, `${name}.db`);
    return {
      dialect,
      file,
      url: `sqlite:${file}`,
      cleanup: async () => {
        for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
      },
    };
  }
  const schema = `bench_rw_${Date.now().toString(36)}_${process.pid}_${name}`;
  const location = {
    dialect,
    url: settings.pgUrl,
    schema,
    cleanup: () => dropSchema(settings.pgUrl, schema),
  };
  if (!settings.keepData) cleanups.push(() => dropSchema(settings.pgUrl, schema));
  return location;
}

async function dropSchema(url, schema) {
  const database = await openDatabase(url);
  try {
    await database.db.schema.dropSchema(schema).ifExists().cascade().execute();
  } finally {
    await database.close();
  }
}

function runLine(dialect, run) {
  const first = run.perSecond[0];
  const last = run.perSecond.at(-1);
  return (
    `  ${dialect} ${run.kind.padEnd(5)} ${run.repeat}: ${pad(fmt(run.rps), 6)} req/s  p50 ${run.latencyMs.p50?.toFixed(2)} ms  ` +
    `p99 ${run.latencyMs.p99?.toFixed(2)} ms  non-2xx ${run.non2xx + run.errors}  ${fmt(run.cpuUsPerRequest)} µs CPU/req  ` +
    `main ELU ${Math.round(run.server.mainEventLoopUtilization * 100)}%  per second ${fmt(first)} → ${fmt(last)}  ` +
    `Mark ${fmt(run.markFriends.before)} → ${fmt(run.markFriends.after)} friends  ` +
    `checks ${run.checks.every((c) => c.ok) ? "OK" : "FAIL"}${run.stoppedAtDeadline ? "  (stopped at deadline)" : ""}`
  );
}

function printDialect(r) {
  const s = r.summary;
  const n = settings.repeats;
  const emptyRuns = r.runs.filter((x) => x.kind === "empty");
  const bigRuns = r.runs.filter((x) => x.kind === "big");
  const span = (runs) =>
    runs.length === 0
      ? "–"
      : `${fmt(Math.min(...runs.map((x) => x.markFriends.before)))}–${fmt(Math.max(...runs.map((x) => x.markFriends.after)))}`;
  const seededLabel = `${fmt(settings.seedConversions)} conversions`;
  console.log(
    `\n${r.dialect}: median of ${n} runs each, ${settings.connections} connections, ~${settings.seconds} s`,
  );
  console.log("─".repeat(104));
  console.log(
    `${"database".padEnd(24)} ${pad("req/s", 7)} ${pad("p50 ms", 7)} ${pad("p99 ms", 7)} ${pad("CPU µs/req", 10)} ` +
      `${pad("non-2xx", 7)}  Mark's friends during the runs`,
  );
  const row = (label, rps, p50, p99, cpu, runs) =>
    console.log(
      `${label.padEnd(24)} ${pad(fmt(rps), 7)} ${pad(p50?.toFixed(2), 7)} ${pad(p99?.toFixed(2), 7)} ${pad(fmt(cpu), 10)} ` +
        `${pad(
          runs.reduce((a, x) => a + x.non2xx + x.errors, 0),
          7,
        )}  ${span(runs)}`,
    );
  row("empty", s.emptyRps, s.emptyP50Ms, s.emptyP99Ms, s.emptyCpuUsPerRequest, emptyRuns);
  row(seededLabel, s.bigRps, s.bigP50Ms, s.bigP99Ms, s.bigCpuUsPerRequest, bigRuns);
  console.log(
    `${"big / empty".padEnd(24)} ${pad(s.ratio === null ? "–" : `${s.ratio.toFixed(2)}×`, 7)} ${pad("", 7)} ` +
      `${pad(s.p99Ratio === null ? "–" : `${s.p99Ratio.toFixed(2)}×`, 7)}   target req/s ratio ≥ ${TARGET_RATIO}: ` +
      `${s.targetMet ? "met" : "MISSED"}`,
  );
  console.log(
    `seed                     ${fmt(r.seed.conversions)} conversions in ${r.seed.seconds.toFixed(1)} s ` +
      `(${fmt(r.seed.conversions / r.seed.seconds)}/s): ${fmt(r.seed.tables.referred_friends)} referred friends, ` +
      `${fmt(r.seed.tables.rule_friends)} counted friends, ${fmt(r.seed.tables.rewards)} rewards`,
  );
  console.log(
    `big database at the end  ${fmt(r.finalTables.conversions)} conversions, ${fmt(r.finalTables.rule_friends)} counted ` +
      `friends, ${fmt(r.finalTables.rewards)} rewards; Mark: ${Object.entries(r.finalMark)
        .map(([k, v]) => `${k} ${fmt(v.counted)} counted / ${fmt(v.rewards)} rewards`)
        .join(", ")}`,
  );
  const bad = r.checks.filter((c) => !c.ok);
  console.log(
    bad.length === 0
      ? `checks                   all ${r.checks.length} held (every 2xx stored and counted; Mark's progress, ` +
          `positions and rewards exact, each reward once)`
      : `checks                   ${bad.length} of ${r.checks.length} FAILED:`,
  );
  for (const c of bad) console.log(`    ✗ ${c.run}: ${c.name} — ${c.detail}`);
  // The issue's own question, answered in one line: Mark's every-3 rewards, exactly once, at the very end.
  for (const c of r.checks.filter(
    (x) => x.run === "big, at the end" && x.name.startsWith("every: rewards"),
  )) {
    console.log(`    ${c.ok ? "✓" : "✗"} big, at the end: ${c.name} — ${c.detail}`);
  }
  if (r.profiles.empty && r.profiles.big) printProfiles(r.profiles);
}

function printProfiles({ empty, big }) {
  console.log(
    `\nwhere a batch's time goes: ${empty.batches} batches of ${empty.batchSize} of Mark's purchases through ` +
      `writeIngestBatch, in this process`,
  );
  console.log(
    `  fresh database (Mark ${fmt(empty.markFriendsBefore)} → ${fmt(empty.markFriendsBefore + empty.written)} friends): ` +
      `${empty.meanBatchMs.toFixed(2)} ms/batch;  big database (Mark ${fmt(big.markFriendsBefore)} → ` +
      `${fmt(big.markFriendsBefore + big.written)}): ${big.meanBatchMs.toFixed(2)} ms/batch`,
  );
  console.log(
    `  ${pad("runs/b", 6)} ${pad("µs fresh", 9)} ${pad("µs big", 9)} ${pad("ms/b big", 8)}  statement`,
  );
  const byShape = new Map(empty.shapes.map((s) => [s.sql, s]));
  for (const s of big.shapes.slice(0, 14)) {
    const e = byShape.get(s.sql);
    console.log(
      `  ${pad(s.perBatch.toFixed(1), 6)} ${pad(e ? e.usPerRun.toFixed(0) : "–", 9)} ${pad(s.usPerRun.toFixed(0), 9)} ` +
        `${pad(((s.usPerRun * s.perBatch) / 1000).toFixed(2), 8)}  ${truncate(s.sql, 150)}`,
    );
    // The plan's shape only (PostgreSQL's buffer and planning lines stay in results/latest.json).
    const plan = (s.plan ?? []).filter((line) => !/^\s*(Buffers:|Planning)/.test(line)).slice(0, 8);
    for (const line of plan) console.log(`  ${" ".repeat(36)}plan: ${truncate(line, 120)}`);
  }
}

function readSettings(env) {
  const int = (name, fallback, min, max) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw.replaceAll("_", ""));
    if (!Number.isInteger(n) || n < min || n > max) {
      console.error(`${name} must be a whole number from ${min} to ${max} (got "${raw.slice(0, 20)}")`);
      process.exit(2);
    }
    return n;
  };
  const pgUrl = env.BENCH_DATABASE_URL || null;
  if (pgUrl && !/^postgres(ql)?:\/\//.test(pgUrl)) {
    console.error("BENCH_DATABASE_URL must be a postgres:// URL");
    process.exit(2);
  }
  const seedConversions = int("BENCH_SEED_CONVERSIONS", 1_000_000, 1_000, 20_000_000);
  return {
    seconds: int("BENCH_SECONDS", 10, 1, 300),
    warmupSeconds: int("BENCH_WARMUP_SECONDS", 2, 1, 60),
    repeats: int("BENCH_REPEATS", 3, 1, 9),
    connections: int("BENCH_CONNECTIONS", 32, 1, 512),
    ambassadors: int("BENCH_AMBASSADORS", 100, 1, 1_000),
    seedConversions,
    markFriends: Math.min(seedConversions, int("BENCH_SEED_MARK_FRIENDS", 10_000, 0, 1_000_000)),
    profileBatches: int("BENCH_PROFILE_BATCHES", 30, 0, 1_000),
    profileBatchSize: int("BENCH_PROFILE_BATCH_SIZE", 32, 1, 256),
    pgUrl,
    keepData: env.BENCH_KEEP_DATA === "1",
    strict: env.BENCH_STRICT === "1",
  };
}

/** The commit measured, with "+changes" when tracked files outside bench/ differ from it. */
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

function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

function truncate(s, n) {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function fmt(n) {
  return n === null || n === undefined || !Number.isFinite(n) ? "–" : Math.round(n).toLocaleString("en-US");
}

function pad(s, width) {
  return String(s ?? "–").padStart(width);
}
