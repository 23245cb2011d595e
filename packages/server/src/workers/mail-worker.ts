import { nextAttemptDelayMs, renderVerifyEmail, verificationToken } from "@vouch/core";
import {
  claimDueMail,
  type DB,
  type Dialect,
  finishMail,
  getCampaign,
  type Kysely,
  type MailMessageRow,
} from "@vouch/db";
import { type Mailer, type OutgoingEmail, PermanentMailError } from "../mail/mailer.js";
import { PollLoop } from "./poll-loop.js";

export interface MailWorkerOptions {
  db: Kysely<DB>;
  dialect: Dialect;
  mailer: Mailer;
  from: string;
  /** Where links point: the public URL of this Vouch. */
  publicUrl: string;
  /** The HMAC key of verification links. */
  tokenSecret: string;
  clock: () => number;
  random?: () => number;
  batchSize?: number;
  /** A claimed email is another worker's to take after this long (a crashed worker's lease runs out). */
  leaseMs?: number;
  pollMs?: number;
}

/** What the verify_email template keeps in the outbox row (no token: the link is derived when sent). */
export interface VerifyEmailData {
  verification_id: string;
  name: string | null;
  expires_at: number;
}

/**
 * Sends the mail outbox: claims due emails with a lease, renders and sends them one at a time, and records the
 * outcome. A failure retries on the webhooks' schedule (5 s, 5 min, 30 min, … for about three days); an SMTP
 * 5xx refusal fails the email at once.
 */
export class MailWorker {
  private readonly o: Required<MailWorkerOptions>;
  private readonly loop: PollLoop;

  constructor(options: MailWorkerOptions) {
    this.o = { random: Math.random, batchSize: 20, leaseMs: 120_000, pollMs: 1_000, ...options };
    this.loop = new PollLoop({ name: "mail worker", pollMs: this.o.pollMs, round: () => this.runOnce() });
  }

  start(): void {
    this.loop.start();
  }

  /** New emails were committed: look now rather than at the next poll. */
  nudge(): void {
    this.loop.nudge();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One round: claim what is due and send it. Returns how many were attempted. */
  async runOnce(): Promise<number> {
    const now = this.o.clock();
    const claimed = await claimDueMail(this.o.db, this.o.dialect, now, this.o.leaseMs, this.o.batchSize);
    for (const message of claimed) await this.deliver(message);
    return claimed.length;
  }

  private async deliver(message: MailMessageRow): Promise<void> {
    let error: string;
    let permanent = false;
    try {
      const email = await this.render(message);
      await this.o.mailer.send(email);
      await finishMail(this.o.db, message.id, { status: "sent", at: this.o.clock() });
      return;
    } catch (err) {
      error = (err as Error).message.slice(0, 1000) || "sending failed";
      permanent = err instanceof PermanentMailError || err instanceof UnrenderableMail;
    }
    const delay = permanent ? null : nextAttemptDelayMs(message.attempts + 1, this.o.random);
    await finishMail(
      this.o.db,
      message.id,
      delay === null
        ? { status: "failed", error }
        : { status: "pending", nextAttemptAt: this.o.clock() + delay, error },
    );
    if (delay === null) console.error(`vouch: mail worker: gave up on email ${message.id}: ${error}`);
  }

  private async render(message: MailMessageRow): Promise<OutgoingEmail> {
    const campaign = await getCampaign(this.o.db, message.campaign_id);
    if (!campaign) throw new UnrenderableMail("its campaign no longer exists");
    const data = JSON.parse(message.data) as VerifyEmailData;
    const token = verificationToken(this.o.tokenSecret, data.verification_id);
    const rendered = renderVerifyEmail({
      campaignName: campaign.name,
      siteUrl: campaign.url,
      name: data.name,
      link: `${this.o.publicUrl}/verify/${token}`,
      expiresAt: data.expires_at,
    });
    return { from: this.o.from, to: message.to_address, ...rendered };
  }
}

class UnrenderableMail extends Error {}
