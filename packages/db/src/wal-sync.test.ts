import { fdatasync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WalSync } from "./wal-sync.js";

type Done = (err: NodeJS.ErrnoException | null) => void;

/** The real fdatasync, counted, and each call's completion held until the test lets it through. */
function heldSync() {
  const held: Array<() => void> = [];
  let calls = 0;
  const sync = (fd: number, done: Done) => {
    calls += 1;
    fdatasync(fd, (err) => held.push(() => done(err)));
  };
  const releaseNext = async () => {
    while (held.length === 0) await new Promise((r) => setTimeout(r, 1));
    held.shift()?.();
  };
  return { sync, releaseNext, calls: () => calls };
}

const settled = async (p: Promise<unknown>) => {
  let state = "pending";
  p.then(
    () => (state = "resolved"),
    () => (state = "rejected"),
  );
  await new Promise((r) => setTimeout(r, 5));
  return state;
};

describe("WalSync", () => {
  let dir: string;
  let sqlite: SQLite.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "vouch-walsync-"));
    sqlite = new SQLite(join(dir, "x.db"));
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.exec("create table t (n integer)");
  });
  afterEach(() => {
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("resolves after a real fdatasync of the log; the commits asking during a sync share the next one", async () => {
    let calls = 0;
    const wal = new WalSync(join(dir, "x.db-wal"), (fd, done) => {
      calls += 1;
      fdatasync(fd, done);
    });
    sqlite.prepare("insert into t values (1)").run();
    // The first starts a sync at once; the next three ask while it runs and share the one after it.
    const asked = [wal.afterCommit(), wal.afterCommit(), wal.afterCommit(), wal.afterCommit()];
    await Promise.all(asked);
    expect(calls).toBe(2);
    await wal.close();
  });

  it("does not call a commit made during a sync durable until a sync begun after it has finished", async () => {
    const held = heldSync();
    const wal = new WalSync(join(dir, "x.db-wal"), held.sync);
    sqlite.prepare("insert into t values (1)").run();
    const first = wal.afterCommit();
    sqlite.prepare("insert into t values (2)").run();
    const second = wal.afterCommit(); // asked while the first sync runs

    expect(held.calls()).toBe(1);
    await held.releaseNext();
    expect(await settled(first)).toBe("resolved");
    expect(await settled(second)).toBe("pending");
    expect(held.calls()).toBe(2); // a second sync began once the first was done
    await held.releaseNext();
    expect(await settled(second)).toBe("resolved");
    await wal.close();
  });

  it("after a failed sync, calls nothing durable again", async () => {
    const wal = new WalSync(join(dir, "x.db-wal"), (_fd, done) => {
      const err: NodeJS.ErrnoException = new Error("EIO: i/o error");
      err.code = "EIO";
      done(err);
    });
    await expect(wal.afterCommit()).rejects.toThrow(/could not be synced to disk: EIO/);
    await expect(wal.afterCommit()).rejects.toThrow(/could not be synced to disk/);
    await wal.close();
  });
});
