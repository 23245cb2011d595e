// Standard Webhooks signing (https://www.standardwebhooks.com): HMAC-SHA256 over "<id>.<timestamp>.<body>",
// sent as "v1,<base64>" in `webhook-signature`. Receivers can then use any Standard Webhooks library.
import { createHmac, timingSafeEqual } from "node:crypto";

const SECRET_PREFIX = "whsec_";
const SECRET_BYTES = 24;

// A type alias rather than an interface, so it is assignable to Record<string, string> header maps.
export type WebhookHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

export type WebhookVerification =
  | { ok: true }
  | { ok: false; reason: "missing_headers" | "timestamp_too_old" | "timestamp_too_new" | "bad_signature" };

/** A fresh endpoint secret: "whsec_" + base64 of 24 random bytes (the spec allows 24 to 64). */
export function newWebhookSecret(random: (n: number) => Uint8Array): string {
  return SECRET_PREFIX + Buffer.from(random(SECRET_BYTES)).toString("base64");
}

/** "v1,<base64 HMAC-SHA256>" of `${id}.${timestamp}.${body}` under the key inside `secret`. */
export function signWebhook(input: { secret: string; id: string; timestamp: number; body: string }): string {
  return `v1,${hmac(input.secret, input.id, String(input.timestamp), input.body).toString("base64")}`;
}

/**
 * The three Standard Webhooks headers. During a secret rotation both the old and the new secret are active, and
 * each contributes one space-separated signature so receivers holding either one keep verifying.
 */
export function webhookHeaders(input: {
  secrets: readonly string[];
  id: string;
  timestamp: number;
  body: string;
}): WebhookHeaders {
  if (input.secrets.length === 0) throw new Error("webhookHeaders needs at least one active secret");
  const { id, timestamp, body } = input;
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": input.secrets
      .map((secret) => signWebhook({ secret, id, timestamp, body }))
      .join(" "),
  };
}

/**
 * Checks a delivery the way a receiver does: headers present, timestamp within `toleranceSeconds` of `now`
 * (unix seconds, both directions, which bounds replays), and at least one "v1," signature matching.
 * A timestamp that is not an integer counts as a missing header: there is nothing usable to check.
 */
export function verifyWebhookSignature(input: {
  secret: string;
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  body: string;
  now: number;
  toleranceSeconds?: number;
}): WebhookVerification {
  const tolerance = input.toleranceSeconds ?? 300;
  const id = header(input.headers, "webhook-id");
  const timestamp = header(input.headers, "webhook-timestamp");
  const signatures = header(input.headers, "webhook-signature");
  if (!id || !timestamp || !signatures || !/^\d{1,15}$/.test(timestamp)) {
    return { ok: false, reason: "missing_headers" };
  }
  const sentAt = Number(timestamp);
  if (sentAt < input.now - tolerance) return { ok: false, reason: "timestamp_too_old" };
  if (sentAt > input.now + tolerance) return { ok: false, reason: "timestamp_too_new" };

  const expected = hmac(input.secret, id, timestamp, input.body);
  for (const candidate of signatures.split(" ")) {
    const [version, encoded] = candidate.split(",", 2);
    if (version !== "v1" || !encoded) continue;
    const given = Buffer.from(encoded, "base64");
    // timingSafeEqual needs equal lengths; the length of a valid signature is public anyway (32 bytes).
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: "bad_signature" };
}

function hmac(secret: string, id: string, timestamp: string, body: string): Buffer {
  return createHmac("sha256", secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest();
}

// The key is the base64 part after the prefix; the spec asks libraries to accept a bare base64 secret as well.
function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, "base64");
  if (key.length === 0) throw new Error("Webhook secret is empty or not base64");
  return key;
}

// Node lowercases incoming header names, but callers may hand over their own objects; match case-insensitively.
function header(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  name: string,
): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    return typeof value === "string" ? value : value?.join(" ");
  }
  return undefined;
}
