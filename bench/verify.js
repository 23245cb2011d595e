// "Every 2xx is committed": after a conversions run, what the clients were told is compared with what the
// owner can read back (the stats counter and the export).
import { runDomain } from "./workloads.js";

const SETTLE_POLLS = 50;
const SETTLE_INTERVAL_MS = 100;

/**
 * @param {ReturnType<import("./admin-api.js").adminApi>} api
 * @param {{ id: string }} campaign
 * @param {string} tag the run's tag (its emails share a domain)
 * @param {number} countBefore the stats `conversions` before the run
 * @param {{ sent: Set<string>, ok: Set<string>, failed: Set<string>, created: number, repeated: number }} ledger
 */
export async function checkCommitted(api, campaign, tag, countBefore, ledger) {
  const countAfter = (await settledStats(api, campaign.id)).conversions;
  const domain = `@${runDomain(tag)}`;
  const rows = (await api.exportConversions(campaign.id)).filter((r) => r.email?.endsWith(domain));
  const committed = new Set(rows.map((r) => r.email));

  const missing = [...ledger.ok].filter((email) => !committed.has(email));
  const unknown = [...committed].filter((email) => !ledger.sent.has(email));
  // Requests that never got an answer (a timeout, or a run stopped at its deadline) may or may not have landed.
  const unanswered = [...ledger.sent].filter((email) => !ledger.ok.has(email) && !ledger.failed.has(email));
  const committedUnanswered = unanswered.filter((email) => committed.has(email)).length;
  const committedAfterError = [...ledger.failed].filter((email) => committed.has(email)).length;
  const counted = countAfter - countBefore;

  // A failed request that landed anyway is reported but not fatal: the pixel's retry is answered as a repeat.
  const ok = missing.length === 0 && unknown.length === 0 && counted === committed.size;
  return {
    ok,
    acknowledged: ledger.ok.size,
    created: ledger.created,
    repeated: ledger.repeated,
    committed: committed.size,
    countedInStats: counted,
    referred: rows.filter((r) => r.referrer_code !== null).length,
    missing: missing.length,
    missingSample: missing.slice(0, 5),
    unknown: unknown.length,
    unanswered: unanswered.length,
    committedUnanswered,
    committedAfterError,
  };
}

/**
 * After a visits run: the stats must count every visit answered 2xx, and at most the unanswered ones besides.
 * @param {{ ok: number, errors: number }} result
 */
export async function checkVisitsCounted(api, campaign, countBefore, result) {
  const counted = (await settledStats(api, campaign.id)).visits - countBefore;
  return {
    ok: counted >= result.ok && counted <= result.ok + result.errors,
    acknowledged: result.ok,
    created: result.statusCodes["201"] ?? 0,
    repeated: result.statusCodes["200"] ?? 0,
    committed: counted,
    countedInStats: counted,
    missing: Math.max(0, result.ok - counted),
    committedUnanswered: Math.max(0, counted - result.ok),
  };
}

/** The campaign's stats once in-flight work has drained (two equal reads in a row). */
export async function settledStats(api, campaignId) {
  let last = await api.stats(campaignId);
  for (let i = 0; i < SETTLE_POLLS; i++) {
    await new Promise((r) => setTimeout(r, SETTLE_INTERVAL_MS));
    const now = await api.stats(campaignId);
    if (now.conversions === last.conversions && now.visits === last.visits) return now;
    last = now;
  }
  return last;
}
