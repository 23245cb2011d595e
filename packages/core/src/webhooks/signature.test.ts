import { describe, expect, it } from "vitest";
import { newWebhookSecret, signWebhook, verifyWebhookSignature, webhookHeaders } from "./signature.js";

// The test vector published with the Standard Webhooks specification.
const SPEC = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
const OTHER_SECRET = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

describe("signWebhook", () => {
  it("reproduces the specification's test vector", () => {
    expect(signWebhook(SPEC)).toBe(SPEC.signature);
  });

  it("accepts the secret without its whsec_ prefix", () => {
    expect(signWebhook({ ...SPEC, secret: SPEC.secret.slice("whsec_".length) })).toBe(SPEC.signature);
  });

  it.each([
    ["id", { id: "msg_other" }],
    ["timestamp", { timestamp: SPEC.timestamp + 1 }],
    ["body", { body: '{"test": 2432232315}' }],
    ["secret", { secret: OTHER_SECRET }],
  ])("changes when the %s changes", (_field, change) => {
    expect(signWebhook({ ...SPEC, ...change })).not.toBe(SPEC.signature);
  });
});

describe("webhookHeaders", () => {
  it("sends one signature per active secret, space-separated, old and new during rotation", () => {
    const headers = webhookHeaders({ ...SPEC, secrets: [SPEC.secret, OTHER_SECRET] });
    expect(headers).toEqual({
      "webhook-id": SPEC.id,
      "webhook-timestamp": "1614265330",
      "webhook-signature": `${SPEC.signature} ${signWebhook({ ...SPEC, secret: OTHER_SECRET })}`,
    });
  });

  it("refuses to sign with no secret at all", () => {
    expect(() => webhookHeaders({ ...SPEC, secrets: [] })).toThrow(/at least one/);
  });
});

describe("newWebhookSecret", () => {
  it("is whsec_ + base64 of 24 random bytes and signs verifiably", () => {
    const secret = newWebhookSecret((n) => new Uint8Array(n).fill(7));
    expect(secret).toBe(`whsec_${Buffer.alloc(24, 7).toString("base64")}`);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(24);
    const headers = webhookHeaders({ ...SPEC, secrets: [secret] });
    expect(verifyWebhookSignature({ secret, headers, body: SPEC.body, now: SPEC.timestamp })).toEqual({
      ok: true,
    });
  });
});

describe("verifyWebhookSignature", () => {
  const good = {
    "webhook-id": SPEC.id,
    "webhook-timestamp": String(SPEC.timestamp),
    "webhook-signature": SPEC.signature,
  };
  const forged = `v1,${Buffer.alloc(32).toString("base64")}`;
  const cases: Array<{
    name: string;
    headers: Record<string, string | string[] | undefined>;
    body?: string;
    now?: number;
    tolerance?: number;
    expected: ReturnType<typeof verifyWebhookSignature>;
  }> = [
    { name: "the spec vector", headers: good, expected: { ok: true } },
    {
      name: "header names in any case",
      headers: {
        "Webhook-Id": SPEC.id,
        "WEBHOOK-TIMESTAMP": "1614265330",
        "Webhook-Signature": SPEC.signature,
      },
      expected: { ok: true },
    },
    { name: "4:59 late", headers: good, now: SPEC.timestamp + 299, expected: { ok: true } },
    { name: "exactly at the tolerance", headers: good, now: SPEC.timestamp + 300, expected: { ok: true } },
    {
      name: "one second too old",
      headers: good,
      now: SPEC.timestamp + 301,
      expected: { ok: false, reason: "timestamp_too_old" },
    },
    {
      name: "from the future",
      headers: good,
      now: SPEC.timestamp - 301,
      expected: { ok: false, reason: "timestamp_too_new" },
    },
    {
      name: "a wider tolerance",
      headers: good,
      now: SPEC.timestamp + 900,
      tolerance: 1000,
      expected: { ok: true },
    },
    {
      name: "a tampered body",
      headers: good,
      body: '{"test": 2432232315}',
      expected: { ok: false, reason: "bad_signature" },
    },
    {
      name: "a tampered id",
      headers: { ...good, "webhook-id": "msg_other" },
      expected: { ok: false, reason: "bad_signature" },
    },
    {
      name: "a forged signature",
      headers: { ...good, "webhook-signature": forged },
      expected: { ok: false, reason: "bad_signature" },
    },
    {
      name: "the right signature among several",
      headers: { ...good, "webhook-signature": `${forged} v1a,xyz ${SPEC.signature}` },
      expected: { ok: true },
    },
    {
      name: "the right bytes under another version",
      headers: { ...good, "webhook-signature": SPEC.signature.replace("v1,", "v2,") },
      expected: { ok: false, reason: "bad_signature" },
    },
    {
      name: "a truncated signature",
      headers: { ...good, "webhook-signature": SPEC.signature.slice(0, 20) },
      expected: { ok: false, reason: "bad_signature" },
    },
    {
      name: "signatures as a header array",
      headers: { ...good, "webhook-signature": [forged, SPEC.signature] },
      expected: { ok: true },
    },
    {
      name: "no signature header",
      headers: { ...good, "webhook-signature": undefined },
      expected: { ok: false, reason: "missing_headers" },
    },
    {
      name: "no id header",
      headers: { "webhook-timestamp": "1614265330", "webhook-signature": SPEC.signature },
      expected: { ok: false, reason: "missing_headers" },
    },
    {
      name: "a non-numeric timestamp",
      headers: { ...good, "webhook-timestamp": "1614265330.5" },
      expected: { ok: false, reason: "missing_headers" },
    },
  ];

  it.each(cases)("$name", ({ headers, body, now, tolerance, expected }) => {
    const result = verifyWebhookSignature({
      secret: SPEC.secret,
      headers,
      body: body ?? SPEC.body,
      now: now ?? SPEC.timestamp + 10,
      toleranceSeconds: tolerance,
    });
    expect(result).toEqual(expected);
  });

  it("rejects a delivery signed with another secret", () => {
    const headers = webhookHeaders({ ...SPEC, secrets: [OTHER_SECRET] });
    expect(
      verifyWebhookSignature({ secret: SPEC.secret, headers, body: SPEC.body, now: SPEC.timestamp }),
    ).toEqual({ ok: false, reason: "bad_signature" });
  });
});
