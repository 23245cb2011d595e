import { describe, expect, it } from "vitest";
import { webhookHeaders } from "../../core/src/webhooks/signature.js";
import { verifyWebhook, WebhookVerificationError, type WebhookVerificationReason } from "./index.js";

// The Standard Webhooks specification's test vector.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
const HEADERS = { "webhook-id": ID, "webhook-timestamp": String(TIMESTAMP), "webhook-signature": SIGNATURE };
const FORGED = `v1,${Buffer.alloc(32, 1).toString("base64")}`;

function reasonOf(fn: () => unknown): WebhookVerificationReason | "no error" {
  try {
    fn();
    return "no error";
  } catch (err) {
    if (err instanceof WebhookVerificationError) return err.reason;
    throw err;
  }
}

describe("verifyWebhook", () => {
  it("accepts the specification's vector and returns the parsed payload", () => {
    expect(verifyWebhook(SECRET, HEADERS, BODY, { now: TIMESTAMP + 30 })).toEqual({ test: 2432232314 });
  });

  it.each<[string, Parameters<typeof verifyWebhook>[1], string | Buffer]>([
    ["a Buffer body", HEADERS, Buffer.from(BODY)],
    ["a fetch Headers object", new Headers(HEADERS), BODY],
    [
      "capitalised header names",
      { "Webhook-Id": ID, "Webhook-Timestamp": "1614265330", "Webhook-Signature": SIGNATURE },
      BODY,
    ],
    [
      "the right signature among several",
      { ...HEADERS, "webhook-signature": `${FORGED} v1,short ${SIGNATURE}` },
      BODY,
    ],
    ["signature headers as an array", { ...HEADERS, "webhook-signature": [FORGED, SIGNATURE] }, BODY],
  ])("accepts %s", (_name, headers, body) => {
    expect(verifyWebhook(SECRET, headers, body, { now: TIMESTAMP })).toEqual({ test: 2432232314 });
  });

  it.each<[string, Parameters<typeof verifyWebhook>[1], string, number, WebhookVerificationReason]>([
    ["a tampered body", HEADERS, '{"test": 2432232315}', TIMESTAMP, "bad_signature"],
    ["a tampered id", { ...HEADERS, "webhook-id": "msg_x" }, BODY, TIMESTAMP, "bad_signature"],
    [
      "a re-signed timestamp",
      { ...HEADERS, "webhook-timestamp": String(TIMESTAMP + 1) },
      BODY,
      TIMESTAMP,
      "bad_signature",
    ],
    [
      "only forged signatures",
      { ...HEADERS, "webhook-signature": `${FORGED} ${FORGED}` },
      BODY,
      TIMESTAMP,
      "bad_signature",
    ],
    [
      "a v2 label",
      { ...HEADERS, "webhook-signature": SIGNATURE.replace("v1", "v2") },
      BODY,
      TIMESTAMP,
      "bad_signature",
    ],
    ["a stale timestamp", HEADERS, BODY, TIMESTAMP + 301, "timestamp_too_old"],
    ["a future timestamp", HEADERS, BODY, TIMESTAMP - 301, "timestamp_too_new"],
    ["no headers", {}, BODY, TIMESTAMP, "missing_headers"],
    ["no signature", { ...HEADERS, "webhook-signature": undefined }, BODY, TIMESTAMP, "missing_headers"],
    [
      "a millisecond timestamp",
      { ...HEADERS, "webhook-timestamp": "1614265330000.5" },
      BODY,
      TIMESTAMP,
      "missing_headers",
    ],
  ])("rejects %s", (_name, headers, body, now, reason) => {
    expect(reasonOf(() => verifyWebhook(SECRET, headers, body, { now }))).toBe(reason);
  });

  it("accepts a stale timestamp within a wider tolerance", () => {
    expect(
      reasonOf(() => verifyWebhook(SECRET, HEADERS, BODY, { now: TIMESTAMP + 600, toleranceSeconds: 600 })),
    ).toBe("no error");
  });

  it("uses the system clock by default, so the 2021 vector is stale today", () => {
    expect(reasonOf(() => verifyWebhook(SECRET, HEADERS, BODY))).toBe("timestamp_too_old");
  });

  it("verifies what the Vouch server signs, including during secret rotation", () => {
    const now = 1_700_000_000;
    const body = JSON.stringify({
      type: "conversion.created",
      data: { amount: 4999, currency: "EUR", name: "Zoë" },
    });
    const other = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const headers = webhookHeaders({ secrets: [other, SECRET], id: "msg_1", timestamp: now, body });
    expect(verifyWebhook(SECRET, headers, Buffer.from(body), { now })).toEqual(JSON.parse(body));
    expect(verifyWebhook(other, headers, body, { now })).toEqual(JSON.parse(body));
  });

  it("reports a correctly signed body that is not JSON", () => {
    const headers = webhookHeaders({
      secrets: [SECRET],
      id: "msg_2",
      timestamp: TIMESTAMP,
      body: "not json",
    });
    expect(reasonOf(() => verifyWebhook(SECRET, headers, "not json", { now: TIMESTAMP }))).toBe(
      "invalid_payload",
    );
  });

  it("throws an Error with a readable message", () => {
    expect(() => verifyWebhook(SECRET, HEADERS, "{}", { now: TIMESTAMP })).toThrow(
      new WebhookVerificationError("bad_signature", "No webhook signature matches this secret"),
    );
  });
});
