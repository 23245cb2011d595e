import type { DB, Dialect, Kysely } from "@vouch/db";
import type { CampaignCache } from "./campaign-cache.js";
import type { Config } from "./config.js";
import type { IngestBatcher } from "./workers/ingest-batcher.js";
import type { MailWorker } from "./workers/mail-worker.js";
import type { WebhookWorker } from "./workers/webhook-worker.js";

/** What the routes are given: built once by the composition root. */
export interface AppContext {
  config: Config;
  db: Kysely<DB>;
  dialect: Dialect;
  ingest: IngestBatcher;
  campaigns: CampaignCache;
  webhooks: WebhookWorker;
  adminKeyHash: string;
  /** The mail outbox's sender (double opt-in emails). */
  mail: MailWorker;
  /** The HMAC key of verification links. */
  verificationSecret: string;
  clock: () => number;
}
