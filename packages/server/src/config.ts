import { parseDatabaseUrl } from "@vouch/db";
import { z } from "zod";
import { parseTrustProxy, type TrustProxy } from "./http/trust-proxy.js";

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  adminKey: string | undefined;
  publicUrl: string;
  /** Group commit: the most requests that share one transaction. */
  ingestBatchMax: number;
  /** Let webhooks reach loopback and private addresses (receivers on the self-hoster's own network). */
  webhookAllowPrivate: boolean;
  /** The reverse proxies whose X-Forwarded-For names the visitor (rate limits key on it); unset: none. */
  trustProxy?: TrustProxy | undefined;
  /** smtp(s)://user:pass@host:port: double opt-in emails go out through it; unset, they are logged instead. */
  smtpUrl?: string | undefined;
  /** The From of Vouch's emails; unset: "Vouch <no-reply@" + the public URL's host + ">". */
  mailFrom?: string | undefined;
}

export class ConfigError extends Error {}

const env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z.string().min(1).default("sqlite:./data/vouch.db"),
  VOUCH_ADMIN_KEY: z
    .string()
    .min(24, "must be at least 24 characters")
    .max(200)
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
    .optional(),
  VOUCH_PUBLIC_URL: z
    .string()
    .url("must be a URL such as https://vouch.example.com")
    .refine((v) => /^https?:\/\//.test(v), "must start with http:// or https://")
    .optional(),
  VOUCH_INGEST_BATCH_MAX: z.coerce.number().int().min(1).max(10_000).default(256),
  VOUCH_WEBHOOK_ALLOW_PRIVATE: z.enum(["0", "1", "true", "false"], "must be 1 or 0").default("0"),
  VOUCH_TRUST_PROXY: z
    .string()
    .max(2000, "must be at most 2000 characters")
    .refine(
      (v) => parseTrustProxy(v) !== undefined,
      "must be 0, 1 (one proxy in front), a number of proxies up to 10, or a comma-separated list of proxy addresses and CIDR ranges such as 10.0.0.0/8,127.0.0.1",
    )
    .default("0"),
  SMTP_URL: z
    .string()
    .max(2048, "must be at most 2048 characters")
    .refine(
      (v) => URL.canParse(v) && /^smtps?:\/\/[^/?#]+/.test(v),
      "must be a URL such as smtp://user:pass@smtp.example.com:587 or smtps://…:465",
    )
    .optional(),
  VOUCH_MAIL_FROM: z
    .string()
    .max(320, "must be at most 320 characters")
    .regex(
      /^(?:[^<>\r\n@]{1,100} <[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/,
      'must be an address like referrals@example.com or "Acme Referrals <referrals@example.com>"',
    )
    .optional(),
});

/** Reads the environment; a bad value throws a ConfigError whose message is the one line to print. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = env.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? "environment");
    throw new ConfigError(
      `${name} ${issue?.message ?? "is invalid"} (got "${redact(name, String(cleaned[name])).slice(0, 60)}")`,
    );
  }
  const e = parsed.data;
  try {
    parseDatabaseUrl(e.DATABASE_URL);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    adminKey: e.VOUCH_ADMIN_KEY,
    publicUrl: (e.VOUCH_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    ingestBatchMax: e.VOUCH_INGEST_BATCH_MAX,
    webhookAllowPrivate: e.VOUCH_WEBHOOK_ALLOW_PRIVATE === "1" || e.VOUCH_WEBHOOK_ALLOW_PRIVATE === "true",
    trustProxy: parseTrustProxy(e.VOUCH_TRUST_PROXY) ?? false,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.VOUCH_MAIL_FROM,
  };
}

/** A bad value as the error line shows it: on one line, and a bad SMTP_URL without its password. */
function redact(name: string, value: string): string {
  const shown = name === "SMTP_URL" ? value.replace(/\/\/[^@/]*@/, "//***@") : value;
  return shown.replace(/[\r\n]+/g, " ");
}
