// The child side of a benchmark target: both the raw server and Vouch run under this same harness, so each has
// its own event loop and is measured the same way (event-loop utilisation, CPU time, memory).
import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

/**
 * Starts a target and answers the parent over the IPC channel:
 * `mark` starts a measurement window, `stats` ends it, `close` shuts the server down and exits.
 * @param {() => Promise<{ url: string, close: () => Promise<void>, mark?: () => void, stats?: () => object }>} start
 */
export async function serveProbe(start) {
  if (typeof process.send !== "function") {
    console.error("this script is started by bench/run.js (it needs an IPC channel)");
    process.exit(2);
  }
  const target = await start();
  const profiler = await openProfiler(process.env.BENCH_PROFILE_DIR);
  let window = openWindow();

  process.on("message", async (msg) => {
    if (!msg || typeof msg !== "object" || typeof msg.type !== "string") return;
    const reply = (body) => process.send({ id: msg.id, ...body });
    try {
      if (msg.type === "mark") {
        await profiler?.start(msg.label);
        window = openWindow();
        target.mark?.();
        reply({ ok: true });
      } else if (msg.type === "stats") {
        const stats = { ...closeWindow(window), ...(target.stats?.() ?? {}) };
        const profile = await profiler?.stop();
        reply({ ok: true, stats: profile ? { ...stats, profile } : stats });
      } else if (msg.type === "close") {
        await target.close();
        reply({ ok: true });
        // Let the reply leave before exiting (a --cpu-prof profile is written on exit).
        setImmediate(() => process.exit(0));
      }
    } catch (err) {
      reply({ ok: false, error: String(err?.stack ?? err) });
    }
  });
  // The parent going away must not leave a server behind.
  process.on("disconnect", () => process.exit(0));
  process.send({ type: "ready", url: target.url });
}

function openWindow() {
  return { elu: performance.eventLoopUtilization(), cpu: process.cpuUsage(), at: performance.now() };
}

function closeWindow(w) {
  const cpu = process.cpuUsage(w.cpu);
  return {
    wallMs: performance.now() - w.at,
    eventLoopUtilization: performance.eventLoopUtilization(w.elu).utilization,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssMb: process.memoryUsage.rss() / 1_048_576,
  };
}

/**
 * BENCH_PROFILE_DIR set: each measurement window is sampled by V8's profiler and written as
 * <label>.cpuprofile, so that setup and the export read back by the check stay out of the picture.
 */
async function openProfiler(dir) {
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 250 });
  let label;
  return {
    async start(next) {
      if (label) await session.post("Profiler.stop");
      label = /^[a-z0-9-]{1,60}$/.test(next ?? "") ? next : "window";
      await session.post("Profiler.start");
    },
    async stop() {
      if (!label) return undefined;
      const { profile } = await session.post("Profiler.stop");
      const file = join(dir, `${label}.cpuprofile`);
      label = undefined;
      await writeFile(file, JSON.stringify(profile));
      return file;
    },
  };
}
