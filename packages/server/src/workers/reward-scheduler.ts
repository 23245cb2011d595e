import { type DB, getReward, type Kysely, listDueHeldRewards, updateReward } from "@vouch/db";
import { announceSent } from "../use-cases/manage-rewards.js";

export interface RewardSchedulerOptions {
  db: Kysely<DB>;
  clock: () => number;
  /** Called when rewards were sent (their reward_sent messages are in the outbox). */
  onSent: () => void;
  intervalMs?: number;
}

/**
 * Sends rewards held for N days once the hold is over. A reward whose conversions were cancelled meanwhile was
 * already cancelled by the reversal, so only live, held rewards fall due here.
 */
export class RewardScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: RewardSchedulerOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.runOnce().catch((err: Error) =>
        console.error(`vouch: reward scheduler: ${err.message}`),
      );
    }, this.o.intervalMs ?? 30_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Sends what is due now; returns how many rewards were sent. */
  async runOnce(): Promise<number> {
    const now = this.o.clock();
    let sent = 0;
    for (const due of await listDueHeldRewards(this.o.db, now, 500)) {
      const done = await this.o.db.transaction().execute(async (trx) => {
        const reward = await getReward(trx, due.id);
        if (reward?.status !== "pending" || reward.needs_coupon === 1) return false;
        const changed = { ...reward, status: "sent" as const, sent_at: now, updated_at: now };
        await updateReward(trx, reward.id, { status: "sent", sent_at: now, updated_at: now });
        await announceSent(trx, changed, now);
        return true;
      });
      if (done) sent++;
    }
    if (sent > 0) this.o.onSent();
    return sent;
  }
}
