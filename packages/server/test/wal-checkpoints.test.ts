// SQLite's write-ahead log is checkpointed by a thread of the server's: it stays bounded under steady writes
// that never pause, and a clean stop folds it into the database file.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateToLatest, openDatabase, tuneSqlite, WalSync } from "@vouch/db";
import SQLite from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WalCheckpointer } from "../src/workers/wal-checkpointer.js";
import { pixelPost, startTestServer } from "./support/test-server.js";

describe("the SQLite write-ahead log", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "vouch-wal-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("stays bounded while a writer commits without pause, and would not without the checkpoint thread", async () => {
    const file = join(dir, "vouch.db");
    const database = await openDatabase(`sqlite:${file}`);
    await migrateToLatest(database);
    await database.close();
    // A writer like the ingest connection: commits that are not synced, and no checkpoints of its own.
    const writer = new SQLite(file);
    tuneSqlite(writer);
    writer.pragma("synchronous = NORMAL");
    writer.pragma("wal_autocheckpoint = 0");
    writer.pragma("busy_timeout = 0");
    writer.exec("create table scratch (body blob)");
    const insert = writer.prepare("insert into scratch values (?)");
    const page = Buffer.alloc(4000, 7);
    const walSize = () => statSync(`${file}-wal`).size;

    const wal = new WalSync(`${file}-wal`);

    // Commits one after another, each made durable by a sync of the log before the next, as the ingest does.
    const writeSteadily = async (megabytes: number) => {
      let peak = 0;
      for (let i = 0; i < megabytes * 16; i++) {
        for (;;) {
          try {
            writer
              .transaction(() => {
                for (let r = 0; r < 16; r++) insert.run(page);
              })
              .immediate();
            break;
          } catch (err) {
            if ((err as { code?: string }).code !== "SQLITE_BUSY") throw err;
            await new Promise((r) => setTimeout(r, 1));
          }
        }
        await wal.afterCommit();
        peak = Math.max(peak, walSize());
      }
      return peak;
    };

    // Restarts past 4,000 pages (about 16 MB) of log, below the server's default so that the test stays short;
    // the margin is for a checkpoint thread slowed by a busy machine.
    const checkpointer = new WalCheckpointer(file, { intervalMs: 20, restartPages: 4000 });
    const peakWith = await writeSteadily(64);
    await checkpointer.stop();
    expect(peakWith).toBeLessThan(32 * 1024 * 1024);

    const peakWithout = await writeSteadily(40);
    expect(peakWithout).toBeGreaterThan(36 * 1024 * 1024);
    await wal.close();
    writer.close();
  }, 60_000);

  it("is folded into the database file by a clean stop, which keeps what was written", async () => {
    const databaseUrl = `sqlite:${join(dir, "vouch.db")}`;
    const t = await startTestServer({ name: "sqlite" }, { databaseUrl });
    const campaign = (
      await t.api("POST", "/api/v1/campaigns", { name: "Fold", url: "https://site.example", events: ["buy"] })
    ).body;
    const mark = (await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, { email: "m@x.io" }))
      .body;
    const visit = await pixelPost(t.url, "visit", {
      k: campaign.public_key,
      vid: "visitor_fold_0001",
      code: mark.code,
      url: `https://site.example/?mwr=${mark.code}`,
    });
    expect(visit.status).toBe(201);
    expect(existsSync(join(dir, "vouch.db-wal"))).toBe(true);

    await t.close();
    expect(existsSync(join(dir, "vouch.db-wal"))).toBe(false);
    const db = new SQLite(join(dir, "vouch.db"), { readonly: true });
    expect(db.prepare("select count(*) as n from visits").get()).toEqual({ n: 1 });
    db.close();
  });
});
