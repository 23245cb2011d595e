import { randomBytes } from "node:crypto";
import { type DB, getSetting, insertSettingOnce, type Kysely } from "@vouch/db";

const SETTING = "verification_link_secret";

/**
 * The HMAC key of double opt-in links: generated on first start and kept, so links sent before a restart still
 * work; instances sharing a database share it.
 */
export async function ensureVerificationSecret(db: Kysely<DB>): Promise<string> {
  const stored = await getSetting(db, SETTING);
  if (stored) return stored;
  await insertSettingOnce(db, SETTING, randomBytes(32).toString("base64url"));
  return (await getSetting(db, SETTING)) as string;
}
