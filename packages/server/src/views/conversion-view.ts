import { fromMinorUnits } from "@vouch/core";
import type { ConversionRow } from "@vouch/db";

/** Amounts leave as the seed shows them (15.7), from integer minor units (1570). */
export function conversionView(c: ConversionRow, referrerCode: string | null) {
  return {
    id: c.id,
    campaign_id: c.campaign_id,
    event: c.event,
    email: c.email,
    first_name: c.first_name,
    last_name: c.last_name,
    amount:
      c.amount_minor === null || c.currency === null ? null : fromMinorUnits(c.amount_minor, c.currency),
    currency: c.currency,
    transaction_id: c.transaction_id,
    source: c.source,
    status: c.status,
    verified: c.verified === 1,
    channel: c.channel,
    referrer_code: referrerCode,
    subscriber_id: c.referrer_id,
    visitor_id: c.visitor_id,
    data: c.data === null ? {} : (JSON.parse(c.data) as Record<string, string>),
    created_at: new Date(c.created_at).toISOString(),
  };
}

export type ConversionView = ReturnType<typeof conversionView>;

export const CONVERSION_CSV_COLUMNS = [
  "id",
  "event",
  "email",
  "first_name",
  "last_name",
  "amount",
  "currency",
  "transaction_id",
  "source",
  "status",
  "verified",
  "referrer_code",
  "subscriber_id",
  "created_at",
] as const;

export function conversionCsvRow(v: ConversionView): string {
  return CONVERSION_CSV_COLUMNS.map((col) => csvCell(v[col])).join(",");
}

/** RFC 4180 quoting, and a leading quote on cells a spreadsheet would run as a formula. */
function csvCell(value: string | number | boolean | null): string {
  if (value === null) return "";
  let s = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
