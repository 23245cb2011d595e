import {
  ENDPOINT_DISABLE_AFTER_MS,
  newId,
  nextAttemptDelayMs,
  retryAfterMs,
  webhookHeaders,
} from "@vouch/core";
import {
  claimDueMessages,
  type DB,
  type Dialect,
  finishMessage,
  insertWebhookAttempts,
  type Kysely,
  listWebhooksByIds,
  markDelivered,
  updateWebhook,
  type WebhookAttemptRow,
  type WebhookMessageRow,
  type WebhookRow,
} from "@vouch/db";
import { type DeliveryAgents, type DeliveryResult, deliver } from "../webhooks/safe-agent.js";
import { PollLoop } from "./poll-loop.js";

export interface WebhookWorkerOptions {
  db: Kysely<DB>;
  dialect: Dialect;
  agents: DeliveryAgents;
  clock: () => number;
  random?: () => number;
  /** Messages claimed per round; their outcomes are written back in one transaction. */
  batchSize?: number;
  /** Deliveries in flight at once. */
  concurrency?: number;
  /** A claimed message is another worker's to take after this long (a crashed worker's lease runs out). */
  leaseMs?: number;
  timeoutMs?: number;
  /** How often an idle worker looks for due retries. */
  pollMs?: number;
}

type Outcome = {
  message: WebhookMessageRow;
  webhook: WebhookRow | undefined;
  result: DeliveryResult;
  at: number;
};

/**
 * Delivers the outbox: claims due messages with a lease, signs and sends them over keep-alive connections,
 * and records every attempt. Only a 2xx is a success; 410 disables the endpoint; failures retry with backoff
 * for about three days; an endpoint failing for five days straight is disabled.
 */
export class WebhookWorker {
  private readonly o: Required<WebhookWorkerOptions>;
  private readonly loop: PollLoop;
  /** The previous round's outcomes being written while the next round is claimed and sent. */
  private recording: Promise<void> = Promise.resolve();

  constructor(options: WebhookWorkerOptions) {
    this.o = {
      random: Math.random,
      // One wave per round: a round then lasts at most one timeout, well inside the lease.
      batchSize: 64,
      concurrency: 64,
      leaseMs: 30_000,
      timeoutMs: 15_000,
      pollMs: 1_000,
      ...options,
    };
    this.loop = new PollLoop({
      name: "webhook worker",
      pollMs: this.o.pollMs,
      round: () => this.pipelinedRound(),
      settle: () => this.recording,
    });
  }

  start(): void {
    this.loop.start();
  }

  /** New messages were committed: look now rather than at the next poll. */
  nudge(): void {
    this.loop.nudge();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One round: claim what is due, deliver it, record the outcomes. Returns how many were attempted. */
  async runOnce(): Promise<number> {
    const outcomes = await this.claimAndSend();
    await this.record(outcomes);
    return outcomes.length;
  }

  /**
   * The loop pipelines rounds: while one round's outcomes are being recorded, the next is claimed and sent.
   * Claimed messages stay leased until recorded, so no message is in two rounds at once.
   */
  private async pipelinedRound(): Promise<number> {
    const outcomes = await this.claimAndSend();
    await this.recording;
    this.recording = this.record(outcomes).catch((err: Error) => {
      console.error(
        `vouch: webhook worker: recording a round failed (its messages retry when their lease ends): ${err.message}`,
      );
    });
    return outcomes.length;
  }

  /** Claims what is due and sends it, `concurrency` at a time. */
  private async claimAndSend(): Promise<Outcome[]> {
    const now = this.o.clock();
    const messages = await claimDueMessages(this.o.db, this.o.dialect, now, this.o.leaseMs, this.o.batchSize);
    if (messages.length === 0) return [];
    const ids = [...new Set(messages.map((m) => m.webhook_id))];
    const webhooks = new Map((await listWebhooksByIds(this.o.db, ids)).map((w) => [w.id, w]));
    const outcomes: Outcome[] = [];
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < messages.length; i = next++) {
        const message = messages[i] as WebhookMessageRow;
        const webhook = webhooks.get(message.webhook_id);
        outcomes.push({ message, webhook, result: await this.send(message, webhook), at: this.o.clock() });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, messages.length) }, lane));
    return outcomes;
  }

  private async send(message: WebhookMessageRow, webhook: WebhookRow | undefined): Promise<DeliveryResult> {
    if (webhook?.enabled !== 1) {
      return {
        status: null,
        durationMs: 0,
        responseBody: "",
        error: "endpoint disabled",
        errorCode: "ENDPOINT_DISABLED",
      };
    }
    const now = this.o.clock();
    const secrets = [webhook.secret];
    if (webhook.previous_secret && (webhook.previous_secret_until ?? 0) > now)
      secrets.push(webhook.previous_secret);
    const headers = {
      ...webhookHeaders({
        secrets,
        id: message.id,
        timestamp: Math.floor(now / 1000),
        body: message.payload,
      }),
      "content-type": "application/json",
      "user-agent": "Vouch-Webhooks/1.0",
    };
    return deliver({
      url: webhook.url,
      headers,
      body: message.payload,
      agents: this.o.agents,
      timeoutMs: this.o.timeoutMs,
    });
  }

  /** Every attempt of the round, and what follows from it, in one transaction. */
  private async record(outcomes: Outcome[]): Promise<void> {
    const attempts: WebhookAttemptRow[] = [];
    const delivered: Array<{ id: string; at: number }> = [];
    const others: Array<{ id: string; next: ReturnType<WebhookWorker["nextState"]> }> = [];
    const endpointState = new Map<
      string,
      { webhook: WebhookRow; ok: boolean; gone: boolean; failedAt: number }
    >();
    for (const { message, webhook, result, at } of outcomes) {
      const ok = result.status !== null && result.status >= 200 && result.status < 300 && !result.error;
      if (webhook) {
        attempts.push({
          id: newId("att", at),
          message_id: message.id,
          webhook_id: webhook.id,
          attempted_at: at,
          status_code: result.status,
          duration_ms: Math.round(result.durationMs),
          error: storable(result.error ?? (ok ? null : `receiver answered ${result.status}`)),
          response_body: storable(result.responseBody),
        });
        const state = endpointState.get(webhook.id) ?? { webhook, ok: false, gone: false, failedAt: at };
        state.ok ||= ok;
        state.gone ||= result.status === 410;
        endpointState.set(webhook.id, state);
      }
      if (ok) delivered.push({ id: message.id, at });
      else others.push({ id: message.id, next: this.nextState(message, webhook, result, ok, at) });
    }
    // Set-based where it is the common case: one insert for the attempts, one update for the deliveries.
    await this.o.db.transaction().execute(async (trx) => {
      await insertWebhookAttempts(trx, attempts);
      await markDelivered(
        trx,
        delivered.map((d) => d.id),
        Math.max(0, ...delivered.map((d) => d.at)),
      );
      for (const { id, next } of others) await finishMessage(trx, id, next);
      for (const { webhook, ok, gone, failedAt } of endpointState.values()) {
        await this.updateEndpoint(trx, webhook, ok, gone, failedAt);
      }
    });
  }

  private nextState(
    message: WebhookMessageRow,
    webhook: WebhookRow | undefined,
    result: DeliveryResult,
    ok: boolean,
    at: number,
  ) {
    if (ok) return { status: "delivered" as const, at };
    const error = result.error ?? `receiver answered ${result.status}`;
    if (webhook?.enabled !== 1 || result.status === 410) return { status: "failed" as const, error };
    const delay = nextAttemptDelayMs(message.attempts + 1, this.o.random);
    if (delay === null) return { status: "failed" as const, error };
    const asked = retryAfterMs(result.retryAfter, at) ?? 0;
    return { status: "pending" as const, nextAttemptAt: at + Math.max(delay, asked), error };
  }

  private async updateEndpoint(
    trx: Kysely<DB>,
    webhook: WebhookRow,
    ok: boolean,
    gone: boolean,
    at: number,
  ): Promise<void> {
    if (gone) {
      await updateWebhook(trx, webhook.id, {
        enabled: 0,
        disabled_reason: "the receiver answered 410 Gone",
        updated_at: at,
      });
    } else if (ok) {
      if (webhook.failing_since !== null) await updateWebhook(trx, webhook.id, { failing_since: null });
    } else if (webhook.enabled === 1) {
      const since = webhook.failing_since ?? at;
      if (at - since >= ENDPOINT_DISABLE_AFTER_MS) {
        await updateWebhook(trx, webhook.id, {
          enabled: 0,
          disabled_reason: "every delivery failed for 5 days",
          failing_since: since,
          updated_at: at,
        });
      } else if (webhook.failing_since === null) {
        await updateWebhook(trx, webhook.id, { failing_since: at });
      }
    }
  }
}

/** What a receiver answers is stored as text; PostgreSQL refuses NUL characters in text. */
function storable<T extends string | null>(value: T): T {
  return (value === null ? null : value.replaceAll("\u0000", "\uFFFD")) as T;
}
