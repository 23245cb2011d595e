// The parent side: starts a target script in its own process and talks to it over IPC.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const READY_TIMEOUT_MS = 60_000;
const CALL_TIMEOUT_MS = 30_000;

/**
 * @param {string} script file name under bench/
 * @param {{ env?: Record<string, string>, execArgv?: string[] }} options
 * @returns {Promise<{ url: string, pid: number, call: (type: string, extra?: object) => Promise<any>,
 *   stop: () => Promise<void> }>}
 */
export async function startTarget(script, options = {}) {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [], {
    env: { ...process.env, ...options.env },
    // The thread probe measures each thread of the target, including worker threads it starts.
    execArgv: [
      "--require",
      fileURLToPath(new URL("thread-probe.cjs", import.meta.url)),
      ...(options.execArgv ?? []),
    ],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const pending = new Map();
  let nextId = 1;
  exited.then(({ code, signal }) => {
    for (const waiter of pending.values())
      waiter.reject(new Error(`${script} exited (code ${code}, signal ${signal})`));
    pending.clear();
  });

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start in time`)), READY_TIMEOUT_MS);
    child.on("message", (msg) => {
      if (msg?.type === "ready") {
        clearTimeout(timer);
        resolve(msg.url);
        return;
      }
      const waiter = pending.get(msg?.id);
      if (!waiter) return;
      pending.delete(msg.id);
      if (msg.ok) waiter.resolve(msg.stats ?? null);
      else waiter.reject(new Error(`${script}: ${msg.error}`));
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited before it was ready (code ${code}, signal ${signal})`));
    });
  });

  function call(type, extra = {}) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${script} did not answer "${type}"`));
      }, CALL_TIMEOUT_MS);
      pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      child.send({ ...extra, id, type });
    });
  }

  let stopping;
  function stop() {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await call("close").catch(() => undefined);
        const late = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(late);
      }
    })();
    return stopping;
  }

  return { url, pid: child.pid, call, stop };
}
