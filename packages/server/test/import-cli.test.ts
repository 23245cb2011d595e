// `vouch import` as an owner runs it: the built command against a SQLite file, no server needed for the import.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { progressLine, summary } from "../src/cli-import.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

const BIN = fileURLToPath(new URL("../bin/vouch.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "vouch-import-cli-"));
const databaseUrl = `sqlite:${join(dir, "vouch.db")}`;

function vouch(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const { TEST_DATABASE_URL: _t, VOUCH_ADMIN_KEY: _k, PORT: _p, ...env } = process.env;
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...env, DATABASE_URL: databaseUrl } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("vouch import", () => {
  let t: TestServer;
  let campaign: any;
  let mark: any;
  beforeAll(async () => {
    // The server only makes the campaign and shows the result; the command writes to the database itself.
    t = await startTestServer({ name: "sqlite" }, { databaseUrl });
    campaign = (
      await t.api("POST", "/api/v1/campaigns", {
        name: "App",
        url: "https://app.example",
        events: ["download"],
      })
    ).body;
    mark = (
      await t.api("POST", `/api/v1/campaigns/${campaign.id}/subscribers`, {
        email: "mark@example.com",
        name: "Mark",
      })
    ).body;
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const total = async () => (await t.api("GET", `/api/v1/campaigns/${campaign.id}/subscribers`)).body.total;

  it("imports a file, sets referrers, and prints the counts", async () => {
    const path = file(
      "good.csv",
      `email,name,referrer\nsara@example.com,Sara,${mark.code}\nmark@example.com,Mark,\npaul@example.com,Paul,sara@example.com\n`,
    );
    const result = await vouch(["import", campaign.id, path]);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe('vouch: imported into "App": 2 created, 1 already present, 0 rejected');
    expect(result.status).toBe(0);
    const list = (await t.api("GET", `/api/v1/campaigns/${campaign.id}/subscribers?limit=10`)).body.data;
    const sara = list.find((s: any) => s.email === "sara@example.com");
    expect(sara.referred_by).toBe(mark.id);
    expect(list.find((s: any) => s.email === "paul@example.com").referred_by).toBe(sara.id);
  });

  it("imports nothing and exits 1 when a row is rejected; --valid-only imports the rest and exits 0", async () => {
    const before = await total();
    const path = file(
      "bad.csv",
      "email,name\nann@example.com,Ann\nnope,Nope\nann@example.com,Again\nzed@example.com,Zed\n",
    );
    const refused = await vouch(["import", campaign.id, path]);
    expect(refused.status).toBe(1);
    expect(refused.stdout.trim().split("\n")).toEqual([
      'vouch: nothing imported into "App": 2 rows rejected (fix them, or run again with --valid-only to import the valid rows)',
      "  line 3: invalid email: nope",
      "  line 4: duplicate in the file: ann@example.com",
    ]);
    expect(await total()).toBe(before);

    const partial = await vouch(["import", campaign.id, path, "--valid-only"]);
    expect(partial.status).toBe(0);
    expect(partial.stdout.split("\n")[0]).toBe(
      'vouch: imported into "App": 2 created, 0 already present, 2 rejected',
    );
    expect(await total()).toBe(before + 2);
  });

  it("exits 1 on a malformed file, 2 on usage errors, saying what is wrong", async () => {
    const header = await vouch(["import", campaign.id, file("header.csv", "mail,name\nx@example.com,X\n")]);
    expect(header.status).toBe(1);
    expect(header.stderr).toMatch(/^vouch: nothing imported: unknown column "mail"/);
    const cases: Array<[string[], RegExp]> = [
      [["import"], /give a campaign id and a CSV file/],
      [["import", campaign.id, join(dir, "missing.csv")], /cannot read .*missing\.csv/],
      [["import", "cmp_nosuchcampaign", join(dir, "good.csv")], /no campaign cmp_nosuchcampaign in sqlite/],
      [["import", "not-an-id", join(dir, "good.csv")], /campaign: must be an id starting with cmp_/],
      [["import", campaign.id, join(dir, "good.csv"), "--all"], /unknown option --all/],
    ];
    for (const [args, message] of cases) {
      const result = await vouch(args);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain("usage: vouch import <campaign-id> <file.csv> [--valid-only]");
    }
    const help = await vouch(["import", "--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: vouch import/);
  });

  it("draws progress as rows over an estimated total while reading, then over the exact total", () => {
    expect(progressLine({ phase: "reading", rows: 25_000, bytes: 250_000 }, 1_000_000, 1000)).toBe(
      "checking [########......................]  25% 25,000/~100,000 rows, 25,000 rows/s",
    );
    expect(progressLine({ phase: "writing", rows: 40_000, total: 100_000 }, 1_000_000, 2000)).toBe(
      "writing  [############..................]  40% 40,000/100,000 rows, 20,000 rows/s",
    );
    const many = {
      mode: "valid_only" as const,
      imported: true,
      created: 5,
      already_present: 0,
      rejected: 30,
      rows: Array.from({ length: 30 }, (_, i) => ({
        line: i + 2,
        email: "",
        reason: "invalid email" as const,
      })),
    };
    const lines = summary(many, "App").split("\n");
    expect(lines).toHaveLength(22);
    expect(lines[1]).toBe("  line 2: invalid email: (no email)");
    expect(lines[21]).toBe("  … and 10 more rejected rows");
  });
});
