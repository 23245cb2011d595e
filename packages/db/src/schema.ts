// Table types shared by both dialects. Times are integer milliseconds since the epoch (UTC);
// money is integer minor units beside an ISO 4217 currency; booleans are 0/1 integers.
import type { Generated, Insertable, Selectable } from "kysely";

export interface SettingsTable {
  key: string;
  value: string;
}

export interface CampaignsTable {
  id: string;
  name: string;
  url: string;
  /** JSON array of event names. */
  events: string;
  public_key: string;
  cookie_window_days: number;
  attribution: "first" | "last";
  status: "active" | "paused";
  default_currency: string;
  /** "auto": conversions are confirmed on arrival; "manual": they wait, pending, for the owner. */
  confirmation: Generated<"auto" | "manual">;
  /** JSON array of the hostnames that may call identify; null: the host of `url`. */
  allowed_domains: string | null;
  /** 1: ambassadors who join through the widgets or identify confirm their email before they earn rewards. */
  double_opt_in: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface SubscribersTable {
  id: string;
  campaign_id: string;
  email: string;
  name: string | null;
  extra_field: string | null;
  extra_field_2: string | null;
  code: string;
  referred_by: string | null;
  people_referred: Generated<number>;
  created_at: number;
  /** 1 while the ambassador has been asked to confirm their email and has not: they earn no rewards. */
  verification_pending: Generated<number>;
  /** When they confirmed their email; null when never asked, or not yet. */
  verified_at: number | null;
  /**
   * When the owner deleted the ambassador: their personal data is erased (the email replaced by a placeholder),
   * their code attributes nothing, and every lookup but the owner's accounting skips them. Null while they exist.
   */
  deleted_at: Generated<number | null>;
}

export interface VisitsTable {
  id: string;
  campaign_id: string;
  visitor_id: string;
  code: string;
  subscriber_id: string | null;
  source: string;
  landing_page: string;
  created_at: number;
}

export interface ConversionsTable {
  id: string;
  campaign_id: string;
  event: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  amount_minor: number | null;
  currency: string | null;
  transaction_id: string | null;
  source: string;
  status: "pending" | "confirmed" | "cancelled" | "refunded";
  verified: number;
  channel: "pixel" | "api";
  referrer_id: string | null;
  referral_code: string | null;
  visitor_id: string | null;
  /** Custom fields of the pixel's data object, as a JSON object of strings (null when none). */
  data: string | null;
  created_at: number;
}

/** One row per distinct friend a referrer brought to a conversion: the basis of people_referred. */
export interface ReferredFriendsTable {
  referrer_id: string;
  friend_key: string;
  conversion_id: string;
  created_at: number;
}

export interface WebhooksTable {
  id: string;
  campaign_id: string;
  url: string;
  /** JSON array of event types. */
  events: string;
  enabled: number;
  secret: string;
  /** After a rotation the old secret signs too, until previous_secret_until. */
  previous_secret: string | null;
  previous_secret_until: number | null;
  disabled_reason: string | null;
  /** When the current run of failed deliveries began; null while deliveries succeed. */
  failing_since: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookMessagesTable {
  id: string;
  webhook_id: string;
  event_type: string;
  /** The exact body sent, so every retry carries the same bytes and signature input. */
  payload: string;
  status: "pending" | "delivered" | "failed";
  attempts: Generated<number>;
  next_attempt_at: number;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface WebhookAttemptsTable {
  id: string;
  message_id: string;
  webhook_id: string;
  attempted_at: number;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  response_body: string;
}

export interface RewardRulesTable {
  id: string;
  campaign_id: string;
  name: string;
  event: string;
  referrals_required: number;
  repeat: "once" | "every";
  max_times: number | null;
  /** JSON array of conditions (core's RewardCondition). */
  conditions: string;
  description: string;
  /** JSON {type, amount, currency?} or null. */
  value: string | null;
  coupon_group_id: string | null;
  delivery: "immediate" | "manual" | "hold";
  hold_days: number | null;
  recipient: "referrer" | "referee";
  archived_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface RuleProgressTable {
  rule_id: string;
  subscriber_id: string;
  counted: number;
  granted: number;
}

export interface RuleFriendsTable {
  rule_id: string;
  subscriber_id: string;
  friend_key: string;
  conversion_id: string;
  /** The order in which friends were counted for the rule and ambassador (1, 2, …). */
  position: Generated<number>;
  created_at: number;
}

export interface RewardsTable {
  id: string;
  campaign_id: string;
  rule_id: string;
  subscriber_id: string | null;
  recipient_email: string;
  /** The nth reward of this rule for this recipient (1-based). */
  sequence: number;
  status: "pending" | "approved" | "sent" | "cancelled" | "flagged";
  needs_coupon: number;
  coupon_code: string | null;
  /** JSON array of the conversion ids that earned it. */
  conversion_ids: string;
  deliver_at: number | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}

export interface CouponGroupsTable {
  id: string;
  campaign_id: string;
  name: string;
  low_stock_threshold: number;
  created_at: number;
}

export interface CouponsTable {
  group_id: string;
  code: string;
  reward_id: string | null;
  created_at: number;
  used_at: number | null;
}

/** The ambassador a browser identified as (rht("identify")): one per campaign and visitor id, the latest. */
export interface VisitorLinksTable {
  campaign_id: string;
  visitor_id: string;
  subscriber_id: string;
  created_at: number;
}

/** An ambassador signed in to the widgets: the SHA-256 of an opaque token, valid until expires_at. */
export interface WidgetSessionsTable {
  token_hash: string;
  campaign_id: string;
  subscriber_id: string;
  created_at: number;
  expires_at: number;
}

/** Shares through the widgets' buttons, counted per ambassador and network. */
export interface WidgetSharesTable {
  subscriber_id: string;
  network: string;
  count: number;
  updated_at: number;
}

/** A campaign's secret for signing one-click join links (the owner's server signs with it too); one each. */
export interface JoinLinkSecretsTable {
  campaign_id: string;
  secret: string;
  created_at: number;
}

/** A verification link sent to an ambassador: the link is the id plus an HMAC of it, so no token is stored. */
export interface SubscriberVerificationsTable {
  id: string;
  subscriber_id: string;
  campaign_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** The mail outbox: one email to send, rendered from `template` and `data` when it is sent. */
export interface MailMessagesTable {
  id: string;
  campaign_id: string;
  subscriber_id: string | null;
  template: "verify_email";
  to_address: string;
  /** JSON of what the template needs. */
  data: string;
  status: "pending" | "sent" | "failed";
  attempts: Generated<number>;
  next_attempt_at: number;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export interface DB {
  settings: SettingsTable;
  campaigns: CampaignsTable;
  subscribers: SubscribersTable;
  visits: VisitsTable;
  conversions: ConversionsTable;
  referred_friends: ReferredFriendsTable;
  webhooks: WebhooksTable;
  webhook_messages: WebhookMessagesTable;
  webhook_attempts: WebhookAttemptsTable;
  reward_rules: RewardRulesTable;
  rule_progress: RuleProgressTable;
  rule_friends: RuleFriendsTable;
  rewards: RewardsTable;
  coupon_groups: CouponGroupsTable;
  coupons: CouponsTable;
  widget_sessions: WidgetSessionsTable;
  widget_shares: WidgetSharesTable;
  visitor_links: VisitorLinksTable;
  join_link_secrets: JoinLinkSecretsTable;
  subscriber_verifications: SubscriberVerificationsTable;
  mail_messages: MailMessagesTable;
}

export type CampaignRow = Selectable<CampaignsTable>;
export type SubscriberRow = Selectable<SubscribersTable>;
export type NewSubscriberRow = Insertable<SubscribersTable>;
export type VisitRow = Selectable<VisitsTable>;
export type ConversionRow = Selectable<ConversionsTable>;
export type NewConversionRow = Insertable<ConversionsTable>;
export type WebhookRow = Selectable<WebhooksTable>;
export type WebhookMessageRow = Selectable<WebhookMessagesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;
export type RewardRuleRow = Selectable<RewardRulesTable>;
export type RewardRow = Selectable<RewardsTable>;
export type CouponGroupRow = Selectable<CouponGroupsTable>;
export type VisitorLinkRow = Selectable<VisitorLinksTable>;
export type WidgetSessionRow = Selectable<WidgetSessionsTable>;
export type JoinLinkSecretRow = Selectable<JoinLinkSecretsTable>;
export type SubscriberVerificationRow = Selectable<SubscriberVerificationsTable>;
export type MailMessageRow = Selectable<MailMessagesTable>;
