import type { Kysely } from "kysely";
import type { DB } from "../schema.js";

export async function getSetting(db: Kysely<DB>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst();
  return row?.value;
}

/** Writes the setting unless it already exists; returns whether this call wrote it. */
export async function insertSettingOnce(db: Kysely<DB>, key: string, value: string): Promise<boolean> {
  const rows = await db
    .insertInto("settings")
    .values({ key, value })
    .onConflict((oc) => oc.column("key").doNothing())
    .returning("key")
    .execute();
  return rows.length > 0;
}

export async function putSetting(db: Kysely<DB>, key: string, value: string): Promise<void> {
  await db
    .insertInto("settings")
    .values({ key, value })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
    .execute();
}
