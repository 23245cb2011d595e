// The load side's HTTP: one POST over a keep-alive agent, and a bounded number of tasks in flight.
import http from "node:http";
import { performance } from "node:perf_hooks";

const now = () => performance.timeOrigin + performance.now();

/** One POST over `agent`; resolves (never rejects) with status (0 on a transport error), body and `doneAt`. */
export function post(agent, url, body, headers) {
  return new Promise((resolve) => {
    const req = http.request(url, {
      method: "POST",
      agent,
      headers: { ...headers, "content-length": Buffer.byteLength(body) },
    });
    req.on("error", (err) => resolve({ status: 0, body: err.message, doneAt: now() }));
    req.on("response", (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString("utf8"), doneAt: now() }),
      );
      res.on("error", (err) => resolve({ status: 0, body: err.message, doneAt: now() }));
    });
    req.end(body);
  });
}

/** Runs `total` tasks, at most `inFlight` at once (`task(i)` for i = 0 … total-1). */
export async function inParallel(total, inFlight, task) {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < total; i = next++) await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, lane));
}
