// The `vouch` command as a newcomer meets it: first start prints the URL and the admin key once.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../bin/vouch.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "vouch-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const {
    TEST_DATABASE_URL: _ignored,
    VOUCH_ADMIN_KEY: _key,
    DATABASE_URL: _db,
    PORT: _port,
    ...rest
  } = process.env;
  return { ...rest, HOST: "127.0.0.1", ...extra };
}

function run(args: string[], extra: Record<string, string>) {
  return spawnSync(process.execPath, [BIN, ...args], { env: env(extra), encoding: "utf8", timeout: 30_000 });
}

/** Starts `vouch serve` and resolves with what it printed once it is listening. */
function serve(extra: Record<string, string>): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = spawn(process.execPath, [BIN, "serve"], { env: env(extra) });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (/admin API key/.test(out)) resolve({ child, lines: out.trim().split("\n") });
    });
    child.stderr?.on("data", (chunk: Buffer) => reject(new Error(chunk.toString())));
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.on("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

describe("vouch CLI", () => {
  it.each([
    [{ PORT: "70000" }, /^vouch: configuration error: PORT .*70000/],
    [
      { DATABASE_URL: "mysql://localhost/db" },
      /^vouch: configuration error: DATABASE_URL must start with sqlite: or postgres:\/\//,
    ],
    [
      { VOUCH_ADMIN_KEY: "short" },
      /^vouch: configuration error: VOUCH_ADMIN_KEY must be at least 24 characters/,
    ],
    [{ VOUCH_PUBLIC_URL: "vouch.example.com" }, /^vouch: configuration error: VOUCH_PUBLIC_URL /],
  ])("stops on bad configuration %j with one line saying what to fix", (extra, line) => {
    const result = run(["serve"], { DATABASE_URL: `sqlite:${join(dir, "unused.db")}`, ...extra });
    expect(result.status).toBe(2);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
  });

  it("migrates a new database, then finds it up to date", () => {
    const db = `sqlite:${join(dir, "migrate.db")}`;
    const first = run(["migrate"], { DATABASE_URL: db });
    expect(first.status).toBe(0);
    expect(first.stdout).toContain("applied 0001-core");
    const again = run(["migrate"], { DATABASE_URL: db });
    expect(again.stdout).toContain("already up to date");
  });

  it("prints the URL and a generated admin key on first start only; the key opens the API", async () => {
    const db = `sqlite:${join(dir, "serve.db")}`;
    const first = await serve({ DATABASE_URL: db, PORT: "0" });
    const url = first.lines.map((l) => /listening on (\S+)/.exec(l)?.[1]).find(Boolean) as string;
    const key = first.lines
      .map((l) => /shown once, stored hashed\): (\S+)/.exec(l)?.[1])
      .find(Boolean) as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(key).toMatch(/^vk_/);
    const ok = await fetch(`${url}/api/v1/campaigns`, { headers: { authorization: `Bearer ${key}` } });
    expect(ok.status).toBe(200);
    await stop(first.child);

    const second = await serve({ DATABASE_URL: db, PORT: "0" });
    expect(second.lines.join("\n")).not.toContain(key);
    const url2 = second.lines.map((l) => /listening on (\S+)/.exec(l)?.[1]).find(Boolean) as string;
    const still = await fetch(`${url2}/api/v1/campaigns`, { headers: { authorization: `Bearer ${key}` } });
    expect(still.status).toBe(200);
    await stop(second.child);
  });
});
