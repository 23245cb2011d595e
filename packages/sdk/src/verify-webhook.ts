// Webhook verification for receivers. Self-contained (node:crypto only): this package is published on its own.
import { createHmac, timingSafeEqual } from "node:crypto";

export type WebhookVerificationReason =
  | "missing_headers"
  | "timestamp_too_old"
  | "timestamp_too_new"
  | "bad_signature"
  | "invalid_payload";

export class WebhookVerificationError extends Error {
  constructor(
    readonly reason: WebhookVerificationReason,
    message: string,
  ) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

export type IncomingHeaders = Record<string, string | string[] | undefined> | Headers;

export interface VerifyOptions {
  /** How far the `webhook-timestamp` may be from now, in seconds, either way. Default 300. */
  toleranceSeconds?: number;
  /** The current time in unix seconds. Default: the system clock. */
  now?: number;
}

/**
 * Verifies a Vouch webhook (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`) and returns
 * its parsed JSON payload. Pass the raw body exactly as received: re-serialised JSON will not verify.
 * Throws WebhookVerificationError, whose `reason` says what was wrong.
 */
export function verifyWebhook(
  secret: string,
  headers: IncomingHeaders,
  body: string | Buffer,
  opts: VerifyOptions = {},
): unknown {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError(
      "missing_headers",
      "Missing webhook-id, webhook-timestamp or webhook-signature",
    );
  }
  if (!/^\d{1,15}$/.test(timestamp)) {
    throw new WebhookVerificationError("missing_headers", "webhook-timestamp is not a unix time in seconds");
  }

  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const tolerance = opts.toleranceSeconds ?? 300;
  const sentAt = Number(timestamp);
  if (sentAt < now - tolerance) {
    throw new WebhookVerificationError("timestamp_too_old", "Webhook timestamp is too old (possible replay)");
  }
  if (sentAt > now + tolerance) {
    throw new WebhookVerificationError("timestamp_too_new", "Webhook timestamp is in the future");
  }

  const raw = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const expected = createHmac("sha256", secretKey(secret)).update(`${id}.${timestamp}.`).update(raw).digest();
  if (!signatures.split(" ").some((candidate) => matches(candidate, expected))) {
    throw new WebhookVerificationError("bad_signature", "No webhook signature matches this secret");
  }

  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw new WebhookVerificationError("invalid_payload", "Webhook body is not JSON");
  }
}

function matches(candidate: string, expected: Buffer): boolean {
  const [version, encoded] = candidate.split(",", 2);
  if (version !== "v1" || !encoded) return false;
  const given = Buffer.from(encoded, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function secretKey(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith("whsec_") ? secret.slice(6) : secret, "base64");
  if (key.length === 0) throw new TypeError("The webhook secret is empty; copy it from the Vouch dashboard");
  return key;
}

function header(headers: IncomingHeaders, name: string): string | undefined {
  if (typeof Headers !== "undefined" && headers instanceof Headers) return headers.get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(" ") : value;
  }
  return undefined;
}
