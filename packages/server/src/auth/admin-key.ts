import { createHash, timingSafeEqual } from "node:crypto";
import { randomToken } from "@vouch/core";
import { type DB, getSetting, insertSettingOnce, type Kysely, putSetting } from "@vouch/db";

const SETTING = "admin_key_sha256";

const sha256 = (key: string) => createHash("sha256").update(key).digest("hex");

/**
 * Makes sure an admin key exists. VOUCH_ADMIN_KEY, when set, is the key (its hash replaces any stored one);
 * otherwise a key is generated on first start, stored hashed, and returned once so it can be printed.
 */
export async function ensureAdminKey(
  db: Kysely<DB>,
  fromEnv: string | undefined,
): Promise<{ hash: string; generated?: string }> {
  if (fromEnv) {
    const hash = sha256(fromEnv);
    await putSetting(db, SETTING, hash);
    return { hash };
  }
  const stored = await getSetting(db, SETTING);
  if (stored) return { hash: stored };
  const key = `vk_${randomToken(40)}`;
  const hash = sha256(key);
  if (await insertSettingOnce(db, SETTING, hash)) return { hash, generated: key };
  // Another instance generated one at the same moment: theirs stands, and they print it.
  return { hash: (await getSetting(db, SETTING)) as string };
}

/** Checks an `Authorization: Bearer <key>` header against the stored hash, in constant time. */
export function bearerMatches(header: string | undefined, hash: string): boolean {
  if (!header?.startsWith("Bearer ")) return false;
  const given = Buffer.from(sha256(header.slice(7).trim()), "hex");
  const expected = Buffer.from(hash, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
