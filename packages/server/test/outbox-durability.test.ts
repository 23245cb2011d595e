// Nothing committed is lost: conversions acknowledged while the receiver is down are delivered after the
// server is killed with SIGKILL and started again.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { dialects } from "./support/test-server.js";

const BIN = fileURLToPath(new URL("../bin/vouch.js", import.meta.url));
const KEY = "durability_admin_key_0123456789";

function startVouch(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const { TEST_DATABASE_URL: _t, ...env } = process.env;
  const child = spawn(process.execPath, [BIN, "serve"], {
    env: {
      ...env,
      DATABASE_URL: databaseUrl,
      PORT: "0",
      HOST: "127.0.0.1",
      VOUCH_ADMIN_KEY: KEY,
      VOUCH_WEBHOOK_ALLOW_PRIVATE: "1",
    },
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const url = /listening on (\S+)/.exec(out)?.[1];
      if (url) resolve({ child, url });
    });
    child.on("exit", (code) => reject(new Error(`vouch exited ${code}: ${out}`)));
  });
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.on("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

async function api(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe.each(dialects)("outbox durability on $name", (dialect) => {
  const dir = mkdtempSync(join(tmpdir(), "vouch-outbox-"));
  const schema = `t_${randomBytes(6).toString("hex")}`;
  let receiver: Server | undefined;
  let vouch: ChildProcess | undefined;

  afterAll(async () => {
    if (vouch) await kill9(vouch);
    receiver?.close();
    rmSync(dir, { recursive: true, force: true });
    if (dialect.name === "postgres") {
      const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
  });

  it("delivers after SIGKILL and restart what was acknowledged while the receiver was down", async () => {
    let databaseUrl = `sqlite:${join(dir, "vouch.db")}`;
    if (dialect.name === "postgres") {
      const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await client.connect();
      await client.query(`create schema ${schema}`);
      await client.end();
      const u = new URL(process.env.TEST_DATABASE_URL as string);
      u.searchParams.set("options", `-c search_path=${schema}`);
      databaseUrl = u.toString();
    }

    // A port for the receiver, left closed for now: the receiver is down.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));

    const first = await startVouch(databaseUrl);
    vouch = first.child;
    const campaign = (
      await api(first.url, "POST", "/api/v1/campaigns", {
        name: "Crash",
        url: "https://site.example",
        events: ["download"],
      })
    ).body;
    await api(first.url, "POST", `/api/v1/campaigns/${campaign.id}/webhooks`, {
      url: `http://127.0.0.1:${port}/hook`,
      events: ["event_conversion"],
    });
    const mark = (
      await api(first.url, "POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "mark@example.com",
        name: "Mark",
      })
    ).body;
    const acknowledged: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await api(first.url, "POST", `/api/v1/campaigns/${campaign.id}/conversions`, {
        event: "download",
        email: `friend${i}@example.com`,
        referral_code: mark.code,
      });
      expect(res.status).toBe(201);
      acknowledged.push(res.body.id);
    }
    // Let every message have its failed first attempt recorded (none is mid-delivery under a lease), then crash.
    const webhooks = (await api(first.url, "GET", `/api/v1/campaigns/${campaign.id}/webhooks`)).body.data;
    for (let waited = 0; waited < 10_000; waited += 100) {
      const log = (await api(first.url, "GET", `/api/v1/webhooks/${webhooks[0].id}/deliveries?limit=200`))
        .body.data;
      if (new Set(log.map((a: any) => a.message_id)).size >= acknowledged.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await kill9(first.child);

    const received = new Map<string, string>();
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        received.set(String(req.headers["webhook-id"]), JSON.parse(body).event_data.id);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver?.listen(port, "127.0.0.1", r));

    const second = await startVouch(databaseUrl);
    vouch = second.child;
    const deadline = Date.now() + 20_000;
    while (new Set(received.values()).size < acknowledged.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect([...new Set(received.values())].sort()).toEqual([...acknowledged].sort());
    expect(received.size).toBe(acknowledged.length);
  }, 40_000);
});
