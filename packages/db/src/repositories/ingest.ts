// Set-based queries for group commit: each touches every request of a batch in one statement.
import type { Kysely } from "kysely";
import type { ConversionRow, DB, SubscriberRow, WebhookRow } from "../schema.js";
import { columnList, list, rowsOf, runShaped, valuesOf } from "./batch-sql.js";

export interface DedupGroup {
  campaignId: string;
  event: string;
  emails: string[];
  transactionIds: string[];
}

/**
 * Conversions already recorded under any of the groups' emails or transaction ids. One query per key kind and
 * group, each an index lookup: an OR across the two columns would make SQLite scan the campaign's conversions.
 */
export async function findConversionsByKeys(
  db: Kysely<DB>,
  groups: readonly DedupGroup[],
): Promise<ConversionRow[]> {
  const rows: ConversionRow[] = [];
  for (const g of groups) {
    for (const [column, keys] of [
      ["email", g.emails],
      ["transaction_id", g.transactionIds],
    ] as const) {
      if (keys.length === 0) continue;
      rows.push(
        ...(await runShaped<ConversionRow>(
          db,
          `conversionsBy ${column} ${keys.length}`,
          (p) =>
            `select * from "conversions" where "campaign_id" = ${p()} and "event" = ${p()} and "${column}" in ${list(p, keys.length)}`,
          [g.campaignId, g.event, ...keys],
        )),
      );
    }
  }
  return [...new Map(rows.map((r) => [r.id, r])).values()].sort((a, b) => a.created_at - b.created_at);
}

const CONVERSION_COLUMNS = Object.keys({
  id: true,
  campaign_id: true,
  event: true,
  email: true,
  first_name: true,
  last_name: true,
  amount_minor: true,
  currency: true,
  transaction_id: true,
  source: true,
  status: true,
  verified: true,
  channel: true,
  referrer_id: true,
  referral_code: true,
  visitor_id: true,
  data: true,
  created_at: true,
} satisfies Record<keyof ConversionRow, true>) as (keyof ConversionRow)[];

/** Inserts what no unique key already holds; returns the ids inserted. */
export async function insertConversions(
  db: Kysely<DB>,
  rows: readonly ConversionRow[],
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await runShaped<{ id: string }>(
    db,
    `insertConversions ${rows.length}`,
    (p) =>
      `insert into "conversions" (${columnList(CONVERSION_COLUMNS)}) values ${rowsOf(p, rows.length, CONVERSION_COLUMNS.length)} on conflict do nothing returning "id"`,
    valuesOf(rows, CONVERSION_COLUMNS),
  );
  return new Set(inserted.map((r) => r.id));
}

export async function listSubscribersByIdsOrCodes(
  db: Kysely<DB>,
  ids: readonly string[],
  codes: readonly string[],
): Promise<SubscriberRow[]> {
  if (ids.length === 0 && codes.length === 0) return [];
  // A deleted ambassador is found by neither id nor code: nothing is attributed or counted to them any more.
  return runShaped<SubscriberRow>(
    db,
    `subscribersByIdsOrCodes ${ids.length} ${codes.length}`,
    (p) => {
      const ors: string[] = [];
      if (ids.length > 0) ors.push(`"id" in ${list(p, ids.length)}`);
      if (codes.length > 0) ors.push(`"code" in ${list(p, codes.length)}`);
      return `select * from "subscribers" where "deleted_at" is null and (${ors.join(" or ")})`;
    },
    [...ids, ...codes],
  );
}

/**
 * Which of these codes belong to an ambassador, and whose: only the three columns a landing needs (each
 * column read costs a JavaScript string per row, and a batch of visits brings a code each).
 */
export async function listAmbassadorCodes(
  db: Kysely<DB>,
  codes: readonly string[],
): Promise<Array<Pick<SubscriberRow, "id" | "campaign_id" | "code">>> {
  if (codes.length === 0) return [];
  return runShaped(
    db,
    `ambassadorCodes ${codes.length}`,
    (p) =>
      `select "id", "campaign_id", "code" from "subscribers" where "deleted_at" is null and "code" in ${list(p, codes.length)}`,
    codes,
  );
}

export interface ReferredVisit {
  campaign_id: string;
  visitor_id: string;
  subscriber_id: string;
  email: string;
  code: string;
  source: string;
  created_at: number;
}

/** The visitors' landings through known ambassadors since `since`. */
export async function listReferredVisitsOf(
  db: Kysely<DB>,
  campaignIds: readonly string[],
  visitorIds: readonly string[],
  since: number,
): Promise<ReferredVisit[]> {
  if (visitorIds.length === 0 || campaignIds.length === 0) return [];
  const rows = await runShaped<ReferredVisit>(
    db,
    `referredVisitsOf ${campaignIds.length} ${visitorIds.length}`,
    (p) =>
      `select "visits"."campaign_id" as "campaign_id", "visits"."visitor_id" as "visitor_id", ` +
      `"visits"."subscriber_id" as "subscriber_id", "subscribers"."email" as "email", ` +
      `"subscribers"."code" as "code", "visits"."source" as "source", "visits"."created_at" as "created_at" ` +
      `from "visits" inner join "subscribers" on "subscribers"."id" = "visits"."subscriber_id" ` +
      `where "visits"."campaign_id" in ${list(p, campaignIds.length)} ` +
      `and "visits"."visitor_id" in ${list(p, visitorIds.length)} ` +
      `and "visits"."created_at" + 0 >= ${p()} and "subscribers"."deleted_at" is null`,
    [...campaignIds, ...visitorIds, since],
  );
  // Neither planner may read these through the (campaign, created_at) index, which holds every visit of the
  // window instead of the few of these visitors: `created_at + 0` is a condition no index serves, so only the
  // (campaign, visitor) index narrows the search. PostgreSQL chose the other one whenever its statistics were
  // older than the table's growth (a table that filled since the last ANALYZE), and a batch of conversions
  // then took 120 ms instead of 1; an ORDER BY created_at tempted SQLite the same way, so rows are sorted here.
  return rows.sort((a, b) => a.created_at - b.created_at);
}

const FRIEND_COLUMNS = ["referrer_id", "friend_key", "conversion_id", "created_at"] as const;

/** Records friends per referrer; returns the pairs that were new. */
export async function insertReferredFriends(
  db: Kysely<DB>,
  rows: ReadonlyArray<{ referrer_id: string; friend_key: string; conversion_id: string; created_at: number }>,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await runShaped<{ referrer_id: string; friend_key: string }>(
    db,
    `insertReferredFriends ${rows.length}`,
    (p) =>
      `insert into "referred_friends" (${columnList(FRIEND_COLUMNS)}) values ${rowsOf(p, rows.length, FRIEND_COLUMNS.length)} ` +
      `on conflict ("referrer_id", "friend_key") do nothing returning "referrer_id", "friend_key"`,
    valuesOf(rows, FRIEND_COLUMNS),
  );
  return new Set(inserted.map((r) => `${r.referrer_id} ${r.friend_key}`));
}

/**
 * Adds each referrer's new friends to their count; returns their counts as they now stand (only these two
 * columns: the rest of each row is already at hand, and turning columns into JavaScript costs more than
 * the update itself).
 */
export async function addPeopleReferred(
  db: Kysely<DB>,
  increments: ReadonlyMap<string, number>,
): Promise<Array<{ id: string; people_referred: number }>> {
  if (increments.size === 0) return [];
  const ids = [...increments.keys()];
  return runShaped<{ id: string; people_referred: number }>(
    db,
    `addPeopleReferred ${ids.length}`,
    (p) => {
      const cases = ids.map(() => `when ${p()} then cast(${p()} as integer)`).join(" ");
      return (
        `update "subscribers" set "people_referred" = people_referred + (case id ${cases} else 0 end) ` +
        `where "id" in ${list(p, ids.length)} returning "id", "people_referred"`
      );
    },
    [...ids.flatMap((id) => [id, increments.get(id) ?? 0]), ...ids],
  );
}

export async function listWebhooksOf(db: Kysely<DB>, campaignIds: readonly string[]): Promise<WebhookRow[]> {
  if (campaignIds.length === 0) return [];
  return runShaped<WebhookRow>(
    db,
    `webhooksOf ${campaignIds.length}`,
    (p) => `select * from "webhooks" where "campaign_id" in ${list(p, campaignIds.length)}`,
    campaignIds,
  );
}

export async function listSubscribersByEmails(
  db: Kysely<DB>,
  campaignIds: readonly string[],
  emails: readonly string[],
): Promise<SubscriberRow[]> {
  if (campaignIds.length === 0 || emails.length === 0) return [];
  return db
    .selectFrom("subscribers")
    .selectAll()
    .where("campaign_id", "in", campaignIds)
    .where("email", "in", emails)
    .execute();
}
