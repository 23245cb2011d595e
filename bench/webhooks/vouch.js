// Vouch as the sender under test: started in this process through its composition root (the built
// @vouch/server), on a fresh SQLite file or a fresh PostgreSQL schema, with one campaign, its ambassadors and one
// webhook endpoint pointing at the receiver; and what the database says about the outbox.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@vouch/db";
import { startServer } from "@vouch/server";
import { conversionBody } from "./bodies.js";
import { post } from "./http-client.js";

const ADMIN_KEY = `bench_webhooks_${randomBytes(12).toString("hex")}`;

/** Where a fresh Vouch keeps its data, and how to remove it afterwards. */
export function freshDatabase(pgUrl, keep) {
  if (pgUrl) {
    const schema = `bench_wh_${Date.now().toString(36)}_${process.pid}_${randomBytes(2).toString("hex")}`;
    return {
      dialect: "postgres",
      url: pgUrl,
      schema,
      cleanup: keep ? async () => {} : () => dropSchema(pgUrl, schema),
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "vouch-bench-webhooks-"));
  return {
    dialect: "sqlite",
    url: `sqlite:${join(dir, "vouch.db")}`,
    cleanup: async () => {
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function dropSchema(url, schema) {
  const database = await openDatabase(url);
  try {
    await database.db.schema.dropSchema(schema).ifExists().cascade().execute();
  } finally {
    await database.close();
  }
}

/**
 * Starts Vouch on `database` and sets up a campaign with `ambassadors` ambassadors and one endpoint at
 * `receiverUrl` subscribed to event_conversion. `liveWorker: false` leaves the delivery loop stopped.
 */
export async function startVouch({ database, receiverUrl, ambassadors, liveWorker }) {
  const server = await startServer(
    {
      port: 0,
      host: "127.0.0.1",
      databaseUrl: database.url,
      adminKey: ADMIN_KEY,
      publicUrl: "http://vouch.bench",
      ingestBatchMax: 256,
      webhookAllowPrivate: true,
    },
    { webhookWorker: liveWorker, ...(database.schema ? { schema: database.schema } : {}) },
  );
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const api = async (path, body) => {
    const res = await post(agent, `${server.url}${path}`, JSON.stringify(body), {
      authorization: `Bearer ${ADMIN_KEY}`,
      "content-type": "application/json",
    });
    if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}: ${res.body.slice(0, 300)}`);
    return JSON.parse(res.body);
  };
  try {
    const campaign = await api("/api/v1/campaigns", {
      name: "Webhook bench",
      url: "https://app.example",
      events: ["download"],
    });
    const codes = [];
    for (let i = 0; i < ambassadors; i++) {
      const sub = await api(`/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: `ambassador-${i}@bench.example`,
        name: `Ambassador ${i}`,
      });
      codes.push(sub.code);
    }
    const webhook = await api(`/api/v1/campaigns/${campaign.id}/webhooks`, {
      url: receiverUrl,
      events: ["event_conversion"],
    });
    return {
      server,
      url: server.url,
      db: server.database.db,
      campaign,
      codes,
      webhook,
      /** The body the pixel would post for a purchase by `email`, referred by ambassador `i % ambassadors`. */
      conversion: (email, i) => conversionBody(campaign.public_key, codes, email, i),
      /** Posts one conversion as the pixel does; resolves with the status and when the answer was complete. */
      track: (body) =>
        post(agent, `${server.url}/api/v1/collect/track`, body, { "content-type": "text/plain" }),
      async close() {
        agent.destroy();
        await server.close();
      },
    };
  } catch (err) {
    agent.destroy();
    await server.close();
    throw err;
  }
}

/** What the database says about the outbox of `webhookId`: messages by status, and attempts recorded. */
export async function outboxState(db, webhookId) {
  const byStatus = await db
    .selectFrom("webhook_messages")
    .select(["status", (eb) => eb.fn.countAll().as("n")])
    .where("webhook_id", "=", webhookId)
    .groupBy("status")
    .execute();
  const attempts = await db
    .selectFrom("webhook_attempts")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("webhook_id", "=", webhookId)
    .executeTakeFirstOrThrow();
  return {
    ...Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)])),
    attempts: Number(attempts.n),
  };
}
