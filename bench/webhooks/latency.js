// Latency: with Vouch's live worker on, a steady stream of referred conversions posted as the pixel does; for each,
// the time from its 2xx answer to its webhook's arrival at the receiver. The receiver child posts the stream as
// well, so both times come from one clock (performance.timeOrigin + performance.now()) in a process of its own.
// One call of `latencyRun` is one repeat on a fresh database.
import { percentile } from "./stats.js";
import { outboxState, startVouch } from "./vouch.js";

const WARMUP = 100;

export async function latencyRun({ database, receiver, ratePerSecond, seconds, ambassadors, tag }) {
  const vouch = await startVouch({ database, receiverUrl: receiver.url(), ambassadors, liveWorker: true });
  try {
    const streamOf = (prefix, total, rate) =>
      receiver.stream({
        url: `${vouch.url}/api/v1/collect/track`,
        publicKey: vouch.campaign.public_key,
        codes: vouch.codes,
        prefix,
        total,
        rate,
      });
    // Warm up the JIT, the connections and the statement cache; this is not measured.
    await receiver.reset({});
    await streamOf(`warm-${tag}`, WARMUP, 500);
    await receiver.waitFor(WARMUP, 30_000);

    const total = Math.round(ratePerSecond * seconds);
    await receiver.reset({ secret: vouch.webhook.secret, verifyEvery: 20, emails: true });
    const { acks, statuses, requestMs, sendSeconds } = await streamOf(`lat-${tag}`, total, ratePerSecond);
    await receiver.waitFor(total, 60_000);
    const report = await receiver.report({ withArrivals: true });
    const state = await settledOutbox(vouch, WARMUP + total);

    const arrivals = new Map(report.arrivals);
    const latencies = [];
    let missing = 0;
    for (const [email, ackAt] of acks) {
      const at = arrivals.get(email);
      if (at === undefined) missing += 1;
      else latencies.push(at - ackAt);
    }
    latencies.sort((a, b) => a - b);
    requestMs.sort((a, b) => a - b);
    const early = latencies.filter((ms) => ms < 0).length;
    const checks = [
      check("every conversion answered 201", statuses[201] === total, JSON.stringify(statuses)),
      check(
        "every conversion's webhook arrived, once",
        missing === 0 && report.count === total && report.distinct === total && report.duplicates === 0,
        `${missing} missing, ${report.count} arrived, ${report.distinct} distinct, ${report.duplicates} duplicates`,
      ),
      check(
        "sampled signatures verify with @vouch/sdk",
        report.verified > 0 && Object.keys(report.verifyFailures).length === 0,
        `${report.verified} verified, failures ${JSON.stringify(report.verifyFailures)}`,
      ),
      check(
        "database: every message delivered",
        state.delivered === WARMUP + total && !state.pending && !state.failed,
        JSON.stringify(state),
      ),
    ];
    return {
      conversions: total,
      sentPerSecond: Math.round(total / sendSeconds),
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      maxMs: round(latencies.at(-1)),
      minMs: round(latencies[0]),
      // The webhook can overtake the answer: the worker is woken at commit, in the same turn that answers.
      arrivedBeforeAnswer: early,
      requestP50Ms: round(percentile(requestMs, 50)),
      requestP99Ms: round(percentile(requestMs, 99)),
      checks,
    };
  } finally {
    await vouch.close();
  }
}

/** The round that sent the last webhooks may still be recording them: wait (bounded) until it has. */
async function settledOutbox(vouch, expected) {
  let state = await outboxState(vouch.db, vouch.webhook.id);
  for (let i = 0; i < 250 && state.delivered !== expected; i++) {
    await new Promise((r) => setTimeout(r, 20));
    state = await outboxState(vouch.db, vouch.webhook.id);
  }
  return state;
}

function check(name, ok, detail) {
  return { name, ok, detail };
}

function round(x) {
  return x === undefined || x === null ? null : Math.round(x * 100) / 100;
}
