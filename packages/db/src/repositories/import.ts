// Set-based queries for importing ambassadors: each statement handles a whole batch of rows.
import { type Kysely, sql } from "kysely";
import type { DB, NewSubscriberRow, SubscriberRow, WebhookMessageRow } from "../schema.js";

/** The campaign's ambassadors with any of these (normalised) emails. */
export async function listCampaignSubscribersByEmail(
  db: Kysely<DB>,
  campaignId: string,
  emails: readonly string[],
): Promise<SubscriberRow[]> {
  if (emails.length === 0) return [];
  return db
    .selectFrom("subscribers")
    .selectAll()
    .where("campaign_id", "=", campaignId)
    .where("email", "in", emails)
    .execute();
}

/** The campaign's ambassadors named by any of these emails or (normalised) codes. */
export async function listCampaignSubscribersByEmailOrCode(
  db: Kysely<DB>,
  campaignId: string,
  emails: readonly string[],
  codes: readonly string[],
): Promise<SubscriberRow[]> {
  if (emails.length === 0 && codes.length === 0) return [];
  return db
    .selectFrom("subscribers")
    .selectAll()
    .where("campaign_id", "=", campaignId)
    .where("deleted_at", "is", null)
    .where((eb) =>
      eb.or([
        ...(emails.length > 0 ? [eb("email", "in", emails)] : []),
        ...(codes.length > 0 ? [eb("code", "in", codes)] : []),
      ]),
    )
    .execute();
}

/**
 * One multi-row insert; a row whose email is already in the campaign, or whose code is taken, is skipped.
 * Returns the ids of the rows written.
 */
export async function insertSubscribersSkippingConflicts(
  db: Kysely<DB>,
  rows: readonly NewSubscriberRow[],
): Promise<string[]> {
  if (rows.length === 0) return [];
  const written = await db
    .insertInto("subscribers")
    .values(rows)
    .onConflict((oc) => oc.doNothing())
    .returning("id")
    .execute();
  return written.map((r) => r.id);
}

/** Sets referred_by on several ambassadors in one statement. */
export async function setReferredBy(
  db: Kysely<DB>,
  links: ReadonlyArray<{ id: string; referredBy: string }>,
): Promise<void> {
  if (links.length === 0) return;
  const cases = sql.join(
    links.map((l) => sql`when ${l.id} then ${l.referredBy}`),
    sql` `,
  );
  await db
    .updateTable("subscribers")
    .set({ referred_by: sql<string>`case id ${cases} end` })
    .where(
      "id",
      "in",
      links.map((l) => l.id),
    )
    .execute();
}

// Eleven columns a row: 2,000 rows stay under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const MESSAGES_PER_INSERT = 2000;

/** Outbox rows in as few statements as the parameter limits allow. */
export async function insertWebhookMessagesInBatches(
  db: Kysely<DB>,
  rows: readonly WebhookMessageRow[],
): Promise<void> {
  for (let at = 0; at < rows.length; at += MESSAGES_PER_INSERT) {
    await db
      .insertInto("webhook_messages")
      .values(rows.slice(at, at + MESSAGES_PER_INSERT))
      .execute();
  }
}
