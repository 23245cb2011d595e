// Vouch as the import benchmark meets it: `vouch serve` and `vouch import` run from the built command in child
// processes, exactly as an owner runs them, on a fresh SQLite file or a fresh PostgreSQL database.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase } from "@vouch/db";
import pg from "pg";

const BIN = fileURLToPath(new URL("../../packages/server/bin/vouch.js", import.meta.url));
export const ADMIN_KEY = `bench_import_${randomBytes(12).toString("hex")}`;

/** A database nobody has used: a SQLite file in a temporary folder, or a new PostgreSQL database. */
export async function freshDatabase(pgUrl) {
  if (!pgUrl) {
    const dir = mkdtempSync(join(tmpdir(), "vouch-bench-import-"));
    return {
      dialect: "sqlite",
      url: `sqlite:${join(dir, "vouch.db")}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `vouch_bench_import_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  await adminQuery(pgUrl, `create database ${name}`);
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  return {
    dialect: "postgres",
    url: url.toString(),
    drop: () => dropWhenIdle(pgUrl, name),
  };
}

/** Drops the database once the connections of this run (closing as the pool ends) are gone. */
async function dropWhenIdle(url, name) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await adminQuery(url, `drop database if exists ${name}`);
    } catch (err) {
      // 55006: other sessions are still using it.
      if (err.code !== "55006" || attempt === 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function adminQuery(url, text) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function env(databaseUrl) {
  const { VOUCH_LOG: _log, NODE_OPTIONS: _options, ...rest } = process.env;
  return {
    ...rest,
    DATABASE_URL: databaseUrl,
    VOUCH_ADMIN_KEY: ADMIN_KEY,
    HOST: "127.0.0.1",
    PORT: "0",
    // The endpoint below is on this machine (and disabled): allowed only with this.
    VOUCH_WEBHOOK_ALLOW_PRIVATE: "1",
  };
}

/** `vouch serve` in a child process; resolves once it prints the URL it listens on. */
export function serve(databaseUrl) {
  const child = spawn(process.execPath, [BIN, "serve"], {
    env: env(databaseUrl),
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const url = /listening on (\S+)/.exec(out)?.[1];
      if (url) {
        child.stdout.removeAllListeners("data");
        child.stdout.resume();
        resolve({ url, stop: () => stop(child) });
      }
    });
    child.once("exit", (code) => reject(new Error(`vouch serve exited ${code}: ${out}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** `vouch import` in a child process: its exit status, output and wall time (process start included). */
export function runImportCommand(databaseUrl, args) {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, "import", ...args], { env: env(databaseUrl) });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => {
    stdout += c;
  });
  child.stderr.on("data", (c) => {
    stderr += c;
  });
  return new Promise((resolve) =>
    child.once("close", (status) => resolve({ status, stdout, stderr, ms: performance.now() - started })),
  );
}

export async function api(url, method, path, body, contentType = "application/json") {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_KEY}`,
      ...(body !== undefined ? { "content-type": contentType } : {}),
    },
    ...(body !== undefined
      ? { body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body) }
      : {}),
  });
  const text = await res.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

/**
 * A campaign with `ambassadors` ambassadors (the referrers the file names by code) and, unless `webhook` is
 * false, a new_registration endpoint — disabled, so every import still writes its outbox rows but nothing is
 * delivered during the measurement.
 */
export async function seedCampaign(url, { ambassadors, webhook }) {
  const campaign = await api(url, "POST", "/api/v1/campaigns", {
    name: "Import bench",
    url: "https://www.example.com",
    events: ["signup"],
  });
  if (campaign.status !== 201)
    throw new Error(`campaign: ${campaign.status} ${JSON.stringify(campaign.body)}`);
  const codes = [];
  for (let i = 0; i < ambassadors; i++) {
    const s = await api(url, "POST", `/api/v1/campaigns/${campaign.body.id}/subscribers`, {
      email: `seed${i}@example.org`,
      name: `Seed ${i}`,
    });
    codes.push(s.body.code);
  }
  if (webhook) {
    const hook = await api(url, "POST", `/api/v1/campaigns/${campaign.body.id}/webhooks`, {
      url: "http://127.0.0.1:9/vouch",
      events: ["new_registration"],
      enabled: false,
    });
    if (hook.status !== 201) throw new Error(`webhook: ${hook.status} ${JSON.stringify(hook.body)}`);
  }
  return { campaignId: campaign.body.id, codes };
}

/** What the database holds after an import: the campaign's ambassadors, referred ones, outbox rows, referrals. */
export async function databaseCounts(databaseUrl, campaignId) {
  const database = await openDatabase(databaseUrl);
  try {
    const { db } = database;
    const subscribers = await db
      .selectFrom("subscribers")
      .select((eb) => [
        eb.fn.countAll().as("all"),
        eb.fn.count("referred_by").as("referred"),
        eb.fn.sum("people_referred").as("people_referred"),
        eb.fn.count("code").distinct().as("codes"),
      ])
      .where("campaign_id", "=", campaignId)
      .executeTakeFirstOrThrow();
    const messages = await db
      .selectFrom("webhook_messages")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("event_type", "=", "new_registration")
      .executeTakeFirstOrThrow();
    return {
      subscribers: Number(subscribers.all),
      referred: Number(subscribers.referred),
      peopleReferred: Number(subscribers.people_referred ?? 0),
      distinctCodes: Number(subscribers.codes),
      registrationMessages: Number(messages.n),
    };
  } finally {
    await database.close();
  }
}
