// What the database says after a run, read straight from the tables with the server stopped: every 2xx
// committed, and Mark's counts and rewards exactly what his friends earn — each reward exactly once.
import { openDatabase } from "@vouch/db";
import { sql } from "kysely";
import { TIER_THRESHOLD } from "./program.js";

const IN_LIST = 500;

/**
 * @param database where the data is ({ url, schema? })
 * @param program the campaign, Mark and the rules
 * @param run.okEmails the emails of every request answered 2xx in this run (warm-up included)
 * @param run.unansweredEmails those sent without an answer (in flight when a timed warm-up stopped): Vouch may
 *   have committed them, and then they count too
 * @param run.friendsBefore Mark's friends before this run (seeded + every earlier run's)
 * Returns the checks, Mark's counts, and his friends now (before + 2xx + committed unanswered).
 */
export async function checkDatabase(database, program, { okEmails, unansweredEmails, friendsBefore }) {
  const opened = await openDatabase(database.url, database.schema ? { schema: database.schema } : {});
  const db = opened.db;
  const checks = [];
  const check = (name, ok, detail) => checks.push({ name, ok: Boolean(ok), detail });
  try {
    const { mark, rules, campaignId } = program;

    // 1. Every 2xx is a stored purchase attributed to Mark, and one of his counted friends.
    let stored = 0;
    let counted = 0;
    for (let i = 0; i < okEmails.length; i += IN_LIST) {
      const emails = okEmails.slice(i, i + IN_LIST);
      const row = await db
        .selectFrom("conversions")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("campaign_id", "=", campaignId)
        .where("event", "=", "purchase")
        .where("referrer_id", "=", mark.id)
        .where("email", "in", emails)
        .executeTakeFirstOrThrow();
      stored += Number(row.n);
      const friends = await db
        .selectFrom("rule_friends")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("rule_id", "=", rules.every.id)
        .where("subscriber_id", "=", mark.id)
        .where(
          "friend_key",
          "in",
          emails.map((e) => `email:${e}`),
        )
        .executeTakeFirstOrThrow();
      counted += Number(friends.n);
    }
    check(
      "every 2xx stored, attributed to Mark",
      stored === okEmails.length,
      `${stored} of ${okEmails.length} rows`,
    );
    let committedUnanswered = 0;
    for (let i = 0; i < unansweredEmails.length; i += IN_LIST) {
      const row = await db
        .selectFrom("conversions")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("campaign_id", "=", campaignId)
        .where("event", "=", "purchase")
        .where("email", "in", unansweredEmails.slice(i, i + IN_LIST))
        .executeTakeFirstOrThrow();
      committedUnanswered += Number(row.n);
    }
    const expectedFriends = friendsBefore + okEmails.length + committedUnanswered;
    check(
      "every 2xx counted toward the rules",
      counted === okEmails.length,
      `${counted} of ${okEmails.length} friends`,
    );

    // 2. Per rule: the progress row, the friends behind it and their positions agree; the rewards are exactly
    //    what the count earns, numbered 1…n with none twice.
    const progress = new Map(
      (
        await db
          .selectFrom("rule_progress")
          .select(["rule_id", "counted", "granted"])
          .where("subscriber_id", "=", mark.id)
          .execute()
      ).map((r) => [r.rule_id, { counted: Number(r.counted), granted: Number(r.granted) }]),
    );
    const summary = {};
    for (const [key, rule] of Object.entries(rules)) {
      const p = progress.get(rule.id) ?? { counted: 0, granted: 0 };
      const friends = await db
        .selectFrom("rule_friends")
        .select((eb) => [
          eb.fn.countAll().as("n"),
          eb.fn.max("position").as("top"),
          eb.fn.count(sql`distinct position`).as("distinct_positions"),
        ])
        .where("rule_id", "=", rule.id)
        .where("subscriber_id", "=", mark.id)
        .executeTakeFirstOrThrow();
      const rewards = await db
        .selectFrom("rewards")
        .select((eb) => [
          eb.fn.countAll().as("n"),
          eb.fn.min("sequence").as("low"),
          eb.fn.max("sequence").as("high"),
        ])
        .where("rule_id", "=", rule.id)
        .where("recipient_email", "=", mark.email)
        .where("status", "not in", ["cancelled", "flagged"])
        .executeTakeFirstOrThrow();
      const n = Number(friends.n);
      const given = Number(rewards.n);
      const earned =
        rule.repeat === "every"
          ? Math.floor(p.counted / rule.referralsRequired)
          : p.counted >= rule.referralsRequired
            ? 1
            : 0;
      check(
        `${key}: progress counts the friends behind it, numbered 1…n`,
        p.counted === n && Number(friends.top ?? 0) === n && Number(friends.distinct_positions) === n,
        `counted ${p.counted}, rows ${n}, top position ${friends.top ?? 0}, distinct ${friends.distinct_positions}`,
      );
      check(
        `${key}: rewards = what ${p.counted} friends earn, exactly once`,
        given === earned &&
          p.granted === earned &&
          (given === 0 || (Number(rewards.low) === 1 && Number(rewards.high) === given)),
        `${given} rewards (sequences ${rewards.low ?? "–"}…${rewards.high ?? "–"}), granted ${p.granted}, earned ${earned}`,
      );
      summary[key] = { counted: p.counted, rewards: given };
    }
    check(
      "every: Mark's friends = before + this run's 2xx (+ committed in-flight)",
      summary.every.counted === expectedFriends,
      `${summary.every.counted} counted; ${friendsBefore} + ${okEmails.length} + ${committedUnanswered} of ` +
        `${unansweredEmails.length} unanswered expected`,
    );

    // 3. The tier's condition: exactly the friends who bought for 10 USD or more.
    const eligible = await db
      .selectFrom("rule_friends as rf")
      .innerJoin("conversions as c", "c.id", "rf.conversion_id")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("rf.rule_id", "=", rules.every.id)
      .where("rf.subscriber_id", "=", mark.id)
      .where("c.amount_minor", ">=", 1000)
      .executeTakeFirstOrThrow();
    check(
      `tier: counts only purchases ≥ 10 USD (granted at ${TIER_THRESHOLD.toLocaleString("en-US")})`,
      summary.tier.counted === Number(eligible.n),
      `${summary.tier.counted} counted, ${eligible.n} eligible`,
    );

    // 4. people_referred is the number of distinct friends.
    const [sub, referred] = await Promise.all([
      db
        .selectFrom("subscribers")
        .select("people_referred")
        .where("id", "=", mark.id)
        .executeTakeFirstOrThrow(),
      db
        .selectFrom("referred_friends")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("referrer_id", "=", mark.id)
        .executeTakeFirstOrThrow(),
    ]);
    check(
      "people_referred = Mark's distinct friends",
      Number(sub.people_referred) === Number(referred.n) && Number(referred.n) === expectedFriends,
      `${sub.people_referred} people_referred, ${referred.n} friends`,
    );
    return { ok: checks.every((c) => c.ok), checks, mark: summary, friendsNow: expectedFriends };
  } finally {
    await opened.close();
  }
}

/** Rows per table, for the report (the size of what the run met). */
export async function tableSizes(database) {
  const opened = await openDatabase(database.url, database.schema ? { schema: database.schema } : {});
  try {
    const sizes = {};
    for (const table of ["conversions", "referred_friends", "rule_friends", "rewards"]) {
      const row = await opened.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow();
      sizes[table] = Number(row.n);
    }
    return sizes;
  } finally {
    await opened.close();
  }
}
