// The group commit's statements, written once per shape and reused: each reuse must bind its own values, in
// the placeholders' order, on both dialects. Real databases: an SQLite file, and PostgreSQL when
// TEST_DATABASE_URL is set (in a schema of its own).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../connect.js";
import { migrateToLatest } from "../migrate.js";
import type { ConversionRow } from "../schema.js";
import { listVisitorLinks } from "./identify.js";
import {
  addPeopleReferred,
  findConversionsByKeys,
  insertConversions,
  insertReferredFriends,
  listAmbassadorCodes,
  listReferredVisitsOf,
  listSubscribersByIdsOrCodes,
} from "./ingest.js";
import { insertVisits } from "./visits.js";

const targets = [
  { name: "sqlite" },
  ...(process.env.TEST_DATABASE_URL ? [{ name: "postgres" }] : []),
] as const;

const NOW = 1_767_000_000_000;

function conversion(n: number, extra: Partial<ConversionRow> = {}): ConversionRow {
  return {
    id: `cnv_${String(n).padStart(6, "0")}`,
    campaign_id: "cmp_a",
    event: "purchase",
    email: `friend${n}@example.com`,
    first_name: `First${n}`,
    last_name: null,
    amount_minor: 1570 + n,
    currency: "USD",
    transaction_id: `tx-${n}`,
    source: "twitter",
    status: "confirmed",
    verified: 0,
    channel: "pixel",
    referrer_id: null,
    referral_code: null,
    visitor_id: `visitor-${n}`,
    data: null,
    created_at: NOW + n,
    ...extra,
  };
}

describe.each(targets)("statements kept by shape ($name)", ({ name }) => {
  let database: Database;
  let cleanup = () => {};

  beforeAll(async () => {
    if (name === "sqlite") {
      const dir = mkdtempSync(join(tmpdir(), "vouch-batch-sql-"));
      cleanup = () => rmSync(dir, { recursive: true, force: true });
      database = await openDatabase(`sqlite:${join(dir, "vouch.db")}`);
    } else {
      database = await openDatabase(process.env.TEST_DATABASE_URL as string, {
        schema: `t_${randomBytes(6).toString("hex")}`,
      });
    }
    await migrateToLatest(database);
    const { db } = database;
    await db
      .insertInto("campaigns")
      .values({
        id: "cmp_a",
        name: "A",
        url: "https://site.example/",
        events: '["purchase"]',
        public_key: "pk_a",
        cookie_window_days: 90,
        attribution: "first",
        status: "active",
        default_currency: "USD",
        allowed_domains: null,
        created_at: NOW,
        updated_at: NOW,
      })
      .execute();
    await db
      .insertInto("subscribers")
      .values(
        ["MARK", "JANE", "OMAR"].map((code, i) => ({
          id: `sub_${code.toLowerCase()}`,
          campaign_id: "cmp_a",
          email: `${code.toLowerCase()}@example.com`,
          name: code,
          extra_field: null,
          extra_field_2: null,
          code,
          referred_by: null,
          created_at: NOW + i,
        })),
      )
      .execute();
  });

  afterAll(async () => {
    if (name === "postgres" && database.schema)
      await database.db.schema.dropSchema(database.schema).ifExists().cascade().execute();
    await database.close();
    cleanup();
  });

  it("stores each batch's own values when the same shape comes again", async () => {
    const { db } = database;
    const first = [conversion(1, { referrer_id: "sub_mark", referral_code: "MARK" }), conversion(2)];
    const second = [
      conversion(3),
      conversion(4, { amount_minor: null, currency: null, data: '{"plan":"pro"}' }),
    ];
    expect(await insertConversions(db, first)).toEqual(new Set(["cnv_000001", "cnv_000002"]));
    expect(await insertConversions(db, second)).toEqual(new Set(["cnv_000003", "cnv_000004"]));

    const stored = await db.selectFrom("conversions").selectAll().orderBy("id").execute();
    expect(stored).toEqual([...first, ...second]);
  });

  it("inserts nothing over a unique key and says which rows went in", async () => {
    const { db } = database;
    const repeat = conversion(50, { email: "friend1@example.com" });
    const fresh = conversion(51);
    expect(await insertConversions(db, [repeat, fresh])).toEqual(new Set(["cnv_000051"]));
    const sameTransaction = conversion(52, { transaction_id: "tx-2" });
    expect(await insertConversions(db, [sameTransaction])).toEqual(new Set());
  });

  it("finds conversions by email and by transaction id, each lookup with its own keys", async () => {
    const { db } = database;
    const byEmail = await findConversionsByKeys(db, [
      { campaignId: "cmp_a", event: "purchase", emails: ["friend3@example.com"], transactionIds: [] },
    ]);
    expect(byEmail.map((c) => c.id)).toEqual(["cnv_000003"]);
    const both = await findConversionsByKeys(db, [
      {
        campaignId: "cmp_a",
        event: "purchase",
        emails: ["friend4@example.com"],
        transactionIds: ["tx-1", "tx-nobody"],
      },
    ]);
    expect(both.map((c) => c.id)).toEqual(["cnv_000001", "cnv_000004"]);
    const otherEvent = await findConversionsByKeys(db, [
      { campaignId: "cmp_a", event: "signup", emails: ["friend4@example.com"], transactionIds: ["tx-1"] },
    ]);
    expect(otherEvent).toEqual([]);
  });

  it("looks ambassadors up by ids and codes together, or by either alone", async () => {
    const { db } = database;
    const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id).sort();
    expect(ids(await listSubscribersByIdsOrCodes(db, ["sub_jane"], ["OMAR"]))).toEqual([
      "sub_jane",
      "sub_omar",
    ]);
    expect(ids(await listSubscribersByIdsOrCodes(db, [], ["MARK", "NOBODY"]))).toEqual(["sub_mark"]);
    expect(ids(await listSubscribersByIdsOrCodes(db, ["sub_omar"], []))).toEqual(["sub_omar"]);
  });

  it("says whose each code is, and nothing for a code no ambassador has", async () => {
    const { db } = database;
    const found = await listAmbassadorCodes(db, ["OMAR", "NOBODY", "MARK"]);
    expect(found.sort((a, b) => a.code.localeCompare(b.code))).toEqual([
      { id: "sub_mark", campaign_id: "cmp_a", code: "MARK" },
      { id: "sub_omar", campaign_id: "cmp_a", code: "OMAR" },
    ]);
  });

  it("adds each referrer's own increment and returns the counts as they stand", async () => {
    const { db } = database;
    const first = await addPeopleReferred(
      db,
      new Map([
        ["sub_mark", 2],
        ["sub_jane", 1],
      ]),
    );
    expect(first.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: "sub_jane", people_referred: 1 },
      { id: "sub_mark", people_referred: 2 },
    ]);
    const second = await addPeopleReferred(
      db,
      new Map([
        ["sub_jane", 3],
        ["sub_mark", 1],
      ]),
    );
    expect(second.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: "sub_jane", people_referred: 4 },
      { id: "sub_mark", people_referred: 3 },
    ]);
    const omar = await listSubscribersByIdsOrCodes(db, ["sub_omar"], []);
    expect(omar[0]?.people_referred).toBe(0);
  });

  it("counts a friend once per referrer", async () => {
    const { db } = database;
    const friend = (referrer: string, key: string, conversionId: string) => ({
      referrer_id: referrer,
      friend_key: key,
      conversion_id: conversionId,
      created_at: NOW,
    });
    const firstTime = await insertReferredFriends(db, [
      friend("sub_mark", "e:friend1@example.com", "cnv_000001"),
      friend("sub_jane", "e:friend1@example.com", "cnv_000001"),
    ]);
    expect(firstTime).toEqual(new Set(["sub_mark e:friend1@example.com", "sub_jane e:friend1@example.com"]));
    const again = await insertReferredFriends(db, [
      friend("sub_mark", "e:friend1@example.com", "cnv_000002"),
      friend("sub_mark", "e:friend3@example.com", "cnv_000003"),
    ]);
    expect(again).toEqual(new Set(["sub_mark e:friend3@example.com"]));
  });

  it("finds a visitor's referred landings within the window, and the ambassador each browser is", async () => {
    const { db } = database;
    const visit = (n: number, visitorId: string, code: string, at: number) => ({
      id: `vis_${n}`,
      campaign_id: "cmp_a",
      visitor_id: visitorId,
      code,
      subscriber_id: code === "NOBODY" ? null : `sub_${code.toLowerCase()}`,
      source: "facebook",
      landing_page: "https://site.example/",
      created_at: at,
    });
    await insertVisits(db, [visit(1, "browser-1", "MARK", NOW - 10), visit(2, "browser-2", "JANE", NOW)]);
    await insertVisits(db, [
      visit(3, "browser-1", "OMAR", NOW + 5),
      visit(4, "browser-1", "NOBODY", NOW + 6),
    ]);

    const found = await listReferredVisitsOf(db, ["cmp_a"], ["browser-1", "browser-3"], NOW - 10);
    expect(found.map((v) => [v.visitor_id, v.code, v.email, v.created_at])).toEqual([
      ["browser-1", "MARK", "mark@example.com", NOW - 10],
      ["browser-1", "OMAR", "omar@example.com", NOW + 5],
    ]);
    const since = await listReferredVisitsOf(db, ["cmp_a"], ["browser-1"], NOW);
    expect(since.map((v) => v.code)).toEqual(["OMAR"]);

    await db
      .insertInto("visitor_links")
      .values({ campaign_id: "cmp_a", visitor_id: "browser-2", subscriber_id: "sub_jane", created_at: NOW })
      .execute();
    const links = await listVisitorLinks(db, ["cmp_a"], ["browser-1", "browser-2"]);
    expect(links.map((l) => [l.visitor_id, l.subscriber_id])).toEqual([["browser-2", "sub_jane"]]);
  });
});
