// The webhook receiver, run as a child process so that it never shares an event loop with the sender it is
// measuring. A plain node:http server on 127.0.0.1 that answers 204 to every POST and keeps, per run: how many
// arrived, the distinct webhook-ids, the first and last arrival, and (when asked) each body's event_data.email
// with its arrival time. A sample of deliveries is verified with the published SDK, as a customer would.
// For the latency runs it is also the client that posts the conversions ("stream"): the 2xx of a conversion and
// the arrival of its webhook are then read from one clock, in a process that is not Vouch's.
// The parent talks to it over IPC: { type: "reset" | "report" | "wait" | "stream", id, … } → { type: "reply", id, … }.
import http from "node:http";
import { performance } from "node:perf_hooks";
import { verifyWebhook } from "@vouch/sdk";
import { conversionBody } from "./bodies.js";
import { post } from "./http-client.js";

/** Wall-clock milliseconds with sub-millisecond resolution; the parent reads the same clock. */
const now = () => performance.timeOrigin + performance.now();

let run = freshRun({});
let waiter;

function freshRun({ secret, verifyEvery = 0, emails = false }) {
  return {
    secret,
    verifyEvery,
    emails,
    count: 0,
    ids: new Set(),
    duplicates: 0,
    missingId: 0,
    first: null,
    last: null,
    verified: 0,
    verifyFailures: {},
    arrivals: [],
    unparsed: 0,
  };
}

function arrived(req, body) {
  const at = now();
  const r = run;
  r.count += 1;
  r.first ??= at;
  r.last = at;
  const id = req.headers["webhook-id"];
  if (id === undefined) r.missingId += 1;
  else if (r.ids.has(id)) r.duplicates += 1;
  else r.ids.add(id);
  if (r.emails) {
    try {
      const email = JSON.parse(body)?.event_data?.email;
      if (typeof email === "string") r.arrivals.push([email, at]);
      else r.unparsed += 1;
    } catch {
      r.unparsed += 1;
    }
  }
  // The first delivery and then every verifyEvery-th: the SDK's check, with the secret the endpoint was given.
  if (r.verifyEvery > 0 && r.secret && (r.count - 1) % r.verifyEvery === 0) {
    try {
      verifyWebhook(r.secret, req.headers, body);
      r.verified += 1;
    } catch (err) {
      const reason = err.reason ?? err.message;
      r.verifyFailures[reason] = (r.verifyFailures[reason] ?? 0) + 1;
    }
  }
  if (waiter && r.count >= waiter.count) settleWaiter();
}

function settleWaiter() {
  const w = waiter;
  waiter = undefined;
  clearTimeout(w.timer);
  reply(w.id, { count: run.count });
}

function reply(id, fields) {
  process.send({ type: "reply", id, ...fields });
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    arrived(req, Buffer.concat(chunks).toString("utf8"));
    res.writeHead(204).end();
  });
});
// Senders keep connections open between bursts; the defaults (5 s) would close them mid-run on a slow round.
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;

process.on("message", (msg) => {
  if (msg.type === "reset") {
    run = freshRun(msg);
    reply(msg.id, {});
  } else if (msg.type === "report") {
    const r = run;
    reply(msg.id, {
      count: r.count,
      distinct: r.ids.size,
      duplicates: r.duplicates,
      missingId: r.missingId,
      first: r.first,
      last: r.last,
      verified: r.verified,
      verifyFailures: r.verifyFailures,
      unparsed: r.unparsed,
      ...(msg.withArrivals ? { arrivals: r.arrivals } : {}),
      ...(msg.withIds ? { ids: [...r.ids] } : {}),
    });
  } else if (msg.type === "wait") {
    if (waiter) settleWaiter();
    waiter = { id: msg.id, count: msg.count, timer: setTimeout(settleWaiter, msg.timeoutMs) };
    if (run.count >= msg.count) settleWaiter();
  } else if (msg.type === "stream") {
    stream(msg).then((result) => reply(msg.id, result));
  } else if (msg.type === "close") {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
process.on("disconnect", () => process.exit(0));

/**
 * Open loop: conversion i is posted at start + i / rate whether or not earlier ones were answered, so a slow
 * answer does not slow the stream down. Each has a distinct email and an ambassador's referral. Returns, per
 * email, when its 2xx answer was complete.
 */
async function stream({ url, publicKey, codes, prefix, total, rate }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const acks = [];
  const statuses = {};
  const requestMs = [];
  const inFlight = [];
  const started = now();
  let sent = 0;
  try {
    while (sent < total) {
      const due = Math.min(total, Math.floor(((now() - started) * rate) / 1000) + 1);
      for (; sent < due; sent++) {
        const email = `${prefix}-${sent}@bench.example`;
        const postedAt = now();
        const answered = post(agent, url, conversionBody(publicKey, codes, email, sent), {
          "content-type": "text/plain",
        }).then((res) => {
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          requestMs.push(res.doneAt - postedAt);
          if (res.status >= 200 && res.status < 300) acks.push([email, res.doneAt]);
        });
        inFlight.push(answered);
      }
      const next = started + (sent * 1000) / rate;
      await new Promise((r) => setTimeout(r, Math.max(0, next - now())));
    }
    await Promise.all(inFlight);
  } finally {
    agent.destroy();
  }
  return { acks, statuses, requestMs, sendSeconds: (now() - started) / 1000 };
}

server.listen(0, "127.0.0.1", () => {
  process.send({ type: "ready", port: server.address().port });
});
