// Fills a database that already holds the program (campaign, ambassadors, rules) with what Vouch itself would
// have written for `conversions` earlier conversions: conversion rows, each referrer's friends and
// people_referred, and for every referred purchase its counting toward the rules (rule_friends with their
// positions, rule_progress) and the rewards those counts unlocked. Written straight into the tables with
// multi-row inserts, in large transactions, before Vouch takes any traffic.
import { newId, SOURCE_DIRECT } from "@vouch/core";
import SQLite from "better-sqlite3";
import pg from "pg";
import { countsForTier } from "./program.js";

const DAY_MS = 86_400_000;
const SPAN_MS = 90 * DAY_MS;
/** Conversions per transaction. */
const CHUNK = 50_000;
/** Share of the conversions (out of 100) referred by an ambassador other than Mark; the rest are organic. */
const OTHERS_REFERRED_PERCENT = 20;

const COLUMNS = {
  conversions: [
    "id",
    "campaign_id",
    "event",
    "email",
    "first_name",
    "last_name",
    "amount_minor",
    "currency",
    "transaction_id",
    "source",
    "status",
    "verified",
    "channel",
    "referrer_id",
    "referral_code",
    "visitor_id",
    "data",
    "created_at",
  ],
  referred_friends: ["referrer_id", "friend_key", "conversion_id", "created_at"],
  rule_friends: ["rule_id", "subscriber_id", "friend_key", "conversion_id", "position", "created_at"],
  rewards: [
    "id",
    "campaign_id",
    "rule_id",
    "subscriber_id",
    "recipient_email",
    "sequence",
    "status",
    "needs_coupon",
    "coupon_code",
    "conversion_ids",
    "deliver_at",
    "created_at",
    "updated_at",
    "sent_at",
  ],
  rule_progress: ["rule_id", "subscriber_id", "counted", "granted"],
};
const BIGINT = new Set(["amount_minor", "created_at", "deliver_at", "updated_at", "sent_at"]);
const INTEGER = new Set(["verified", "position", "sequence", "needs_coupon", "counted", "granted"]);
/** Rows per statement: SQLite binds at most 32,766 parameters per statement. */
const ROWS_PER_STATEMENT = { sqlite: 1_000, postgres: 5_000 };

/**
 * @param {{ dialect: "sqlite" | "postgres", file?: string, url?: string, schema?: string }} database
 * @param {ReturnType<typeof import("./program.js").setUpProgram> extends Promise<infer P> ? P : never} program
 * @param {{ conversions: number, markFriends: number, now: number, onProgress?: (done: number) => void }} plan
 */
export async function seed(database, program, plan) {
  const writer = database.dialect === "sqlite" ? sqliteWriter(database.file) : await postgresWriter(database);
  try {
    return await fill(writer, program, plan);
  } finally {
    await writer.close();
  }
}

async function fill(writer, program, { conversions: total, markFriends, now, onProgress }) {
  const { mark, ambassadors, campaignId } = program;
  const others = ambassadors.slice(1);
  const rules = Object.values(program.rules).map((r, i) => ({ ...r, key: Object.keys(program.rules)[i] }));
  const stride = Math.max(1, Math.floor(total / Math.max(markFriends, 1)));
  const start = now - SPAN_MS;
  const step = (SPAN_MS - 60_000) / total;

  // Per rule and referrer: friends counted so far, rewards granted, the ids counted since the last grant.
  const progress = new Map();
  const peopleReferred = new Map();
  const counts = { conversions: 0, referred: 0, markFriends: 0, ruleFriends: 0, rewards: 0, markRewards: {} };
  const buffers = { conversions: [], referred_friends: [], rule_friends: [], rewards: [] };
  // Tables in the order of their foreign keys: conversions before the rows that name them.
  const flush = async () => {
    for (const [table, rows] of Object.entries(buffers)) {
      while (rows.length > 0) await writer.insert(table, rows.splice(0, writer.rowsPerStatement));
    }
  };

  for (let from = 0; from < total; from += CHUNK) {
    await writer.begin();
    const to = Math.min(total, from + CHUNK);
    for (let i = from; i < to; i++) {
      const createdAt = Math.floor(start + i * step);
      const c = conversionAt(i, { stride, markFriends, mark, others, counts });
      const id = newId("cnv", createdAt);
      const email = `seed-${i}@friends.bench.example`;
      buffers.conversions.push([
        id,
        campaignId,
        c.event,
        email,
        "Seed",
        `Friend ${i}`,
        c.amountMinor,
        c.amountMinor === null ? null : "USD",
        c.event === "purchase" ? `seed-${i}` : null,
        SOURCE_DIRECT,
        "confirmed",
        0,
        "pixel",
        c.referrer?.id ?? null,
        c.referrer?.code ?? null,
        `seed-${i.toString(36).padStart(8, "0")}`,
        null,
        createdAt,
      ]);
      counts.conversions += 1;
      if (c.referrer) {
        const friendKey = `email:${email}`;
        counts.referred += 1;
        buffers.referred_friends.push([c.referrer.id, friendKey, id, createdAt]);
        peopleReferred.set(c.referrer.id, (peopleReferred.get(c.referrer.id) ?? 0) + 1);
        if (c.event === "purchase") {
          for (const rule of rules) {
            if (rule.key === "tier" && !countsForTier(c.amountMinor)) continue;
            countFriend({ rule, referrer: c.referrer, friendKey, conversionId: id, createdAt });
          }
        }
      }
    }
    await flush();
    await writer.commit();
    onProgress?.(to);
  }
  await writer.begin();
  for (const [referrerId, n] of peopleReferred) await writer.addPeopleReferred(referrerId, n);
  const progressRows = [...progress.values()].map((p) => [p.rule.id, p.referrer.id, p.counted, p.granted]);
  for (let i = 0; i < progressRows.length; i += writer.rowsPerStatement) {
    await writer.insert("rule_progress", progressRows.slice(i, i + writer.rowsPerStatement));
  }
  await writer.commit();
  await writer.finish();
  return counts;

  function countFriend({ rule, referrer, friendKey, conversionId, createdAt }) {
    const key = `${rule.id} ${referrer.id}`;
    let p = progress.get(key);
    if (!p) {
      p = { rule, referrer, counted: 0, granted: 0, sinceGrant: [] };
      progress.set(key, p);
    }
    p.counted += 1;
    p.sinceGrant.push(conversionId);
    buffers.rule_friends.push([rule.id, referrer.id, friendKey, conversionId, p.counted, createdAt]);
    counts.ruleFriends += 1;
    // As the product does: when the count reaches a threshold, the reward names the N friends that earned it.
    const earned =
      rule.repeat === "every"
        ? Math.floor(p.counted / rule.referralsRequired)
        : p.counted >= rule.referralsRequired
          ? 1
          : 0;
    if (earned > p.granted) {
      p.granted += 1;
      buffers.rewards.push([
        newId("rwd", createdAt),
        campaignId,
        rule.id,
        referrer.id,
        referrer.email,
        p.granted,
        "sent",
        0,
        null,
        JSON.stringify(p.sinceGrant.slice(-rule.referralsRequired)),
        null,
        createdAt,
        createdAt,
        createdAt,
      ]);
      p.sinceGrant = [];
      counts.rewards += 1;
      if (referrer.id === mark.id) counts.markRewards[rule.key] = (counts.markRewards[rule.key] ?? 0) + 1;
    } else if (p.granted > 0 && rule.repeat !== "every") {
      p.sinceGrant = [];
    }
  }
}

/** The i-th earlier conversion: Mark's friend (evenly spread), another ambassador's, or organic. */
function conversionAt(i, { stride, markFriends, mark, others, counts }) {
  if (i % stride === 0 && counts.markFriends < markFriends) {
    const k = counts.markFriends++;
    // Every 4th of Mark's friends bought for 5 USD, which the tier's condition leaves out.
    return { referrer: mark, event: "purchase", amountMinor: k % 4 === 3 ? 500 : 1570 };
  }
  // A fixed scramble of i, so that the mix is the same on every run and every database.
  const h = Math.imul(i + 1, 2654435761) >>> 0;
  const event = (h >>> 16) % 4 === 0 ? "signup" : "purchase";
  const amountMinor = event === "signup" ? null : (h >>> 20) % 4 === 0 ? 500 : 1570;
  const referred = others.length > 0 && h % 100 < OTHERS_REFERRED_PERCENT;
  return { referrer: referred ? others[(h >>> 8) % others.length] : null, event, amountMinor };
}

function sqliteWriter(file) {
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  // The seed is rebuilt from scratch if the machine fails mid-way: no need to sync every commit.
  sqlite.pragma("synchronous = OFF");
  sqlite.pragma("foreign_keys = ON");
  const statements = new Map();
  const statementFor = (table, rows) => {
    const key = `${table} ${rows}`;
    let stmt = statements.get(key);
    if (!stmt) {
      const cols = COLUMNS[table];
      const tuple = `(${cols.map(() => "?").join(", ")})`;
      stmt = sqlite.prepare(
        `insert into ${table} (${cols.join(", ")}) values ${Array.from({ length: rows }, () => tuple).join(", ")}`,
      );
      statements.set(key, stmt);
    }
    return stmt;
  };
  const addReferred = sqlite.prepare(
    "update subscribers set people_referred = people_referred + ? where id = ?",
  );
  return {
    rowsPerStatement: ROWS_PER_STATEMENT.sqlite,
    begin: async () => sqlite.exec("begin"),
    commit: async () => sqlite.exec("commit"),
    insert: async (table, rows) => {
      statementFor(table, rows.length).run(rows.flat());
    },
    addPeopleReferred: async (id, n) => {
      addReferred.run(n, id);
    },
    // Fold the write-ahead log into the file, as SQLite's own checkpoints would have over the months.
    finish: async () => {
      sqlite.pragma("wal_checkpoint(TRUNCATE)");
    },
    close: async () => sqlite.close(),
  };
}

async function postgresWriter({ url, schema }) {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  await client.query("set synchronous_commit = off");
  const casts = (table) =>
    COLUMNS[table].map(
      (c, i) => `$${i + 1}::${BIGINT.has(c) ? "bigint" : INTEGER.has(c) ? "integer" : "text"}[]`,
    );
  return {
    rowsPerStatement: ROWS_PER_STATEMENT.postgres,
    begin: () => client.query("begin"),
    commit: () => client.query("commit"),
    // One array per column, unnested into rows: one statement, a handful of parameters, any number of rows.
    insert: async (table, rows) => {
      const columns = COLUMNS[table].map((_, i) => rows.map((r) => r[i]));
      await client.query(
        `insert into ${table} (${COLUMNS[table].join(", ")}) select * from unnest(${casts(table).join(", ")})`,
        columns,
      );
    },
    addPeopleReferred: (id, n) =>
      client.query("update subscribers set people_referred = people_referred + $1 where id = $2", [n, id]),
    // Autovacuum would have analysed tables that grew over months; do what it would have done.
    finish: () => client.query("analyze"),
    close: () => client.end(),
  };
}
