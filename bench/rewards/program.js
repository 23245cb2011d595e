// The referral program under test, set up through the public admin API exactly as an owner would, and the
// conversions the pixel sends for it.

/** Mark: the ambassador whose friends every request of the benchmark adds to. */
export const MARK_EMAIL = "mark@ambassadors.bench.example";
export const TIER_THRESHOLD = 10_000;

/**
 * Three rules on "purchase", each with a different way of growing: granted once at 3 friends, granted again
 * every 3 friends (so Mark's progress and rewards grow for good), and a tier at 10,000 friends whose purchases
 * were at least 10 USD (a condition, checked on every counted conversion).
 */
export const RULES = [
  {
    key: "once",
    body: {
      name: "Free account",
      event: "purchase",
      referrals_required: 3,
      description: "A free account when 3 friends buy",
    },
  },
  {
    key: "every",
    body: {
      name: "Free month",
      event: "purchase",
      referrals_required: 3,
      repeat: "every",
      description: "A free month for every 3 friends who buy",
    },
  },
  {
    key: "tier",
    body: {
      name: "Gold tier",
      event: "purchase",
      referrals_required: TIER_THRESHOLD,
      description: "Gold status at 10,000 friends who bought for 10 USD or more",
      conditions: [{ field: "amount", op: ">=", value: 10, currency: "USD" }],
    },
  },
];

/** Whether a purchase of `amountMinor` USD cents counts toward the tier rule (the rule's own condition). */
export function countsForTier(amountMinor) {
  return amountMinor !== null && amountMinor >= 1000;
}

/**
 * The campaign, `ambassadors` ambassadors (Mark first) and the rules, through the admin API of the Vouch at
 * `baseUrl`. Returns what the traffic, the seed and the checks need.
 */
export async function setUpProgram(baseUrl, adminKey, ambassadors) {
  const call = adminCaller(baseUrl, adminKey);
  const campaign = await call("POST", "/api/v1/campaigns", {
    name: "Rewards benchmark",
    url: "https://shop.example/",
    events: ["signup", "purchase"],
  });
  const people = [];
  for (let i = 0; i < ambassadors; i++) {
    const sub = await call("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
      email: i === 0 ? MARK_EMAIL : `ambassador${i}@ambassadors.bench.example`,
      name: i === 0 ? "Mark" : `Ambassador ${i}`,
    });
    people.push({ id: sub.id, email: sub.email, code: sub.code });
  }
  const rules = {};
  for (const { key, body } of RULES) {
    const rule = await call("POST", `/api/v1/campaigns/${campaign.id}/reward-rules`, body);
    rules[key] = { id: rule.id, referralsRequired: rule.referrals_required, repeat: rule.repeat };
  }
  return {
    campaignId: campaign.id,
    publicKey: campaign.public_key,
    mark: people[0],
    ambassadors: people,
    rules,
  };
}

/**
 * The n-th purchase of a run, as the pixel posts it: a new email, referred by Mark through the cookie his link
 * set. Every 4th is a 5 USD purchase, which the tier rule's condition leaves out.
 */
export function purchaseBody(program, tag, n) {
  const email = `${tag}-${n}@friends.bench.example`;
  const amount = n % 4 === 3 ? 5 : 15.7;
  return {
    email,
    body: JSON.stringify({
      k: program.publicKey,
      vid: `${tag}-${n.toString(36).padStart(8, "0")}`,
      event: "purchase",
      data: {
        email,
        first_name: "Bench",
        last_name: `Friend ${n}`,
        currency: "USD",
        amount,
        transaction_id: `${tag}-${n}`,
      },
      refs: [{ code: program.mark.code, ts: Date.now() }],
    }),
  };
}

function adminCaller(baseUrl, adminKey) {
  return async function call(method, path, body) {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text);
  };
}
