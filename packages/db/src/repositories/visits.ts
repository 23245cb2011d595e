import type { Kysely } from "kysely";
import type { DB, VisitRow } from "../schema.js";

export async function insertVisits(db: Kysely<DB>, rows: readonly VisitRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto("visits").values(rows).execute();
}
