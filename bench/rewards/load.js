// One autocannon run of pixel purchases: every answer's status, latency and email kept, and the answers
// counted per second, so a run that slows down as it goes shows it.
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { purchaseBody } from "./program.js";
import { quantile } from "./stats.js";

/**
 * `seconds` (a warm-up) or `amount` (a measured run: every request sent is answered before it ends, so the 2xx
 * can be matched exactly against the database). `deadlineSeconds` bounds an `amount` run that stalls.
 */
export async function drive({ url, program, tag, connections, seconds, amount, deadlineSeconds }) {
  const okEmails = [];
  // Sent and not (yet) answered: what a warm-up that stops on time leaves in flight, which Vouch may still commit.
  const inFlight = new Set();
  const latencies = [];
  const perSecond = [];
  let n = 0;
  let startedAt = 0;
  let lastAnswerAt = 0;

  const instance = autocannon({
    url,
    connections,
    pipelining: 1,
    timeout: 10,
    ...(amount ? { amount } : { duration: seconds }),
    requests: [
      {
        method: "POST",
        path: "/api/v1/collect/track",
        // As the pixel sends it: JSON as text/plain, so browsers skip the CORS preflight.
        headers: { "content-type": "text/plain;charset=UTF-8" },
        setupRequest(request, context) {
          const made = purchaseBody(program, tag, n++);
          context.email = made.email;
          inFlight.add(made.email);
          return { ...request, body: made.body };
        },
        onResponse(status, _body, context) {
          inFlight.delete(context.email);
          if (status >= 200 && status < 300) okEmails.push(context.email);
        },
      },
    ],
  });
  // autocannon's histogram has 1 ms steps; keep each 2xx's own time instead.
  instance.on("response", (_client, status, _bytes, responseTime) => {
    lastAnswerAt = performance.now();
    const second = Math.floor((lastAnswerAt - startedAt) / 1000);
    perSecond[second] = (perSecond[second] ?? 0) + 1;
    if (status >= 200 && status < 300) latencies.push(responseTime);
  });
  let stoppedAtDeadline = false;
  const deadline = deadlineSeconds
    ? setTimeout(() => {
        stoppedAtDeadline = true;
        instance.stop();
      }, deadlineSeconds * 1000)
    : undefined;

  startedAt = performance.now();
  const result = await instance;
  // Up to the last answer: autocannon resolves on its next one-second tick, which is not the server's time.
  const elapsed = ((lastAnswerAt || performance.now()) - startedAt) / 1000;
  clearTimeout(deadline);

  latencies.sort((a, b) => a - b);
  const answered = result["1xx"] + result["2xx"] + result["3xx"] + result["4xx"] + result["5xx"];
  return {
    seconds: elapsed,
    sent: n,
    answered,
    rps: answered / elapsed,
    ok: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]),
    ),
    latencyMs: {
      p50: quantile(latencies, 0.5),
      p90: quantile(latencies, 0.9),
      p99: quantile(latencies, 0.99),
      max: latencies.at(-1),
    },
    // Whole seconds only: the last, partial one would read as a slowdown.
    perSecond: Array.from({ length: Math.floor(elapsed) }, (_, i) => perSecond[i] ?? 0),
    stoppedAtDeadline,
    okEmails,
    unansweredEmails: [...inFlight],
  };
}
