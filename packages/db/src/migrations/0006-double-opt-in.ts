import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  // Double opt-in per campaign: off for existing campaigns, which keep working as before.
  await db.schema
    .alterTable("campaigns")
    .addColumn("double_opt_in", "integer", (c) => c.notNull().defaultTo(0))
    .execute();

  // An ambassador who was asked to confirm their email and has not yet: they earn no rewards until they do.
  // 0 for everyone else (existing ambassadors, those the owner adds or imports), so no backfill is needed and
  // every other way of inserting ambassadors stays as it is. verified_at: when they confirmed (null: never
  // asked, or not yet).
  await db.schema
    .alterTable("subscribers")
    .addColumn("verification_pending", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable("subscribers").addColumn("verified_at", "bigint").execute();

  // One row per verification link sent. No token is stored: the link carries the id and an HMAC of it under
  // the server's secret, so a copy of the database holds no working link.
  await db.schema
    .createTable("subscriber_verifications")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("subscriber_id", "text", (c) => c.notNull().references("subscribers.id"))
    .addColumn("campaign_id", "text", (c) => c.notNull().references("campaigns.id"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .execute();
  await db.schema
    .createIndex("subscriber_verifications_subscriber")
    .on("subscriber_verifications")
    .columns(["subscriber_id", "created_at"])
    .execute();

  // The mail outbox: written in the transaction of the change that sends the mail, sent by the mail worker.
  // `data` holds what the template needs (never a token: the worker derives the link when it sends).
  await db.schema
    .createTable("mail_messages")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("campaign_id", "text", (c) => c.notNull().references("campaigns.id"))
    .addColumn("subscriber_id", "text", (c) => c.references("subscribers.id"))
    .addColumn("template", "text", (c) => c.notNull())
    .addColumn("to_address", "text", (c) => c.notNull())
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
    .addColumn("lease_until", "bigint")
    .addColumn("last_error", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("sent_at", "bigint")
    .execute();
  await db.schema
    .createIndex("mail_messages_due")
    .on("mail_messages")
    .columns(["status", "next_attempt_at"])
    .execute();
}
