import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  // Conversions gain the custom fields of the pixel's data object (JSON, bounded by the core schema).
  await db.schema.alterTable("conversions").addColumn("data", "text").execute();
  // "auto": conversions are confirmed on arrival; "manual": they wait, pending, for the owner.
  await db.schema
    .alterTable("campaigns")
    .addColumn("confirmation", "text", (c) => c.notNull().defaultTo("auto"))
    .execute();

  await db.schema
    .createTable("coupon_groups")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("campaign_id", "text", (c) => c.notNull().references("campaigns.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("low_stock_threshold", "integer", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("coupons")
    .addColumn("group_id", "text", (c) => c.notNull().references("coupon_groups.id"))
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("reward_id", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .addPrimaryKeyConstraint("coupons_pk", ["group_id", "code"])
    .execute();
  await db.schema.createIndex("coupons_unused").on("coupons").columns(["group_id", "used_at"]).execute();

  await db.schema
    .createTable("reward_rules")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("campaign_id", "text", (c) => c.notNull().references("campaigns.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("event", "text", (c) => c.notNull())
    .addColumn("referrals_required", "integer", (c) => c.notNull())
    .addColumn("repeat", "text", (c) => c.notNull())
    .addColumn("max_times", "integer")
    .addColumn("conditions", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("value", "text")
    .addColumn("coupon_group_id", "text", (c) => c.references("coupon_groups.id"))
    .addColumn("delivery", "text", (c) => c.notNull())
    .addColumn("hold_days", "integer")
    .addColumn("recipient", "text", (c) => c.notNull())
    .addColumn("archived_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("reward_rules_campaign")
    .on("reward_rules")
    .columns(["campaign_id", "event"])
    .execute();

  // Per rule and ambassador: the friends counted, and how many rewards were granted for them.
  await db.schema
    .createTable("rule_progress")
    .addColumn("rule_id", "text", (c) => c.notNull().references("reward_rules.id"))
    .addColumn("subscriber_id", "text", (c) => c.notNull().references("subscribers.id"))
    .addColumn("counted", "integer", (c) => c.notNull())
    .addColumn("granted", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("rule_progress_pk", ["rule_id", "subscriber_id"])
    .execute();
  await db.schema
    .createTable("rule_friends")
    .addColumn("rule_id", "text", (c) => c.notNull().references("reward_rules.id"))
    .addColumn("subscriber_id", "text", (c) => c.notNull().references("subscribers.id"))
    .addColumn("friend_key", "text", (c) => c.notNull())
    .addColumn("conversion_id", "text", (c) => c.notNull().references("conversions.id"))
    // The order in which friends were counted for the rule and ambassador, given under the progress row's lock.
    .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("rule_friends_pk", ["rule_id", "subscriber_id", "friend_key"])
    .execute();
  // The friends counted last, and the next position, are read under the progress lock on every batch: an index
  // keeps that a lookup however many friends a referrer has.
  await db.schema
    .createIndex("rule_friends_position")
    .on("rule_friends")
    .columns(["rule_id", "subscriber_id", "position"])
    .execute();
  await db.schema
    .createIndex("rule_friends_conversion")
    .on("rule_friends")
    .columns(["conversion_id"])
    .execute();

  await db.schema
    .createTable("rewards")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("campaign_id", "text", (c) => c.notNull().references("campaigns.id"))
    .addColumn("rule_id", "text", (c) => c.notNull().references("reward_rules.id"))
    .addColumn("subscriber_id", "text", (c) => c.references("subscribers.id"))
    .addColumn("recipient_email", "text", (c) => c.notNull())
    .addColumn("sequence", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("needs_coupon", "integer", (c) => c.notNull())
    .addColumn("coupon_code", "text")
    .addColumn("conversion_ids", "text", (c) => c.notNull())
    .addColumn("deliver_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("sent_at", "bigint")
    .execute();
  // Exactly once: the nth reward of a rule for a recipient can be written by one transaction only.
  await db.schema
    .createIndex("rewards_rule_recipient_sequence")
    .on("rewards")
    .columns(["rule_id", "recipient_email", "sequence"])
    .unique()
    .execute();
  await db.schema
    .createIndex("rewards_campaign_status")
    .on("rewards")
    .columns(["campaign_id", "status"])
    .execute();
  await db.schema
    .createIndex("rewards_subscriber")
    .on("rewards")
    .columns(["subscriber_id", "rule_id"])
    .execute();
  await db.schema.createIndex("rewards_due").on("rewards").columns(["status", "deliver_at"]).execute();
}
