// Throughput: a full outbox delivered by Vouch's worker, next to the same signed requests sent by a plain
// keep-alive client, both to the same receiver (a child process). One call of `throughputRun` is one repeat on a
// fresh database.
import diagnostics from "node:diagnostics_channel";
import http from "node:http";
import { performance } from "node:perf_hooks";
import { webhookHeaders } from "@vouch/core";
import { inParallel, post } from "./http-client.js";
import { startProfile } from "./profile.js";
import { outboxState, startVouch } from "./vouch.js";

const now = () => performance.timeOrigin + performance.now();
const IN_FLIGHT = 64;
const VERIFY_EVERY = 97;

/**
 * Fills the outbox with `messages` attributed conversions (worker stopped), then delivers it twice over:
 * once by Vouch (`webhooks.start()`), once by the baseline sender; `vouchFirst` says which goes first.
 */
export async function throughputRun({ database, receiver, messages, ambassadors, vouchFirst, profileTo }) {
  const vouch = await startVouch({ database, receiverUrl: receiver.url(), ambassadors, liveWorker: false });
  try {
    const fill = await fillOutbox(vouch, messages);
    const queued = await outboxState(vouch.db, vouch.webhook.id);
    if (queued.pending !== messages) {
      throw new Error(`the outbox holds ${queued.pending ?? 0} pending messages, expected ${messages}`);
    }
    const rows = await vouch.db
      .selectFrom("webhook_messages")
      .select(["id", "payload"])
      .where("webhook_id", "=", vouch.webhook.id)
      .execute();

    let sender;
    let baseline;
    if (vouchFirst) {
      sender = await deliverWithVouch(vouch, receiver, messages, profileTo);
      baseline = await deliverWithBaseline(rows, vouch.webhook.secret, receiver);
    } else {
      baseline = await deliverWithBaseline(rows, vouch.webhook.secret, receiver);
      sender = await deliverWithVouch(vouch, receiver, messages, profileTo);
    }
    sender.checks.push(...checkSameIds(sender.ids, rows));
    baseline.checks.push(...checkSameIds(baseline.ids, rows));
    delete sender.ids;
    delete baseline.ids;
    return { fill, vouch: sender, baseline, vouchFirst };
  } finally {
    await vouch.close();
  }
}

/** Posts `count` distinct, referred conversions as fast as 64 in flight allow; every one must be answered 201. */
async function fillOutbox(vouch, count) {
  const statuses = {};
  let referred = 0;
  const started = now();
  await inParallel(count, IN_FLIGHT, async (i) => {
    const res = await vouch.track(vouch.conversion(`buyer-${i}@bench.example`, i));
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    if (res.status === 201 && JSON.parse(res.body).referred === true) referred += 1;
  });
  const seconds = (now() - started) / 1000;
  if (statuses[201] !== count || referred !== count) {
    throw new Error(
      `filling the outbox: statuses ${JSON.stringify(statuses)}, ${referred} referred of ${count}`,
    );
  }
  return { conversions: count, seconds: round(seconds, 2), perSecond: Math.round(count / seconds) };
}

/** Vouch's own worker drains the outbox; rounds, transactions and the first request of each round are timed. */
async function deliverWithVouch(vouch, receiver, count, profileTo) {
  await receiver.reset({ secret: vouch.webhook.secret, verifyEvery: VERIFY_EVERY });
  const probe = watchWorker(vouch.server.webhooks, vouch.db);
  const profile = profileTo ? await startProfile() : undefined;
  const started = now();
  vouch.server.webhooks.start();
  const arrived = await receiver.waitFor(count, 120_000);
  // The receiver has everything; the round that sent the last ones still has to record them.
  let state = await outboxState(vouch.db, vouch.webhook.id);
  for (let i = 0; i < 600 && state.delivered !== count; i++) {
    await new Promise((r) => setTimeout(r, 20));
    state = await outboxState(vouch.db, vouch.webhook.id);
  }
  const recordedAt = now();
  await vouch.server.webhooks.stop();
  const profileFile = profile ? await profile.stop(profileTo) : undefined;
  probe.stop();
  const report = await receiver.report({ withIds: true });

  const checks = receiverChecks("vouch", report, count);
  checks.push(
    check(`database: ${count} delivered`, state.delivered === count, JSON.stringify(state)),
    check(
      "database: nothing pending or failed",
      !state.pending && !state.failed,
      `pending ${state.pending ?? 0}, failed ${state.failed ?? 0}`,
    ),
    check(`database: ${count} attempts (one each)`, state.attempts === count, `${state.attempts} attempts`),
  );
  return {
    perSecond: ratePerSecond(report),
    firstToLastMs: round(report.last - report.first, 1),
    // From start() to the database showing every message delivered: what an owner would wait.
    drainPerSecond: Math.round(count / ((recordedAt - started) / 1000)),
    startToFirstMs: round(report.first - started, 1),
    arrived,
    rounds: probe.summary(),
    ...(profileFile ? { profile: profileFile } : {}),
    verified: report.verified,
    checks,
    ids: report.ids,
  };
}

/**
 * The transport's ceiling: a plain node:http client over 64 keep-alive sockets sending the same bodies with the
 * same headers (signed beforehand, outside the timing), 64 in flight.
 */
async function deliverWithBaseline(rows, secret, receiver) {
  const timestamp = Math.floor(Date.now() / 1000);
  const requests = rows.map((row) => ({
    body: row.payload,
    headers: {
      ...webhookHeaders({ secrets: [secret], id: row.id, timestamp, body: row.payload }),
      "content-type": "application/json",
      "user-agent": "Vouch-Webhooks/1.0",
    },
  }));
  const url = receiver.url();
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  await receiver.reset({ secret, verifyEvery: VERIFY_EVERY });
  const statuses = {};
  try {
    await inParallel(requests.length, IN_FLIGHT, async (i) => {
      const { body, headers } = requests[i];
      const res = await post(agent, url, body, headers);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    });
  } finally {
    agent.destroy();
  }
  const report = await receiver.report({ withIds: true });
  const checks = receiverChecks("baseline", report, rows.length);
  checks.push(check("baseline: every answer 204", statuses[204] === rows.length, JSON.stringify(statuses)));
  return {
    perSecond: ratePerSecond(report),
    firstToLastMs: round(report.last - report.first, 1),
    verified: report.verified,
    checks,
    ids: report.ids,
  };
}

function receiverChecks(who, report, count) {
  return [
    check(`${who}: receiver got ${count} requests`, report.count === count, `${report.count} requests`),
    check(
      `${who}: ${count} distinct webhook-ids, no duplicate`,
      report.distinct === count && report.duplicates === 0 && report.missingId === 0,
      `${report.distinct} distinct, ${report.duplicates} duplicates, ${report.missingId} without an id`,
    ),
    check(
      `${who}: sampled signatures verify with @vouch/sdk`,
      report.verified > 0 && Object.keys(report.verifyFailures).length === 0,
      `${report.verified} verified, failures ${JSON.stringify(report.verifyFailures)}`,
    ),
  ];
}

function checkSameIds(seen, rows) {
  const set = new Set(seen);
  const missing = rows.filter((r) => !set.has(r.id)).length;
  return [
    check(
      "the ids received are the outbox's ids",
      missing === 0 && set.size === rows.length,
      `${missing} missing`,
    ),
  ];
}

/** Deliveries per second between the first and the last arrival, as the receiver counted them. */
function ratePerSecond(report) {
  if (report.count < 2 || report.last <= report.first) return null;
  return Math.round(((report.count - 1) * 1000) / (report.last - report.first));
}

/**
 * Observes the worker from outside without changing it. The worker's loop pipelines its rounds (one round's
 * outcomes are recorded while the next is claimed and sent), so the two halves are timed apart: each
 * claim-and-send (until the first HTTP request it starts, diagnostics_channel "http.client.request.start", is
 * its claim), and each transaction that records outcomes (in this phase only the worker opens transactions).
 */
function watchWorker(worker, db) {
  const rounds = [];
  const records = [];
  let current;
  const originalClaimAndSend = worker.claimAndSend;
  worker.claimAndSend = async function (...args) {
    const round = { start: now(), firstRequest: null, end: 0, size: 0 };
    current = round;
    try {
      const outcomes = await originalClaimAndSend.apply(this, args);
      round.size = outcomes.length;
      return outcomes;
    } finally {
      round.end = now();
      current = undefined;
      if (round.size > 0) rounds.push(round);
    }
  };
  const originalTransaction = db.transaction;
  db.transaction = function () {
    const builder = originalTransaction.call(this);
    const execute = builder.execute.bind(builder);
    builder.execute = async (callback) => {
      const start = now();
      try {
        return await execute(callback);
      } finally {
        records.push(now() - start);
      }
    };
    return builder;
  };
  const onRequest = () => {
    if (current && current.firstRequest === null) current.firstRequest = now();
  };
  diagnostics.subscribe("http.client.request.start", onRequest);
  return {
    stop() {
      worker.claimAndSend = originalClaimAndSend;
      db.transaction = originalTransaction;
      diagnostics.unsubscribe("http.client.request.start", onRequest);
    },
    summary() {
      const mean = (xs) => (xs.length ? round(xs.reduce((s, x) => s + x, 0) / xs.length, 2) : null);
      const sent = rounds.filter((r) => r.firstRequest !== null);
      return {
        rounds: rounds.length,
        meanSize: mean(rounds.map((r) => r.size)),
        meanClaimSendMs: mean(rounds.map((r) => r.end - r.start)),
        meanClaimMs: mean(sent.map((r) => r.firstRequest - r.start)),
        records: records.length,
        meanRecordMs: mean(records),
      };
    },
  };
}

function check(name, ok, detail) {
  return { name, ok, detail };
}

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
