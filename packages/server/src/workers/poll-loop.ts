// The loop behind the outbox workers (webhooks, mail): a round at once while rounds find work, otherwise the
// next round after `pollMs`, or sooner when nudged because new work was committed.

export interface PollLoopOptions {
  /** One round; returns how many items it attempted (0: nothing was due). */
  round: () => Promise<number>;
  pollMs: number;
  /** Awaited before the loop sleeps and once it stops: what a round left running in the background. */
  settle?: () => Promise<void>;
  /** Names the worker in the line logged when a round fails. */
  name: string;
}

export class PollLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private pendingNudge = false;

  constructor(private readonly o: PollLoopOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** New work was committed: look now rather than at the next poll. */
  nudge(): void {
    this.pendingNudge = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.pendingNudge = false;
      let attempted = 0;
      try {
        attempted = await this.o.round();
      } catch (err) {
        console.error(`vouch: ${this.o.name}: ${(err as Error).message}`);
      }
      if (attempted > 0 || this.pendingNudge || !this.running) continue;
      await this.o.settle?.();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.o.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    await this.o.settle?.();
  }
}
