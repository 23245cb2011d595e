// Nothing committed is lost: conversions acknowledged while the receiver is down are delivered after the
// server is killed with SIGKILL and started again.
import type { ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { dialects } from "./support/test-server.js";
import { adminApi, kill9, processDatabase, startVouchProcess } from "./support/vouch-process.js";

const KEY = "durability_admin_key_0123456789";
const startVouch = (databaseUrl: string) =>
  startVouchProcess(databaseUrl, { VOUCH_ADMIN_KEY: KEY, VOUCH_WEBHOOK_ALLOW_PRIVATE: "1" });

const api = adminApi(KEY);

describe.each(dialects)("outbox durability on $name", (dialect) => {
  const database = processDatabase(dialect, "vouch-outbox-");
  let receiver: Server | undefined;
  let vouch: ChildProcess | undefined;

  afterAll(async () => {
    if (vouch) await kill9(vouch);
    receiver?.close();
    await database.drop();
  });

  it("delivers after SIGKILL and restart what was acknowledged while the receiver was down", async () => {
    const databaseUrl = await database.create();

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
