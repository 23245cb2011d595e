// The child side of a benchmark target: both the raw server and Vouch run under this same harness, so each has
// its own event loop and is measured the same way — CPU time and memory of the whole process, and, through
// thread-probe.cjs (preloaded into every thread), each thread's event-loop utilisation, CPU profile and database
// work.
import { performance } from "node:perf_hooks";
import { BroadcastChannel } from "node:worker_threads";

const CHANNEL = "vouch-bench-thread-probe";
const ACK_WAIT_MS = 300;
const REPORT_WAIT_MS = 5_000;

/**
 * Starts a target and answers the parent over the IPC channel:
 * `mark` opens a measurement window, `stats` closes it, `close` shuts the server down and exits.
 * @param {() => Promise<{ url: string, close: () => Promise<void> }>} start
 */
export async function serveProbe(start) {
  if (typeof process.send !== "function") {
    console.error("this script is started by bench/run.js (it needs an IPC channel)");
    process.exit(2);
  }
  const threads = threadCoordinator();
  const target = await start();
  let window = openWindow();

  process.on("message", async (msg) => {
    if (!msg || typeof msg !== "object" || typeof msg.type !== "string") return;
    const reply = (body) => process.send({ id: msg.id, ...body });
    try {
      if (msg.type === "mark") {
        await threads.mark(msg.label);
        window = openWindow();
        reply({ ok: true });
      } else if (msg.type === "stats") {
        const whole = closeWindow(window);
        reply({ ok: true, stats: { ...whole, threads: await threads.collect() } });
      } else if (msg.type === "close") {
        await target.close();
        threads.close();
        reply({ ok: true });
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

/** Talks to the thread probes: which threads answer a `mark` are the ones whose reports `collect` awaits. */
function threadCoordinator() {
  const channel = new BroadcastChannel(CHANNEL);
  channel.unref();
  let known = new Set();
  let nextId = 1;
  const listeners = new Set();
  channel.onmessage = ({ data }) => {
    for (const listen of listeners) listen(data);
  };

  function gather(type, extra, enough, waitMs) {
    const id = nextId++;
    const got = new Map();
    return new Promise((resolve) => {
      const finish = () => {
        listeners.delete(listen);
        clearTimeout(timer);
        resolve(got);
      };
      const listen = (data) => {
        if (data?.id !== id) return;
        got.set(data.threadId, data.report ?? true);
        if (enough(got)) finish();
      };
      const timer = setTimeout(finish, waitMs);
      listeners.add(listen);
      channel.postMessage({ type, id, ...extra });
    });
  }

  return {
    async mark(label) {
      // Threads are counted by who acknowledges; no probe is preloaded when run outside bench/run.js.
      known = new Set((await gather("mark", { label }, () => false, ACK_WAIT_MS)).keys());
    },
    async collect() {
      const reports = await gather("collect", {}, (got) => got.size >= known.size, REPORT_WAIT_MS);
      return [...reports.values()].sort((a, b) => a.threadId - b.threadId);
    },
    close() {
      channel.close();
    },
  };
}

function openWindow() {
  return { cpu: process.cpuUsage(), at: performance.now() };
}

function closeWindow(w) {
  const cpu = process.cpuUsage(w.cpu);
  return {
    wallMs: performance.now() - w.at,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssMb: process.memoryUsage.rss() / 1_048_576,
  };
}
