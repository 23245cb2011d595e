// Starts vouch-child.js and talks to it: one request at a time, each answered by the message type it names.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./vouch-child.js", import.meta.url));
const START_TIMEOUT_MS = 60_000;
const CALL_TIMEOUT_MS = 60_000;

/** @param {{ databaseUrl: string, schema?: string, adminKey: string }} opts */
export async function startVouch(opts) {
  const child = fork(CHILD, [], {
    env: {
      ...process.env,
      BENCH_VOUCH_DATABASE_URL: opts.databaseUrl,
      BENCH_SCHEMA: opts.schema ?? "",
      BENCH_ADMIN_KEY: opts.adminKey,
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const ready = await waitFor(child, "ready", START_TIMEOUT_MS, "start");

  async function call(type, answer) {
    if (exited) throw new Error(`Vouch (pid ${child.pid}) is no longer running`);
    const reply = waitFor(child, answer, CALL_TIMEOUT_MS, type);
    child.send({ type });
    return reply;
  }

  return {
    pid: child.pid,
    url: ready.url,
    mark: () => call("mark", "marked"),
    stats: () => call("stats", "stats"),
    async stop() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once("exit", resolve));
      await call("stop", "stopped").catch(() => child.kill("SIGKILL"));
      await gone;
    },
  };
}

function waitFor(child, type, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`Vouch did not answer "${what}" within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (msg) => {
      if (msg?.type === type) done(null, msg);
    };
    const onExit = (code) => done(new Error(`Vouch exited (code ${code}) while waiting for "${what}"`));
    function done(err, msg) {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve(msg);
    }
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}
