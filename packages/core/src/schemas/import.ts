// Importing ambassadors from a CSV file: the columns, one row's rules and why a row is refused. Pure.
import { z } from "zod";
import { normalizeReferralCode } from "../referral-code.js";
import { email, optionalText } from "./common.js";

export const IMPORT_COLUMNS = ["email", "name", "extra_field", "extra_field_2", "referrer"] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** The most rows one import takes; the caller holds the valid ones until they are written. */
export const IMPORT_MAX_ROWS = 1_000_000;

export const IMPORT_MODES = ["all_or_nothing", "valid_only"] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export const importQuery = z.strictObject({
  mode: z.enum(IMPORT_MODES, `must be one of ${IMPORT_MODES.join(", ")}`).default("all_or_nothing"),
});

export const importRow = z.strictObject({
  email,
  name: optionalText(100),
  extra_field: optionalText(200),
  extra_field_2: optionalText(200),
  /** The referring ambassador: their referral code or email. */
  referrer: optionalText(254),
});
export type ImportRow = z.infer<typeof importRow>;

export const IMPORT_REASONS = [
  "bad encoding",
  "wrong number of fields",
  "invalid email",
  "field too long",
  "duplicate in the file",
  "unknown referrer",
] as const;
export type ImportReason = (typeof IMPORT_REASONS)[number];

export interface ImportRejection {
  /** The row's line in the file (the header is line 1). */
  line: number;
  email: string;
  reason: ImportReason;
  /** For "field too long": which column. */
  field?: ImportColumn;
}

export interface ImportReport {
  mode: ImportMode;
  /** Whether the valid rows were written (false: an all-or-nothing import that had rejected rows). */
  imported: boolean;
  created: number;
  already_present: number;
  rejected: number;
  /** The first IMPORT_REPORT_ROWS rejected rows, in file order; `rejected` counts them all. */
  rows: ImportRejection[];
}

export const IMPORT_REPORT_ROWS = 1000;

export type ImportHeaderCheck =
  | { ok: true; columns: Array<ImportColumn> }
  | { ok: false; message: string; field: "csv" };

/** The header names the columns, in any order: email is required, unknown or repeated names are refused. */
export function checkImportHeader(header: readonly string[]): ImportHeaderCheck {
  const fail = (message: string): ImportHeaderCheck => ({ ok: false, message, field: "csv" });
  const names = header.map((h) => h.trim().toLowerCase());
  const unnamed = names.indexOf("");
  if (unnamed >= 0 && names.slice(unnamed).some((n) => n !== ""))
    return fail(`column ${unnamed + 1} of the header has no name`);
  const named = unnamed >= 0 ? names.slice(0, unnamed) : names;
  const unknown = named.filter((n) => !(IMPORT_COLUMNS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    const list = unknown.map((n) => `"${n.slice(0, 40)}"`).join(", ");
    return fail(`unknown column ${list}: the columns are ${IMPORT_COLUMNS.join(", ")}`);
  }
  const repeated = named.find((n, i) => named.indexOf(n) !== i);
  if (repeated) return fail(`column "${repeated}" appears twice in the header`);
  if (!named.includes("email")) return fail("the header must name an email column");
  return { ok: true, columns: named as ImportColumn[] };
}

export type ImportRowCheck =
  | { ok: true; row: ImportRow }
  | { ok: false; reason: ImportReason; field?: ImportColumn };

/**
 * One row's cells, in the header's column order, checked on their own (duplicates and referrers need the rest
 * of the file and the database). Cells past the header's columns must be empty.
 */
export function checkImportRow(columns: readonly ImportColumn[], cells: readonly string[]): ImportRowCheck {
  // Invalid UTF-8 was decoded to U+FFFD; a stored U+FFFD or NUL is as unusable as the bytes it replaced.
  if (cells.some((c) => c.includes("\uFFFD") || c.includes("\u0000")))
    return { ok: false, reason: "bad encoding" };
  for (let i = columns.length; i < cells.length; i++) {
    if (cells[i]?.trim()) return { ok: false, reason: "wrong number of fields" };
  }
  const input: Partial<Record<ImportColumn, string>> = {};
  columns.forEach((column, i) => {
    input[column] = cells[i] ?? "";
  });
  const result = importRow.safeParse(input);
  if (result.success) return { ok: true, row: result.data };
  const issue = result.error.issues[0];
  const field = issue?.path[0] as ImportColumn | undefined;
  if (field === "email" || field === undefined) return { ok: false, reason: "invalid email" };
  return { ok: false, reason: "field too long", field };
}

/** How a row names its referrer: an email (it has an @) or a referral code, normalised as stored. */
export function importReferrerKey(referrer: string): { email: string } | { code: string } {
  return referrer.includes("@")
    ? { email: referrer.trim().toLowerCase() }
    : { code: normalizeReferralCode(referrer) };
}
