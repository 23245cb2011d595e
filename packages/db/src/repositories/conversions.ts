import type { Kysely } from "kysely";
import type { ConversionRow, DB } from "../schema.js";

export interface ConversionExportRow extends ConversionRow {
  referrer_code: string | null;
}

/** One page of the export, in id order after `afterId`: the export walks pages so memory stays flat. */
export async function listConversionPage(
  db: Kysely<DB>,
  campaignId: string,
  afterId: string | null,
  limit: number,
): Promise<ConversionExportRow[]> {
  let q = db
    .selectFrom("conversions")
    .leftJoin("subscribers", "subscribers.id", "conversions.referrer_id")
    .selectAll("conversions")
    .select("subscribers.code as referrer_code")
    .where("conversions.campaign_id", "=", campaignId);
  if (afterId !== null) q = q.where("conversions.id", ">", afterId);
  return q.orderBy("conversions.id").limit(limit).execute();
}

export async function getConversion(db: Kysely<DB>, id: string): Promise<ConversionRow | undefined> {
  return db.selectFrom("conversions").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function listConversionsByTransaction(
  db: Kysely<DB>,
  campaignId: string,
  transactionId: string,
): Promise<ConversionRow[]> {
  return db
    .selectFrom("conversions")
    .selectAll()
    .where("campaign_id", "=", campaignId)
    .where("transaction_id", "=", transactionId)
    .execute();
}

/** Moves a conversion from one status to another; false when it no longer had `from` (someone else moved it). */
export async function updateConversionStatus(
  db: Kysely<DB>,
  id: string,
  from: ConversionRow["status"],
  to: ConversionRow["status"],
): Promise<boolean> {
  const result = await db
    .updateTable("conversions")
    .set({ status: to })
    .where("id", "=", id)
    .where("status", "=", from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
