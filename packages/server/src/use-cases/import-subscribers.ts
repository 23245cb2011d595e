import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import {
  CsvError,
  checkImportHeader,
  checkImportRow,
  generateReferralCode,
  IMPORT_MAX_ROWS,
  IMPORT_REPORT_ROWS,
  type ImportColumn,
  type ImportMode,
  type ImportReason,
  type ImportRejection,
  type ImportReport,
  type ImportRow,
  type ImportRowCheck,
  importReferrerKey,
  isReferralCodeShape,
  newId,
  newRegistrationPayload,
} from "@vouch/core";
import {
  type CampaignRow,
  type DB,
  insertSubscribersSkippingConflicts,
  insertWebhookMessagesInBatches,
  type Kysely,
  listCampaignSubscribersByEmail,
  listCampaignSubscribersByEmailOrCode,
  listWebhooks,
  type SubscriberRow,
  setReferredBy,
  type WebhookMessageRow,
} from "@vouch/db";
import { type CsvRecord, csvRecords } from "../csv-stream.js";
import { AppError } from "../errors.js";
import { referrerObject } from "../views/webhook-view.js";
import { outboxRows } from "./enqueue-webhook-event.js";

export type ImportProgress =
  | { phase: "reading"; rows: number; bytes: number }
  | { phase: "writing"; rows: number; total: number };

export interface ImportOptions {
  mode: ImportMode;
  now: number;
  onProgress?: (progress: ImportProgress) => void;
  /** n random bytes, for referral codes (tests pass their own). */
  random?: (n: number) => Uint8Array;
}

/** Rows per lookup and per multi-row insert (9 columns: 9,000 parameters, within both databases' limits). */
const BATCH = 1000;
const CODE_ATTEMPTS = 8;
/** valid_only commits this many rows at a time, so that other writers never wait long for the database. */
const ROWS_PER_COMMIT = 10_000;

/** An ambassador a row names as its referrer: one in the campaign, or one an earlier row creates. */
type Referrer = { existing: SubscriberRow } | { candidate: number };
interface Candidate {
  line: number;
  row: ImportRow;
  referrer: Referrer | null;
}

/**
 * Imports ambassadors from a CSV file (bytes, streamed). Existing ambassadors are left unchanged; each one
 * created fires new_registration through the outbox in the transaction that writes it. A malformed file
 * (no or bad header, a quote never closed) throws validation_failed and writes nothing.
 */
export async function importSubscribers(
  db: Kysely<DB>,
  campaign: CampaignRow,
  input: AsyncIterable<Uint8Array>,
  options: ImportOptions,
): Promise<ImportReport> {
  // 1. Read and check every row, looking up a batch of emails and referrers at a time; nothing is written.
  const file = await checkFile(db, campaign.id, input, options);
  const report: ImportReport = {
    mode: options.mode,
    imported: true,
    created: 0,
    already_present: file.alreadyPresent,
    rejected: file.rejected,
    rows: file.rejections,
  };
  // 2. All or nothing: one rejected row and nothing is written.
  if (options.mode === "all_or_nothing" && file.rejected > 0) return { ...report, imported: false };
  // 3. Write the valid rows: batches of multi-row inserts, one transaction (valid_only: one per 10,000 rows).
  const random = pooledRandom();
  const writer = new CandidateWriter(
    campaign,
    file.candidates,
    options.now,
    random,
    options.random ?? random,
  );
  const perCommit = options.mode === "all_or_nothing" ? file.candidates.length : ROWS_PER_COMMIT;
  for (let from = 0; from < file.candidates.length; from += perCommit) {
    const to = Math.min(file.candidates.length, from + perCommit);
    await db.transaction().execute(async (trx) => {
      for (let at = from; at < to; at += BATCH) {
        await writer.write(trx, at, Math.min(to, at + BATCH));
        options.onProgress?.({
          phase: "writing",
          rows: Math.min(to, at + BATCH),
          total: file.candidates.length,
        });
        await yieldToEventLoop();
      }
    });
  }
  return {
    ...report,
    created: writer.created,
    already_present: report.already_present + writer.alreadyPresent,
  };
}

async function checkFile(
  db: Kysely<DB>,
  campaignId: string,
  input: AsyncIterable<Uint8Array>,
  options: ImportOptions,
): Promise<FileCheck> {
  let file: FileCheck | undefined;
  let batch: CsvRecord[] = [];
  let rows = 0;
  let bytes = 0;
  const flush = async () => {
    await file?.check(batch);
    batch = [];
    options.onProgress?.({ phase: "reading", rows, bytes });
    await yieldToEventLoop();
  };
  try {
    for await (const records of csvRecords(input, (n) => {
      bytes = n;
    })) {
      for (const record of records) {
        if (!file) {
          const header = checkImportHeader(record.cells);
          if (!header.ok) throw new AppError("validation_failed", header.message, header.field);
          file = new FileCheck(db, campaignId, header.columns);
          continue;
        }
        if (++rows > IMPORT_MAX_ROWS)
          throw new AppError(
            "validation_failed",
            `at most ${IMPORT_MAX_ROWS.toLocaleString("en")} rows per import: split the file`,
            "csv",
          );
        batch.push(record);
        if (batch.length === BATCH) await flush();
      }
    }
    await flush();
  } catch (err) {
    if (err instanceof CsvError) throw new AppError("validation_failed", err.message, "csv");
    throw err;
  }
  if (!file)
    throw new AppError("validation_failed", "the file is empty: the first line names the columns", "csv");
  return file;
}

/** What reading the file found: the rows to create, and the others counted and (the first ones) listed. */
class FileCheck {
  readonly candidates: Candidate[] = [];
  readonly rejections: ImportRejection[] = [];
  rejected = 0;
  alreadyPresent = 0;
  private readonly emailColumn: number;
  /** Every email on a line read so far, whatever became of the line. */
  private readonly seen = new Set<string>();
  /** Ambassadors a row may name by email: in the campaign, or created by an earlier row. */
  private readonly byEmail = new Map<string, Referrer>();
  private readonly byCode = new Map<string, SubscriberRow>();
  /** Emails and codes looked up and not in the campaign, so they are not looked up again. */
  private readonly absent = new Set<string>();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly campaignId: string,
    private readonly columns: ImportColumn[],
  ) {
    this.emailColumn = columns.indexOf("email");
  }

  /** Checks a batch of rows, in file order, after one lookup of the emails and referrers they name. */
  async check(records: readonly CsvRecord[]): Promise<void> {
    const checked = records.map((r) => ({ ...r, result: checkImportRow(this.columns, r.cells) }));
    await this.lookUp(checked);
    for (const row of checked) this.decide(row);
  }

  private async lookUp(rows: ReadonlyArray<{ result: ImportRowCheck }>): Promise<void> {
    const emails = new Set<string>();
    const codes = new Set<string>();
    for (const { result } of rows) {
      if (!result.ok) continue;
      if (!this.byEmail.has(result.row.email)) emails.add(result.row.email);
      if (!result.row.referrer) continue;
      const key = importReferrerKey(result.row.referrer);
      if ("email" in key) {
        if (!this.byEmail.has(key.email) && !this.absent.has(`e:${key.email}`)) emails.add(key.email);
      } else if (
        isReferralCodeShape(key.code) &&
        !this.byCode.has(key.code) &&
        !this.absent.has(`c:${key.code}`)
      ) {
        codes.add(key.code);
      }
    }
    const found = await listCampaignSubscribersByEmailOrCode(
      this.db,
      this.campaignId,
      [...emails],
      [...codes],
    );
    for (const s of found) {
      this.byEmail.set(s.email, { existing: s });
      this.byCode.set(s.code, s);
    }
    for (const email of emails) if (!this.byEmail.has(email)) this.absent.add(`e:${email}`);
    for (const code of codes) if (!this.byCode.has(code)) this.absent.add(`c:${code}`);
  }

  private decide({ line, cells, result }: CsvRecord & { result: ImportRowCheck }): void {
    const rawEmail = (cells[this.emailColumn] ?? "").trim();
    if (!result.ok) {
      if (rawEmail) this.seen.add(rawEmail.toLowerCase());
      this.reject(line, rawEmail, result.reason, result.field);
      return;
    }
    const { row } = result;
    if (this.seen.has(row.email)) {
      this.reject(line, row.email, "duplicate in the file");
      return;
    }
    this.seen.add(row.email);
    if (this.byEmail.has(row.email)) {
      // Not seen in the file, so it is an ambassador of the campaign: left as it is.
      this.alreadyPresent++;
      return;
    }
    const referrer = row.referrer ? this.findReferrer(row.referrer) : null;
    if (row.referrer && !referrer) {
      this.reject(line, row.email, "unknown referrer");
      return;
    }
    this.byEmail.set(row.email, { candidate: this.candidates.length });
    this.candidates.push({ line, row, referrer });
  }

  private findReferrer(referrer: string): Referrer | null {
    const key = importReferrerKey(referrer);
    if ("email" in key) return this.byEmail.get(key.email) ?? null;
    const existing = this.byCode.get(key.code);
    return existing ? { existing } : null;
  }

  private reject(line: number, email: string, reason: ImportReason, field?: ImportColumn): void {
    this.rejected++;
    if (this.rejections.length < IMPORT_REPORT_ROWS)
      this.rejections.push({ line, email: email.slice(0, 254), reason, ...(field ? { field } : {}) });
  }
}

/** Writes the candidates a batch at a time, remembering what each became for the rows that name it. */
class CandidateWriter {
  created = 0;
  alreadyPresent = 0;
  /**
   * The outbox row each new ambassador gets per endpoint subscribed to new_registration, from the endpoints listed
   * once per import; each message then only needs its own id and payload.
   */
  private outbox: WebhookMessageRow[] | undefined;
  /** What a candidate named as referrer became: the ambassador written, or the one that got there first. */
  private readonly became = new Map<number, SubscriberRow>();
  private readonly referenced = new Set<number>();
  private readonly codes = new Set<string>();

  constructor(
    private readonly campaign: CampaignRow,
    private readonly candidates: readonly Candidate[],
    private readonly now: number,
    private readonly random: (n: number) => Uint8Array,
    private readonly codeRandom: (n: number) => Uint8Array,
  ) {
    for (const c of candidates)
      if (c.referrer && "candidate" in c.referrer) this.referenced.add(c.referrer.candidate);
  }

  /** Candidates [from, to): one insert (more on a taken code), one update for referrers in the same batch. */
  async write(trx: Kysely<DB>, from: number, to: number): Promise<void> {
    this.outbox ??= outboxRows(await listWebhooks(trx, this.campaign.id), "new_registration", "", this.now);
    const rows = new Map<number, SubscriberRow>();
    const linkLater: number[] = [];
    for (let i = from; i < to; i++) {
      const c = this.candidates[i] as Candidate;
      const ref = c.referrer;
      // A referrer created in this same batch gets its id only once the insert has settled it.
      const referredBy = !ref
        ? null
        : "existing" in ref
          ? ref.existing.id
          : this.became.get(ref.candidate)?.id;
      if (referredBy === undefined) linkLater.push(i);
      rows.set(i, this.newRow(c.row, referredBy ?? null));
    }
    const outcome = await this.insert(trx, rows);

    const links: Array<{ id: string; referredBy: string }> = [];
    for (const i of linkLater) {
      const mine = outcome.get(i);
      const theirs = this.referrerRow(i, outcome);
      if (!mine?.created || !theirs) continue;
      mine.row.referred_by = theirs.id;
      links.push({ id: mine.row.id, referredBy: theirs.id });
    }
    await setReferredBy(trx, links);

    const messages: WebhookMessageRow[] = [];
    for (const [i, { created, row }] of outcome) {
      if (this.referenced.has(i)) this.became.set(i, row);
      if (!created) {
        this.alreadyPresent++;
        continue;
      }
      this.created++;
      if (this.outbox.length > 0)
        messages.push(...this.announce(this.outbox, row, this.referrerRow(i, outcome)));
    }
    await insertWebhookMessagesInBatches(trx, messages);
  }

  /** Inserts, skipping emails that arrived meanwhile; a row skipped for a taken code is retried with a new one. */
  private async insert(
    trx: Kysely<DB>,
    rows: Map<number, SubscriberRow>,
  ): Promise<Map<number, { created: boolean; row: SubscriberRow }>> {
    const outcome = new Map<number, { created: boolean; row: SubscriberRow }>();
    let todo = rows;
    for (let attempt = 0; todo.size > 0; attempt++) {
      if (attempt === CODE_ATTEMPTS)
        throw new AppError("unavailable", "could not allocate unique referral codes; try again");
      const written = new Set(await insertSubscribersSkippingConflicts(trx, [...todo.values()]));
      const skipped = [...todo].filter(([i, row]) => {
        if (written.has(row.id)) outcome.set(i, { created: true, row });
        return !written.has(row.id);
      });
      if (skipped.length === 0) break;
      const present = await listCampaignSubscribersByEmail(
        trx,
        this.campaign.id,
        skipped.map(([, row]) => row.email),
      );
      const byEmail = new Map(present.map((s) => [s.email, s]));
      todo = new Map();
      for (const [i, row] of skipped) {
        const existing = byEmail.get(row.email);
        if (existing) outcome.set(i, { created: false, row: existing });
        else todo.set(i, { ...row, code: this.freshCode(row) });
      }
    }
    return outcome;
  }

  private referrerRow(
    i: number,
    outcome: ReadonlyMap<number, { row: SubscriberRow }>,
  ): SubscriberRow | undefined {
    const ref = (this.candidates[i] as Candidate).referrer;
    if (!ref) return undefined;
    if ("existing" in ref) return ref.existing;
    return this.became.get(ref.candidate) ?? outcome.get(ref.candidate)?.row;
  }

  private newRow(row: ImportRow, referredBy: string | null): SubscriberRow {
    const fields = {
      email: row.email,
      name: row.name ?? null,
      extra_field: row.extra_field ?? null,
      extra_field_2: row.extra_field_2 ?? null,
    };
    return {
      id: newId("sub", this.now, this.random),
      campaign_id: this.campaign.id,
      ...fields,
      code: this.freshCode(fields),
      referred_by: referredBy,
      people_referred: 0,
      created_at: this.now,
      // Imported ambassadors are the owner's own customers: verified, whatever the campaign's double opt-in.
      verification_pending: 0,
      verified_at: null,
      deleted_at: null,
    };
  }

  /** A code no other row of this import has; the database may still hold it (the insert then retries). */
  private freshCode(row: { name: string | null; email: string }): string {
    for (let attempt = 0; attempt < 100; attempt++) {
      const code = generateReferralCode(row, this.codeRandom);
      if (!this.codes.has(code)) {
        this.codes.add(code);
        return code;
      }
    }
    // 810,000 codes share a prefix: only a file of nearly as many rows with one name could run out.
    throw new AppError("unavailable", `could not allocate a unique referral code for ${row.email}`);
  }

  private announce(
    outbox: readonly WebhookMessageRow[],
    row: SubscriberRow,
    referrer: SubscriberRow | undefined,
  ): WebhookMessageRow[] {
    const payload = newRegistrationPayload({
      campaignId: this.campaign.id,
      subscriber: { ...referrerObject(row, this.campaign), created_at: row.created_at },
      source: "import",
      referredBy: referrer ? referrerObject(referrer, this.campaign) : null,
      verified: row.verification_pending !== 1,
    });
    const body = JSON.stringify(payload);
    return outbox.map((message) => ({ ...message, id: newId("msg", this.now, this.random), payload: body }));
  }
}

/** Random bytes drawn from the system 64 KB at a time: a call per id and code costs more than inserting the row. */
function pooledRandom(): (n: number) => Uint8Array {
  let pool = new Uint8Array(0);
  let at = pool.length;
  return (n) => {
    if (at + n > pool.length) {
      pool = globalThis.crypto.getRandomValues(new Uint8Array(Math.max(n, 65_536)));
      at = 0;
    }
    at += n;
    return pool.subarray(at - n, at);
  };
}
