// Vouch as its own process, as `vouch serve` runs it, for tests that kill it with SIGKILL and start it again
// on the same database: a file in a temporary folder, or a fresh schema on the test PostgreSQL.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { TestDialect } from "./test-server.js";

const BIN = fileURLToPath(new URL("../../bin/vouch.js", import.meta.url));

export interface VouchProcess {
  child: ChildProcess;
  url: string;
}

/** Starts `vouch serve` on a free port with this environment added; resolves once it listens. */
export function startVouchProcess(databaseUrl: string, env: Record<string, string>): Promise<VouchProcess> {
  const { TEST_DATABASE_URL: _t, ...inherited } = process.env;
  const child = spawn(process.execPath, [BIN, "serve"], {
    env: { ...inherited, DATABASE_URL: databaseUrl, PORT: "0", HOST: "127.0.0.1", ...env },
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

/** The admin API of a Vouch process, with its admin key: JSON in, status and JSON out. */
export function adminApi(key: string) {
  return async (base: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
}

/** Kills the process at once, as a crash or `kill -9` would: nothing gets to finish. */
export function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.on("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

export interface ProcessDatabase {
  /** Creates the database (the PostgreSQL schema) and returns the DATABASE_URL that reaches it. */
  create(): Promise<string>;
  drop(): Promise<void>;
}

/** A database that outlives the processes using it: removed by drop(). */
export function processDatabase(dialect: TestDialect, prefix: string): ProcessDatabase {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const onPostgres = async (statement: string) => {
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  return {
    async create() {
      if (dialect.name !== "postgres") return `sqlite:${join(dir, "vouch.db")}`;
      await onPostgres(`create schema ${schema}`);
      const url = new URL(process.env.TEST_DATABASE_URL as string);
      url.searchParams.set("options", `-c search_path=${schema}`);
      return url.toString();
    },
    async drop() {
      rmSync(dir, { recursive: true, force: true });
      if (dialect.name === "postgres") await onPostgres(`drop schema if exists ${schema} cascade`);
    },
  };
}
