import type { Kysely } from "kysely";

// Column types that mean the same on SQLite and PostgreSQL: text, integer (32-bit counts) and bigint
// (milliseconds and minor units, which outgrow 32 bits).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("settings")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("campaigns")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("events", "text", (c) => c.notNull())
    .addColumn("public_key", "text", (c) => c.notNull().unique())
    .addColumn("cookie_window_days", "integer", (c) => c.notNull())
    .addColumn("attribution", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("default_currency", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("subscribers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("campaign_id", "text", (c) => c.notNull().references("campaigns.id"))
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("name", "text")
    .addColumn("extra_field", "text")
    .addColumn("extra_field_2", "text")
    .addColumn("code", "text", (c) => c.notNull().unique())
    .addColumn("referred_by", "text", (c) => c.references("subscribers.id"))
    .addColumn("people_referred", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("subscribers_campaign_email")
    .on("subscribers")
    .columns(["campaign_id", "email"])
    .unique()
    .execute();
  await db.schema
    .createIndex("subscribers_campaign_referred")
    .on("subscribers")
    .columns(["campaign_id", "people_referred", "created_at"])
    .execute();
  await db.schema
    .createIndex("subscribers_campaign_created")
    .on("subscribers")
    .columns(["campaign_id", "created_at"])
    .execute();

  await db.schema
    .createTable("visits")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("campaign_id", "text", (c) => c.notNull().references("campaigns.id"))
    .addColumn("visitor_id", "text", (c) => c.notNull())
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("subscriber_id", "text", (c) => c.references("subscribers.id"))
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("landing_page", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("visits_campaign_visitor")
    .on("visits")
    .columns(["campaign_id", "visitor_id", "created_at"])
    .execute();
  await db.schema
    .createIndex("visits_campaign_created")
    .on("visits")
    .columns(["campaign_id", "created_at"])
    .execute();

  await db.schema
    .createTable("conversions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("campaign_id", "text", (c) => c.notNull().references("campaigns.id"))
    .addColumn("event", "text", (c) => c.notNull())
    .addColumn("email", "text")
    .addColumn("first_name", "text")
    .addColumn("last_name", "text")
    .addColumn("amount_minor", "bigint")
    .addColumn("currency", "text")
    .addColumn("transaction_id", "text")
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("verified", "integer", (c) => c.notNull())
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("referrer_id", "text", (c) => c.references("subscribers.id"))
    .addColumn("referral_code", "text")
    .addColumn("visitor_id", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  // The seed's promise: per campaign and event, one conversion per email (NULLs stay distinct on both
  // engines, so conversions without an email are not deduplicated by this index).
  await db.schema
    .createIndex("conversions_campaign_event_email")
    .on("conversions")
    .columns(["campaign_id", "event", "email"])
    .unique()
    .execute();
  await db.schema
    .createIndex("conversions_campaign_event_transaction")
    .on("conversions")
    .columns(["campaign_id", "event", "transaction_id"])
    .unique()
    .execute();
  await db.schema
    .createIndex("conversions_campaign_created")
    .on("conversions")
    .columns(["campaign_id", "created_at"])
    .execute();
  await db.schema.createIndex("conversions_referrer").on("conversions").columns(["referrer_id"]).execute();

  await db.schema
    .createTable("referred_friends")
    .addColumn("referrer_id", "text", (c) => c.notNull().references("subscribers.id"))
    .addColumn("friend_key", "text", (c) => c.notNull())
    .addColumn("conversion_id", "text", (c) => c.notNull().references("conversions.id"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("referred_friends_pk", ["referrer_id", "friend_key"])
    .execute();
}
