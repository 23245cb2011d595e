// One autocannon run: N keep-alive connections posting distinct pixel bodies, with each response's status and
// latency kept, so the run can be checked against the database afterwards.
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { percentile } from "./stats.js";

/**
 * Either `seconds` (a warm-up) or `amount` (a measured run: every request sent is answered, so the 2xx seen
 * can be matched exactly against what was committed). `deadlineSeconds` bounds an `amount` run that stalls.
 * @param {{ url: string, workload: { path: string, body: (ctx: object, n: number) => { body: string, email?: string } },
 *   ctx: object, connections: number, seconds?: number, amount?: number, deadlineSeconds?: number }} opts
 */
export async function drive(opts) {
  const ledger = { sent: new Set(), ok: new Set(), created: 0, repeated: 0, failed: new Set() };
  const latencies = [];
  let n = 0;

  const instance = autocannon({
    url: opts.url,
    connections: opts.connections,
    pipelining: 1,
    timeout: 10,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds }),
    requests: [
      {
        method: "POST",
        path: opts.workload.path,
        // The pixel sends JSON as text/plain so that browsers skip the CORS preflight.
        headers: { "content-type": "text/plain;charset=UTF-8" },
        setupRequest(request, context) {
          const made = opts.workload.body(opts.ctx, n++);
          context.email = made.email;
          if (made.email) ledger.sent.add(made.email);
          return { ...request, body: made.body };
        },
        onResponse(status, _body, context) {
          const ok = status >= 200 && status < 300;
          if (status === 201) ledger.created += 1;
          else if (status === 200) ledger.repeated += 1;
          if (context.email) (ok ? ledger.ok : ledger.failed).add(context.email);
        },
      },
    ],
  });
  // autocannon's own histogram has 1 ms resolution; keep the exact times of the 2xx responses instead.
  instance.on("response", (_client, status, _bytes, responseTime) => {
    if (status >= 200 && status < 300) latencies.push(responseTime);
  });
  const deadline = opts.deadlineSeconds
    ? setTimeout(() => {
        ledger.stoppedAtDeadline = true;
        instance.stop();
      }, opts.deadlineSeconds * 1000)
    : undefined;

  const startedAt = performance.now();
  const result = await instance;
  const seconds = (performance.now() - startedAt) / 1000;
  clearTimeout(deadline);

  latencies.sort((a, b) => a - b);
  const responses = result["1xx"] + result["2xx"] + result["3xx"] + result["4xx"] + result["5xx"];
  return {
    seconds,
    requests: responses,
    rps: responses / seconds,
    ok: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]),
    ),
    latencyMs: {
      p50: percentile(latencies, 0.5),
      p90: percentile(latencies, 0.9),
      p99: percentile(latencies, 0.99),
      max: latencies.at(-1) ?? 0,
    },
    autocannonLatencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    ledger,
  };
}
