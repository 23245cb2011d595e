// `vouch import <campaign-id> <file.csv> [--valid-only]`: the import use-case run straight against the
// database (no server needed), the file streamed, a progress bar on a terminal.
import { createReadStream } from "node:fs";
import { access, constants, stat } from "node:fs/promises";
import { type ImportReport, prefixedId } from "@vouch/core";
import { getCampaign, openDatabase } from "@vouch/db";
import { z } from "zod";
import { AppError } from "./errors.js";
import { type ImportProgress, importSubscribers } from "./use-cases/import-subscribers.js";

export const IMPORT_USAGE = "usage: vouch import <campaign-id> <file.csv> [--valid-only]";

const importArgs = z.strictObject({
  campaign: prefixedId("cmp"),
  file: z.string().min(1).max(4096),
  validOnly: z.boolean(),
});

/** Rejected rows printed after the summary; the rest are counted. */
const LISTED = 20;

/** 0: imported; 1: nothing imported (rows rejected in all-or-nothing mode, or the file refused); 2: usage. */
export async function runImport(databaseUrl: string, argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(`${IMPORT_USAGE}\n\n${HELP}`);
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === "string") return usageError(args);
  const size = await readableSize(args.file);
  if (size === undefined) return usageError(`cannot read ${args.file}`);

  const database = await openDatabase(databaseUrl);
  const bar = process.stderr.isTTY ? new ProgressBar(size) : undefined;
  try {
    const campaign = await getCampaign(database.db, args.campaign);
    if (!campaign)
      return usageError(`no campaign ${args.campaign} in ${database.dialect} at ${database.location}`);
    const report = await importSubscribers(
      database.db,
      campaign,
      createReadStream(args.file, { highWaterMark: 256 * 1024 }),
      {
        mode: args.validOnly ? "valid_only" : "all_or_nothing",
        now: Date.now(),
        ...(bar ? { onProgress: (p: ImportProgress) => bar.update(p) } : {}),
      },
    );
    bar?.clear();
    console.log(summary(report, campaign.name));
    return report.imported ? 0 : 1;
  } catch (err) {
    bar?.clear();
    // A refused file, or a failure on the way (the database, the disk). An all-or-nothing import wrote nothing;
    // a valid-only one may have committed whole groups of 10,000 rows, which a new run reports as present.
    const what = err instanceof AppError ? "nothing imported" : "import failed";
    console.error(`vouch: ${what}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await database.close();
  }
}

async function readableSize(path: string): Promise<number | undefined> {
  try {
    await access(path, constants.R_OK);
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

const HELP = `Imports ambassadors into a campaign from a CSV file whose first line names its columns, in any order:
email (required), name, extra_field, extra_field_2, referrer (a referral code or an email). Reads DATABASE_URL.
Ambassadors already in the campaign are left unchanged. By default one rejected row imports nothing;
--valid-only imports the valid rows and reports the others.`;

function parseArgs(argv: readonly string[]): z.infer<typeof importArgs> | string {
  const flags = argv.filter((a) => a.startsWith("-"));
  const unknown = flags.find((f) => f !== "--valid-only");
  if (unknown) return `unknown option ${unknown}`;
  const positional = argv.filter((a) => !a.startsWith("-"));
  if (positional.length !== 2) return "give a campaign id and a CSV file";
  const result = importArgs.safeParse({
    campaign: positional[0],
    file: positional[1],
    validOnly: flags.length > 0,
  });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  return `${issue?.path.join(".") ?? "argument"}: ${issue?.message ?? "invalid"}`;
}

function usageError(message: string): number {
  console.error(`vouch import: ${message}\n${IMPORT_USAGE}`);
  return 2;
}

/** What the command prints when it is done: the counts, then the first rejected rows. */
export function summary(report: ImportReport, campaignName: string): string {
  const n = (x: number) => x.toLocaleString("en");
  const counts = `${n(report.created)} created, ${n(report.already_present)} already present, ${n(report.rejected)} rejected`;
  const lines = [
    report.imported
      ? `vouch: imported into "${campaignName}": ${counts}`
      : `vouch: nothing imported into "${campaignName}": ${n(report.rejected)} rows rejected (fix them, or run again with --valid-only to import the valid rows)`,
  ];
  for (const r of report.rows.slice(0, LISTED)) {
    lines.push(`  line ${r.line}: ${r.reason}${r.field ? ` (${r.field})` : ""}: ${r.email || "(no email)"}`);
  }
  if (report.rejected > LISTED) lines.push(`  … and ${n(report.rejected - LISTED)} more rejected rows`);
  return lines.join("\n");
}

/** One line on stderr, redrawn at most ten times a second: reading (through the file's bytes), then writing. */
export class ProgressBar {
  private started: number;
  private phase: ImportProgress["phase"] = "reading";
  private drawnAt = 0;

  constructor(
    private readonly fileSize: number,
    private readonly write: (s: string) => void = (s) => process.stderr.write(s),
    private readonly clock: () => number = Date.now,
  ) {
    this.started = clock();
  }

  update(p: ImportProgress): void {
    const now = this.clock();
    if (p.phase !== this.phase) {
      this.phase = p.phase;
      this.started = now;
    } else if (now - this.drawnAt < 100) return;
    this.drawnAt = now;
    this.write(`\r${progressLine(p, this.fileSize, now - this.started)}\u001b[K`);
  }

  clear(): void {
    if (this.drawnAt > 0) this.write("\r\u001b[K");
  }
}

export function progressLine(p: ImportProgress, fileSize: number, elapsedMs: number): string {
  const fraction = p.phase === "reading" ? p.bytes / Math.max(1, fileSize) : p.rows / Math.max(1, p.total);
  const width = 30;
  const filled = Math.round(Math.min(1, fraction) * width);
  const rate = elapsedMs > 0 ? Math.round((p.rows * 1000) / elapsedMs) : 0;
  const n = (x: number) => x.toLocaleString("en");
  // Reading, the total is estimated from the share of the file read so far.
  const total =
    p.phase === "reading" ? (fraction > 0 ? `~${n(Math.round(p.rows / fraction))}` : "?") : n(p.total);
  return `${p.phase === "reading" ? "checking" : "writing "} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% ${n(p.rows)}/${total} rows, ${n(rate)} rows/s`;
}
