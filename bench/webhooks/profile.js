// Optional CPU profile of this process (BENCH_CPU_PROF=1) while Vouch's worker drains the outbox: the V8 sampling
// profiler through node:inspector, written as a .cpuprofile (open it in Chrome DevTools), summarised as self time
// by component and by function.
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { dirname } from "node:path";

export async function startProfile() {
  const session = new Session();
  session.connect();
  const post = (method, params = {}) =>
    new Promise((resolve, reject) =>
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
    );
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 200 });
  await post("Profiler.start");
  return {
    /** Stops, writes the profile to `file`, and returns its path with a summary. */
    async stop(file) {
      const { profile } = await post("Profiler.stop");
      session.disconnect();
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
      return { file, ...summarise(profile) };
    },
  };
}

/** Where a function lives, from its script URL: the components worth telling apart here. */
const COMPONENTS = [
  ["kysely", /node_modules\/kysely\//],
  ["better-sqlite3", /node_modules\/better-sqlite3\//],
  ["pg", /node_modules\/pg[^/]*\//],
  ["@vouch/server", /packages\/server\//],
  ["@vouch/db", /packages\/db\//],
  ["@vouch/core", /packages\/core\//],
  ["bench harness", /bench\//],
  ["node:http / net", /^node:(_http|http|net|_stream|stream|internal\/(streams|http|net|stream_base))/],
  ["node:crypto", /^node:(crypto|internal\/crypto)/],
  ["other node internals", /^node:/],
  ["other packages", /node_modules\//],
];

export function summarise(profile, top = 15) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  let total = 0;
  const components = new Map();
  const functions = new Map();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const component = componentOf(functionName, url);
    components.set(component, (components.get(component) ?? 0) + us);
    const key = `${functionName || "(anonymous)"} ${shortUrl(url)}${url ? `:${lineNumber + 1}` : ""}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
  }
  const share = (us) => Math.round((us / total) * 1000) / 10;
  const ranked = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: share(us) }));
  return {
    sampledMs: Math.round(total / 1000),
    components: ranked(components),
    functions: ranked(functions).slice(0, top),
  };
}

function componentOf(functionName, url) {
  if (functionName === "(garbage collector)") return "garbage collector";
  if (functionName === "(idle)") return "idle";
  if (functionName === "(program)") return "(program: native, outside JS)";
  if (!url) return `native: ${functionName || "(anonymous)"}`;
  for (const [name, pattern] of COMPONENTS) if (pattern.test(url)) return name;
  return "other";
}

function shortUrl(url) {
  return url.replace(/^file:\/\/.*?\/(node_modules|packages|bench)\//, "$1/");
}
