import type { Kysely } from "kysely";
import type { ConversionRow, DB, NewConversionRow } from "../schema.js";

/**
 * The conversion this one would repeat: the same email, else the same transaction_id, for the
 * campaign and event (the seed's dedup rule).
 */
export async function findDuplicateConversion(
  db: Kysely<DB>,
  key: { campaignId: string; event: string; email: string | null; transactionId: string | null },
): Promise<ConversionRow | undefined> {
  if (key.email === null && key.transactionId === null) return undefined;
  return db
    .selectFrom("conversions")
    .selectAll()
    .where("campaign_id", "=", key.campaignId)
    .where("event", "=", key.event)
    .where((eb) => {
      const ors = [];
      if (key.email !== null) ors.push(eb("email", "=", key.email));
      if (key.transactionId !== null) ors.push(eb("transaction_id", "=", key.transactionId));
      return eb.or(ors);
    })
    .orderBy("created_at")
    .limit(1)
    .executeTakeFirst();
}

/** Inserts unless a unique key (email or transaction_id per campaign and event) is taken; true when inserted. */
export async function insertConversion(db: Kysely<DB>, row: NewConversionRow): Promise<boolean> {
  const inserted = await db
    .insertInto("conversions")
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returning("id")
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Records the friend for the referrer; true when this friend is new to them. */
export async function insertReferredFriend(
  db: Kysely<DB>,
  row: { referrer_id: string; friend_key: string; conversion_id: string; created_at: number },
): Promise<boolean> {
  const inserted = await db
    .insertInto("referred_friends")
    .values(row)
    .onConflict((oc) => oc.columns(["referrer_id", "friend_key"]).doNothing())
    .returning("referrer_id")
    .executeTakeFirst();
  return inserted !== undefined;
}

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
