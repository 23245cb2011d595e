// Turns the runs into medians, the side-by-side table and the verdict on the targets.
import { median } from "./stats.js";

export const TARGETS = { minRatio: 0.5, maxP99Ms: 15 };

/** Medians per workload and target, over the repeated runs. */
export function summarize(runs, workloads, targets) {
  const rows = [];
  for (const workload of workloads) {
    for (const target of targets) {
      const mine = runs.filter((r) => r.workload === workload && r.target === target);
      if (mine.length === 0) continue;
      const groupCommit = mine.filter((r) => r.server.groupCommit);
      const synced = groupCommit.filter((r) => r.server.groupCommit.syncs);
      rows.push({
        workload,
        target,
        runs: mine.length,
        rps: median(mine.map((r) => r.rps)),
        p50Ms: median(mine.map((r) => r.latencyMs.p50)),
        p99Ms: median(mine.map((r) => r.latencyMs.p99)),
        non2xx: mine.reduce((sum, r) => sum + r.non2xx + r.errors, 0),
        serverCpuUsPerRequest: median(mine.map((r) => (r.server.cpuMs * 1000) / r.requests)),
        serverEventLoopUtilization: median(mine.map((r) => r.server.eventLoopUtilization)),
        clientEventLoopUtilization: median(mine.map((r) => r.clientEventLoopUtilization)),
        ...(groupCommit.length
          ? {
              groupCommit: {
                requestsPerTransaction: median(groupCommit.map((r) => perTransaction(r, r.requests))),
                meanTransactionMs: median(
                  groupCommit.map((r) => perTransaction(r, r.server.groupCommit.transactionMs)),
                ),
                busyShare: median(
                  groupCommit.map((r) => r.server.groupCommit.transactionMs / r.server.wallMs),
                ),
                ...(synced.length
                  ? {
                      syncs: {
                        p50Ms: median(synced.map((r) => r.server.groupCommit.syncs.p50Ms)),
                        p99Ms: median(synced.map((r) => r.server.groupCommit.syncs.p99Ms)),
                      },
                    }
                  : {}),
              },
            }
          : {}),
      });
    }
    const raw = rows.find((r) => r.workload === workload && r.target === "raw");
    const vouch = rows.find((r) => r.workload === workload && r.target === "vouch");
    if (raw && vouch) vouch.ratio = vouch.rps / raw.rps;
  }
  return rows;
}

function perTransaction(run, value) {
  const n = run.server.groupCommit.transactions;
  return n ? value / n : 0;
}

export function verdict(summary, commitChecks) {
  const vouch = summary.filter((r) => r.target === "vouch");
  return {
    ratio: vouch.map((r) => ({ workload: r.workload, value: r.ratio, met: r.ratio >= TARGETS.minRatio })),
    p99: vouch.map((r) => ({ workload: r.workload, value: r.p99Ms, met: r.p99Ms <= TARGETS.maxP99Ms })),
    committed: {
      checks: commitChecks.length,
      met: commitChecks.length > 0 && commitChecks.every((c) => c.ok),
    },
  };
}

export function printReport({ meta, summary, commitChecks, verdicts }) {
  const out = [];
  out.push("");
  out.push(
    `Vouch vs raw node:http — ${meta.connections} connections, keep-alive, ~${meta.seconds} s per run ` +
      `(${meta.warmupSeconds} s warm-up), median of ${meta.repeats}`,
  );
  out.push(
    `Vouch ${meta.commit} on ${meta.database.dialect} (${meta.database.location}); node ${meta.node}, ` +
      `${meta.cpus}× ${meta.cpuModel}; load average at start ${meta.loadAverageStart.map((l) => l.toFixed(2)).join(" ")}`,
  );
  if (meta.nodeOptions)
    out.push(`NODE_OPTIONS="${meta.nodeOptions}" reached both servers: an experiment, not Vouch as shipped`);
  if (meta.rowsAtEnd) {
    out.push(
      `the campaign grew through the runs (later runs meet a bigger database): at the end ` +
        `${fmtInt(meta.rowsAtEnd.visits)} visits, ${fmtInt(meta.rowsAtEnd.conversions)} conversions`,
    );
  }
  out.push("");
  const header = [
    "workload",
    "target",
    "req/s",
    "p50 ms",
    "p99 ms",
    "non-2xx",
    "CPU µs/req",
    "server ELU",
    "Vouch/raw",
  ];
  const lines = summary.map((r) => [
    r.workload,
    r.target,
    fmtInt(r.rps),
    r.p50Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    String(r.non2xx),
    fmtInt(r.serverCpuUsPerRequest),
    `${Math.round(r.serverEventLoopUtilization * 100)}%`,
    r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}×`,
  ]);
  out.push(...table(header, lines));
  for (const r of summary.filter((s) => s.clientEventLoopUtilization > 0.85)) {
    out.push(
      `note: the load generator was ${Math.round(r.clientEventLoopUtilization * 100)}% busy against ${r.target} ` +
        `(${r.workload}): that figure is a floor set by the client, the server could go faster`,
    );
  }
  out.push("");
  for (const r of summary.filter((s) => s.groupCommit)) {
    const g = r.groupCommit;
    out.push(
      `group commit, ${r.workload}: ${g.requestsPerTransaction.toFixed(1)} requests/transaction, ` +
        `${g.meanTransactionMs.toFixed(2)} ms/transaction, a transaction open ${Math.round(g.busyShare * 100)}% of the run` +
        (g.syncs
          ? `; then the log's sync: p50 ${g.syncs.p50Ms.toFixed(2)} ms, p99 ${g.syncs.p99Ms.toFixed(2)} ms`
          : ""),
    );
  }
  for (const c of commitChecks) {
    const extra = c.committedUnanswered ? ` + ${c.committedUnanswered} in flight when the run stopped` : "";
    out.push(
      `every 2xx committed, ${c.workload} run ${c.repeat}: 2xx ${fmtInt(c.acknowledged)} (201 ×${c.created}, ` +
        `200 ×${c.repeated}) · committed ${fmtInt(c.committed)}${extra} · counted in stats ${fmtInt(c.countedInStats)}` +
        `${c.referred === undefined ? "" : ` · referred ${fmtInt(c.referred)}`} · missing ${c.missing} → ${c.ok ? "OK" : "FAIL"}`,
    );
  }
  out.push("");
  out.push("targets (from the issue):");
  for (const v of verdicts.ratio) {
    out.push(
      `  ${mark(v.met)} Vouch ≥ ${TARGETS.minRatio}× raw, ${v.workload}: ${v.value?.toFixed(2) ?? "n/a"}×`,
    );
  }
  for (const v of verdicts.p99) {
    out.push(`  ${mark(v.met)} p99 ≤ ${TARGETS.maxP99Ms} ms, ${v.workload}: ${v.value.toFixed(2)} ms`);
  }
  out.push(
    `  ${mark(verdicts.committed.met)} every 2xx committed (${verdicts.committed.checks} checked runs)`,
  );
  out.push("");
  console.log(out.join("\n"));
}

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const left = new Set([0, 1]);
  const fmt = (cells) =>
    cells
      .map((c, i) => (left.has(i) ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  return [fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(fmt)];
}

function fmtInt(n) {
  return Math.round(n).toLocaleString("en-US");
}

function mark(met) {
  return met ? "✓" : "✗";
}
