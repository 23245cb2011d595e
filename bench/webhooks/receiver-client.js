// Starts receiver.js in a child process and talks to it: each call sends one IPC message and waits for its
// reply.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const RECEIVER = fileURLToPath(new URL("./receiver.js", import.meta.url));

export async function startReceiver() {
  const child = fork(RECEIVER, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const pending = new Map();
  let nextId = 0;
  let exited = false;
  const port = await new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the receiver exited before it listened (code ${code})`)));
    child.on("message", (msg) => {
      if (msg.type === "ready") resolve(msg.port);
    });
  });
  child.removeAllListeners("exit");
  child.on("exit", (code) => {
    exited = true;
    for (const { reject } of pending.values()) reject(new Error(`the receiver exited (code ${code})`));
    pending.clear();
  });
  child.on("message", (msg) => {
    if (msg.type !== "reply") return;
    const entry = pending.get(msg.id);
    pending.delete(msg.id);
    entry?.resolve(msg);
  });

  const call = (type, fields = {}) =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error("the receiver is not running"));
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      child.send({ type, id, ...fields });
    });

  return {
    pid: child.pid,
    url: (path = "/hook") => `http://127.0.0.1:${port}${path}`,
    /** Starts a new run: counts from zero; verifies every `verifyEvery`-th body; keeps emails when asked. */
    reset: (options = {}) => call("reset", options),
    /** Resolves once `count` deliveries have arrived in this run, or after `timeoutMs`, with the count. */
    waitFor: async (count, timeoutMs) => (await call("wait", { count, timeoutMs })).count,
    report: (options = {}) => call("report", options),
    /** Posts `total` conversions to `url` at `rate` per second from the child; resolves with their 2xx times. */
    stream: (options) => call("stream", options),
    async close() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.send({ type: "close" });
      const timer = setTimeout(() => child.kill(), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
