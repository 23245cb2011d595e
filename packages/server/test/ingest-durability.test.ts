// A 2xx from the pixel means committed: every conversion answered before a SIGKILL is there after the restart.
// And on SQLite, the ingest connection waits for a lock another connection holds without stalling the server.
import type { ChildProcess } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { dialects, pixelPost, startTestServer } from "./support/test-server.js";
import { adminApi, kill9, processDatabase, startVouchProcess } from "./support/vouch-process.js";
import { holdWriteLock } from "./support/write-lock.js";

const KEY = "ingest_durability_key_0123456789";

const api = adminApi(KEY);

describe.each(dialects)("pixel conversions through a crash on $name", (dialect) => {
  const database = processDatabase(dialect, "vouch-ingest-");
  let vouch: ChildProcess | undefined;

  afterAll(async () => {
    if (vouch) await kill9(vouch);
    await database.drop();
  });

  it("keeps every conversion answered 2xx before a SIGKILL in the middle of a stream of them", async () => {
    const databaseUrl = await database.create();
    const first = await startVouchProcess(databaseUrl, { VOUCH_ADMIN_KEY: KEY });
    vouch = first.child;
    const campaign = (
      await api(first.url, "POST", "/api/v1/campaigns", {
        name: "Crash",
        url: "https://site.example",
        events: ["purchase"],
      })
    ).body;
    const mark = (
      await api(first.url, "POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "mark@example.com",
      })
    ).body;

    // Sixteen browsers converting one after another, each friend of Mark's, until the server dies under them.
    const acknowledged: string[] = [];
    let n = 0;
    let killed = false;
    const browser = async () => {
      while (!killed) {
        const email = `friend${n++}@example.com`;
        try {
          const res = await pixelPost(first.url, "track", {
            k: campaign.public_key,
            event: "purchase",
            refs: [{ code: mark.code, ts: Date.now() }],
            data: { email, amount: 10, currency: "USD" },
          });
          if (res.status === 201) acknowledged.push(email);
        } catch {
          return; // the connection died with the server
        }
      }
    };
    const browsers = Array.from({ length: 16 }, browser);
    while (acknowledged.length < 300) await new Promise((r) => setTimeout(r, 5));
    killed = true;
    await kill9(first.child);
    await Promise.all(browsers);

    const second = await startVouchProcess(databaseUrl, { VOUCH_ADMIN_KEY: KEY });
    vouch = second.child;
    const stored = new Set(
      (await api(second.url, "GET", `/api/v1/campaigns/${campaign.id}/conversions`)).body.data.map(
        (c: { email: string }) => c.email,
      ),
    );
    expect(acknowledged.filter((email) => !stored.has(email))).toEqual([]);
    // Mark's count is written in the same transaction as the conversions it counts.
    const after = (await api(second.url, "GET", `/api/v1/subscribers/${mark.id}`)).body;
    expect(after.people_referred).toBe(stored.size);
  }, 60_000);
});

describe("the SQLite ingest connection and a lock held elsewhere", () => {
  /**
   * A server with a campaign, an ambassador and one visit (so the campaign is cached), and SQLite's write lock
   * held by another connection to its file, as `vouch import` in another process holds it. (The background
   * workers are off: their own writes would wait for the lock too, which is not what is tested here.)
   */
  async function lockedServer() {
    const t = await startTestServer({ name: "sqlite" }, { webhookWorker: false });
    const campaign = (
      await t.api("POST", "/api/v1/campaigns", {
        name: "Locked",
        url: "https://site.example",
        events: ["download"],
      })
    ).body;
    const mark = (await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, { email: "m@x.io" }))
      .body;
    const visit = (vid = "visitor_locked_1") =>
      pixelPost(t.url, "visit", {
        k: campaign.public_key,
        vid,
        code: mark.code,
        url: `https://site.example/?mwr=${mark.code}`,
      });
    expect((await visit("visitor_before_lock")).status).toBe(201);
    const held = { release: holdWriteLock(t.server.database.location) };
    const visitsCounted = async () =>
      (await t.api("GET", `/api/v1/campaigns/${campaign.id}/stats`)).body.visits as number;
    return { t, held, visit, visitsCounted };
  }

  it("waits for the lock with the event loop free, then commits and answers", async () => {
    const { t, held, visit, visitsCounted } = await lockedServer();
    try {
      let answered = false;
      const pending = visit().then((res) => {
        answered = true;
        return res;
      });
      await new Promise((r) => setTimeout(r, 150));
      expect(answered).toBe(false);
      // The server still answers other requests meanwhile: nothing blocks its event loop.
      expect((await fetch(`${t.url}/health`)).status).toBe(200);

      held.release();
      const res = await pending;
      expect(res.status).toBe(201);
      expect(await visitsCounted()).toBe(2);
    } finally {
      await t.close();
    }
  });

  it("gives up after 5 s with 503 unavailable and writes nothing", async () => {
    const { t, held, visit, visitsCounted } = await lockedServer();
    try {
      const res = await visit();
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("unavailable");
      expect(res.body.error.message).toMatch(/database is busy/);

      held.release();
      expect(await visitsCounted()).toBe(1);
    } finally {
      await t.close();
    }
  }, 15_000);

  it("answers requests queued behind the lock 503 about 5 s after they came, not 5 s per batch in turn", async () => {
    const { t, held, visit, visitsCounted } = await lockedServer();
    try {
      // Sent together; they form one batch or several. Each batch waiting 5 s of its own, one after another
      // (or each request retried alone after its batch gave up), would take 10 s or more.
      const started = Date.now();
      const answers = await Promise.all(
        ["visitor_a_123", "visitor_b_123", "visitor_c_123", "visitor_d_123"].map(visit),
      );
      expect(answers.map((r) => r.status)).toEqual([503, 503, 503, 503]);
      expect(Date.now() - started).toBeLessThan(8_000);

      held.release();
      expect(await visitsCounted()).toBe(1);
    } finally {
      await t.close();
    }
  }, 30_000);
});
