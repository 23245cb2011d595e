import type { Kysely } from "kysely";
import type { DB, VisitRow } from "../schema.js";
import { columnList, rowsOf, runShaped, valuesOf } from "./batch-sql.js";

const VISIT_COLUMNS = Object.keys({
  id: true,
  campaign_id: true,
  visitor_id: true,
  code: true,
  subscriber_id: true,
  source: true,
  landing_page: true,
  created_at: true,
} satisfies Record<keyof VisitRow, true>) as (keyof VisitRow)[];

export async function insertVisits(db: Kysely<DB>, rows: readonly VisitRow[]): Promise<void> {
  if (rows.length === 0) return;
  await runShaped(
    db,
    `insertVisits ${rows.length}`,
    (p) =>
      `insert into "visits" (${columnList(VISIT_COLUMNS)}) values ${rowsOf(p, rows.length, VISIT_COLUMNS.length)}`,
    valuesOf(rows, VISIT_COLUMNS),
  );
}
