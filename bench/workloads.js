// What the pixel sends, one distinct request after another: the bodies both targets receive.
import { newVisitorId, shopperEmail } from "./keys.js";

/** Landings through referral links: a new visitor each time, the ambassadors' codes in turn. */
export const visits = {
  name: "visits",
  path: "/api/v1/collect/visit",
  /** @param {{ publicKey: string, codes: string[], tag: string }} ctx @param {number} n */
  body(ctx, n) {
    const code = ctx.codes[n % ctx.codes.length];
    return {
      body: JSON.stringify({
        k: ctx.publicKey,
        vid: newVisitorId(),
        code,
        url: `https://site.example/?mwr=${code}`,
        referrer: "",
      }),
    };
  },
};

/**
 * Purchases: every one a new email (so a real insert, never a repeat), every other one carrying the referral
 * the visitor's browser remembered.
 */
export const conversions = {
  name: "conversions",
  path: "/api/v1/collect/track",
  /** @param {{ publicKey: string, codes: string[], tag: string }} ctx @param {number} n */
  body(ctx, n) {
    const email = shopperEmail(n, runDomain(ctx.tag));
    const code = ctx.codes[n % ctx.codes.length];
    return {
      email,
      body: JSON.stringify({
        k: ctx.publicKey,
        vid: newVisitorId(),
        event: "download",
        data: {
          email,
          first_name: "Bench",
          last_name: `Buyer ${n}`,
          currency: "USD",
          amount: 15.7,
          transaction_id: `${ctx.tag}-${n}`,
        },
        refs: n % 2 === 0 ? [{ code, ts: Date.now() }] : [],
      }),
    };
  },
};

/** The emails of one run share a domain, so the run's rows can be picked out of the export. */
export function runDomain(tag) {
  return `${tag}.bench.example`;
}
