import { type Kysely, sql } from "kysely";
import type { DB } from "../schema.js";

const DAY_MS = 86_400_000;

export interface CampaignStats {
  visits: number;
  referred_visits: number;
  unique_visitors: number;
  conversions: number;
  referred_conversions: number;
  by_source: Array<{ source: string; visits: number; conversions: number }>;
  by_day: Array<{ day: string; visits: number; conversions: number }>;
}

export async function getCampaignStats(
  db: Kysely<DB>,
  campaignId: string,
  since: number,
): Promise<CampaignStats> {
  const day = (col: "visits.created_at" | "conversions.created_at") =>
    sql<number>`${sql.ref(col)} / ${sql.lit(DAY_MS)}`.as("day");

  const [visits, conversions, visitSources, conversionSources, visitDays, conversionDays] = await Promise.all(
    [
      db
        .selectFrom("visits")
        .where("campaign_id", "=", campaignId)
        .select((eb) => [
          eb.fn.countAll<number>().as("visits"),
          eb.fn.count<number>("subscriber_id").as("referred"),
          eb.fn.count<number>("visitor_id").distinct().as("unique"),
        ])
        .executeTakeFirstOrThrow(),
      db
        .selectFrom("conversions")
        .where("campaign_id", "=", campaignId)
        .select((eb) => [
          eb.fn.countAll<number>().as("conversions"),
          eb.fn.count<number>("referrer_id").as("referred"),
        ])
        .executeTakeFirstOrThrow(),
      db
        .selectFrom("visits")
        .where("campaign_id", "=", campaignId)
        .select((eb) => ["source", eb.fn.countAll<number>().as("n")])
        .groupBy("source")
        .execute(),
      db
        .selectFrom("conversions")
        .where("campaign_id", "=", campaignId)
        .select((eb) => ["source", eb.fn.countAll<number>().as("n")])
        .groupBy("source")
        .execute(),
      db
        .selectFrom("visits")
        .where("campaign_id", "=", campaignId)
        .where("created_at", ">=", since)
        .select((eb) => [day("visits.created_at"), eb.fn.countAll<number>().as("n")])
        .groupBy(sql`1`)
        .execute(),
      db
        .selectFrom("conversions")
        .where("campaign_id", "=", campaignId)
        .where("created_at", ">=", since)
        .select((eb) => [day("conversions.created_at"), eb.fn.countAll<number>().as("n")])
        .groupBy(sql`1`)
        .execute(),
    ],
  );

  const sources = new Map<string, { source: string; visits: number; conversions: number }>();
  const source = (name: string) => {
    const entry = sources.get(name) ?? { source: name, visits: 0, conversions: 0 };
    sources.set(name, entry);
    return entry;
  };
  for (const r of visitSources) source(r.source).visits = Number(r.n);
  for (const r of conversionSources) source(r.source).conversions = Number(r.n);

  const days = new Map<number, { day: string; visits: number; conversions: number }>();
  const dayEntry = (d: number) => {
    const entry = days.get(d) ?? {
      day: new Date(d * DAY_MS).toISOString().slice(0, 10),
      visits: 0,
      conversions: 0,
    };
    days.set(d, entry);
    return entry;
  };
  for (const r of visitDays) dayEntry(Number(r.day)).visits = Number(r.n);
  for (const r of conversionDays) dayEntry(Number(r.day)).conversions = Number(r.n);

  return {
    visits: Number(visits.visits),
    referred_visits: Number(visits.referred),
    unique_visitors: Number(visits.unique),
    conversions: Number(conversions.conversions),
    referred_conversions: Number(conversions.referred),
    by_source: [...sources.values()].sort((a, b) => b.visits + b.conversions - (a.visits + a.conversions)),
    by_day: [...days.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v),
  };
}
