import { type Kysely, sql } from "kysely";
import type { DB, WidgetSessionRow } from "../schema.js";

export async function insertWidgetSession(db: Kysely<DB>, row: WidgetSessionRow): Promise<void> {
  await db.insertInto("widget_sessions").values(row).execute();
}

/** The session with this token hash, unless it has expired. */
export async function getLiveWidgetSession(
  db: Kysely<DB>,
  tokenHash: string,
  now: number,
): Promise<WidgetSessionRow | undefined> {
  return db
    .selectFrom("widget_sessions")
    .selectAll()
    .where("token_hash", "=", tokenHash)
    .where("expires_at", ">", now)
    .executeTakeFirst();
}

/** Forgets expired sessions (kept small: called now and then by sign-ups). */
export async function deleteExpiredWidgetSessions(db: Kysely<DB>, now: number): Promise<void> {
  await db.deleteFrom("widget_sessions").where("expires_at", "<=", now).execute();
}

/** Counts one share on a network; returns the ambassador's count for it. */
export async function addWidgetShare(
  db: Kysely<DB>,
  subscriberId: string,
  network: string,
  now: number,
): Promise<number> {
  const row = await db
    .insertInto("widget_shares")
    .values({ subscriber_id: subscriberId, network, count: 1, updated_at: now })
    .onConflict((oc) =>
      oc.columns(["subscriber_id", "network"]).doUpdateSet({
        count: sql<number>`widget_shares.count + 1`,
        updated_at: now,
      }),
    )
    .returning("count")
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function listWidgetShares(
  db: Kysely<DB>,
  subscriberId: string,
): Promise<Array<{ network: string; count: number }>> {
  const rows = await db
    .selectFrom("widget_shares")
    .select(["network", "count"])
    .where("subscriber_id", "=", subscriberId)
    .orderBy("network")
    .execute();
  return rows.map((r) => ({ network: r.network, count: Number(r.count) }));
}

export interface ReferredFriend {
  email: string | null;
  event: string;
  created_at: number;
}

/** The friends counted for a referrer (one per friend), newest first, with the conversion that counted them. */
export async function listReferredFriends(
  db: Kysely<DB>,
  referrerId: string,
  limit: number,
): Promise<ReferredFriend[]> {
  const rows = await db
    .selectFrom("referred_friends")
    .innerJoin("conversions", "conversions.id", "referred_friends.conversion_id")
    .select([
      "conversions.email as email",
      "conversions.event as event",
      "referred_friends.created_at as created_at",
    ])
    .where("referred_friends.referrer_id", "=", referrerId)
    .orderBy("referred_friends.created_at", "desc")
    .orderBy("referred_friends.conversion_id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, created_at: Number(r.created_at) }));
}
