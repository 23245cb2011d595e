// Where a target's CPU time went during a measured run: self time from a .cpuprofile, by component and by
// function. Used by run.js when BENCH_CPU_PROF=1; also `node bench/profile-summary.js <file.cpuprofile>`.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const COMPONENTS = [
  [/\/node_modules\/better-sqlite3\//, "better-sqlite3"],
  [/\/node_modules\/kysely\//, "kysely"],
  [/\/node_modules\/(pg|pg-protocol|pg-pool|pg-types)\//, "pg driver"],
  [/\/node_modules\/zod\//, "zod"],
  [
    /\/node_modules\/(fastify|@fastify\/[^/]+|find-my-way|avvio|light-my-request|fast-json-stringify|secure-json-parse|pino|abstract-logging|toad-cache|fast-querystring|process-warning)\//,
    "fastify",
  ],
  [/\/packages\/([a-z-]+)\/dist\//, (m) => `@vouch/${m[1]}`],
  [/\/node_modules\/([^/]+)\//, (m) => m[1]],
  [/^node:internal\/(http|_http)|^node:_http|^node:http/, "node http"],
  [/^node:internal\/(streams|stream_base)|^node:net|^node:stream|^node:internal\/net/, "node net/streams"],
  [/^node:/, "node (other)"],
  [/\/bench\//, "bench harness"],
];

/** @param {{ nodes: any[], samples: number[], timeDeltas: number[] }} profile */
export function summarizeProfile(profile, top = 15) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const components = new Map();
  const functions = new Map();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    totalUs += us;
    const component = componentOf(functionName, url);
    components.set(component, (components.get(component) ?? 0) + us);
    const key = `${functionName || "(anonymous)"} ${shortUrl(url)}${url ? `:${lineNumber + 1}` : ""}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
  }
  const ranked = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: us / 1000, share: totalUs ? us / totalUs : 0 }));
  return {
    busyMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    components: ranked(components),
    functions: ranked(functions).slice(0, top),
  };
}

export function formatProfileSummary(title, summary) {
  const lines = [
    `${title}: ${Math.round(summary.busyMs)} ms of samples on CPU, ${Math.round(summary.idleMs)} ms idle`,
  ];
  lines.push("  by component (self time):");
  for (const c of summary.components.slice(0, 12)) lines.push(`    ${pct(c.share)}  ${c.name}`);
  lines.push("  top functions (self time):");
  for (const f of summary.functions) lines.push(`    ${pct(f.share)}  ${f.name}`);
  return lines.join("\n");
}

function componentOf(functionName, url) {
  if (!url) {
    if (functionName === "(garbage collector)") return "garbage collector";
    if (functionName === "(program)") return "(program: native, unattributed)";
    return `native: ${functionName || "(anonymous)"}`;
  }
  for (const [pattern, name] of COMPONENTS) {
    const m = pattern.exec(url);
    if (m) return typeof name === "function" ? name(m) : name;
  }
  return "other";
}

function shortUrl(url) {
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) return url.slice(nm + "/node_modules/".length);
  const pkg = url.indexOf("/packages/");
  if (pkg >= 0) return url.slice(pkg + 1);
  return url.replace(/^file:\/\/.*\/bench\//, "bench/");
}

function pct(share) {
  return `${(share * 100).toFixed(1).padStart(5)}%`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node bench/profile-summary.js <file.cpuprofile> [top]");
    process.exit(2);
  }
  const top = Math.min(100, Math.max(1, Number(process.argv[3] ?? 25) || 25));
  const profile = JSON.parse(await readFile(file, "utf8"));
  console.log(formatProfileSummary(file, summarizeProfile(profile, top)));
}
