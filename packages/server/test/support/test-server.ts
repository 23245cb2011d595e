import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Config, type RunningServer, startServer } from "../../src/index.js";

export interface TestDialect {
  name: "sqlite" | "postgres";
}

/** SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export const dialects: TestDialect[] = [
  { name: "sqlite" },
  ...(process.env.TEST_DATABASE_URL ? [{ name: "postgres" as const }] : []),
];

export const ADMIN_KEY = "test_admin_key_0123456789abcdef";

export interface TestServer {
  url: string;
  server: RunningServer;
  api: <T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<{ status: number; body: T; headers: Headers }>;
  close: () => Promise<void>;
}

export async function startTestServer(
  dialect: TestDialect,
  options: {
    clock?: () => number;
    publicUrl?: string;
    databaseUrl?: string;
    schema?: string;
    port?: number;
    /** VOUCH_TRUST_PROXY, parsed: the proxies whose X-Forwarded-For names the client. */
    trustProxy?: Config["trustProxy"];
    /** false: no background loops; the test drives webhooks/mail with runOnce(). */
    webhookWorker?: boolean;
    random?: () => number;
    /** Where the development mailer prints emails (the test reads the links from them). */
    printMail?: (text: string) => void;
    smtpUrl?: string;
    mailFrom?: string;
  } = {},
): Promise<TestServer> {
  let cleanup = () => {};
  let databaseUrl = options.databaseUrl;
  let schema = options.schema;
  if (!databaseUrl) {
    if (dialect.name === "sqlite") {
      const dir = mkdtempSync(join(tmpdir(), "vouch-test-"));
      databaseUrl = `sqlite:${join(dir, "vouch.db")}`;
      cleanup = () => rmSync(dir, { recursive: true, force: true });
    } else {
      databaseUrl = process.env.TEST_DATABASE_URL as string;
      schema ??= `t_${randomBytes(6).toString("hex")}`;
    }
  }
  const config: Config = {
    port: options.port ?? 0,
    host: "127.0.0.1",
    databaseUrl,
    adminKey: ADMIN_KEY,
    publicUrl: options.publicUrl ?? "http://vouch.test",
    ingestBatchMax: 256,
    webhookAllowPrivate: true,
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
    ...(options.smtpUrl ? { smtpUrl: options.smtpUrl } : {}),
    ...(options.mailFrom ? { mailFrom: options.mailFrom } : {}),
  };
  const server = await startServer(config, {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(schema ? { schema } : {}),
    ...(options.webhookWorker !== undefined ? { webhookWorker: options.webhookWorker } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.printMail ? { printMail: options.printMail } : {}),
  });
  const api: TestServer["api"] = async (method, path, body, headers = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_KEY}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed as any, headers: res.headers };
  };
  return {
    url: server.url,
    server,
    api,
    close: async () => {
      await server.close();
      if (dialect.name === "postgres" && schema && !options.schema) await dropSchema(schema);
      cleanup();
    },
  };
}

async function dropSchema(schema: string): Promise<void> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
}

/** Posts like the pixel does: a text/plain JSON body, no credentials. */
export async function pixelPost(url: string, path: "visit" | "track", body: unknown) {
  const res = await fetch(`${url}/api/v1/collect/${path}`, {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed, headers: res.headers };
}
