// On SQLite, the server's own connection (the admin API, the webhook and mail workers) waits for a write lock
// another connection holds, as `vouch import` in another process holds it, without stopping the event loop:
// the rest of the server goes on answering meanwhile. The pixel's ingest connection: ingest-durability.test.ts.
import { describe, expect, it } from "vitest";
import { startTestServer } from "./support/test-server.js";
import { holdWriteLock } from "./support/write-lock.js";

describe("the server's SQLite connection and a lock held elsewhere", () => {
  /** A server with its background workers running, a campaign, and the write lock taken by another connection. */
  async function lockedServer() {
    const t = await startTestServer({ name: "sqlite" });
    const campaign = (
      await t.api("POST", "/api/v1/campaigns", {
        name: "Locked",
        url: "https://site.example",
        events: ["download"],
      })
    ).body;
    const release = holdWriteLock(t.server.database.location);
    const join = (email: string) => t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, { email });
    const emails = async () =>
      (
        (await t.api("GET", `/api/v1/campaigns/${campaign.id}/subscribers`)).body.data as Array<{
          email: string;
        }>
      ).map((s) => s.email);
    return { t, release, join, emails };
  }

  it("an admin write waits with the event loop free, then is committed and answered", async () => {
    const { t, release, join, emails } = await lockedServer();
    try {
      let answered = false;
      const pending = join("waiting@x.io").then((res) => {
        answered = true;
        return res;
      });
      // Longer than the workers' poll (1 s): their claims, on the same connection, wait without blocking too.
      const until = Date.now() + 1_500;
      let healthAnswers = 0;
      while (Date.now() < until) {
        expect((await fetch(`${t.url}/health`)).status).toBe(200);
        healthAnswers++;
        // Reads go on too: the write lock does not stop them.
        expect(await emails()).toEqual([]);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(answered).toBe(false);
      expect(healthAnswers).toBeGreaterThan(5);

      release();
      const res = await pending;
      expect(res.status).toBe(201);
      expect(await emails()).toEqual(["waiting@x.io"]);
    } finally {
      await t.close();
    }
  });

  it("gives an admin write up after 5 s with 503 unavailable, and writes nothing", async () => {
    const { t, release, join, emails } = await lockedServer();
    try {
      const res = await join("late@x.io");
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("unavailable");
      expect(res.body.error.message).toMatch(/database is busy/);

      release();
      expect(await emails()).toEqual([]);
      expect((await join("late@x.io")).status).toBe(201);
    } finally {
      await t.close();
    }
  }, 15_000);
});
