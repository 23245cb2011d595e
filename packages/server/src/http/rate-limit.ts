// In-memory rate limits for public routes: they blunt a script hammering one instance (each instance of a
// multi-instance deployment counts on its own). Time is passed in, so tests drive it with a fake clock.

export interface RateLimitOptions {
  /** Requests allowed per `perMs`; also the burst allowed at once. */
  limit: number;
  perMs: number;
  /** The most keys remembered; past it, keys with a full allowance go first, then the least recently used. */
  maxKeys?: number;
}

/**
 * Token buckets kept as one number per key (the generic cell rate algorithm): the time at which the key's
 * bucket would be full again. Integer arithmetic whenever `perMs` divides by `limit`.
 */
export class RateLimiter {
  private readonly fullAt = new Map<string, number>();
  private readonly interval: number;
  private readonly burst: number;
  private readonly maxKeys: number;

  constructor(options: RateLimitOptions) {
    this.interval = options.perMs / options.limit;
    this.burst = (options.limit - 1) * this.interval;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  /** Takes a token for `key`: 0 when the request may go on, else the milliseconds until it may be retried. */
  take(key: string, now: number): number {
    const fullAt = Math.max(this.fullAt.get(key) ?? now, now);
    if (fullAt - now > this.burst) return Math.ceil(fullAt - now - this.burst);
    // Re-inserted, so that the Map's order is least recently used first.
    this.fullAt.delete(key);
    this.fullAt.set(key, fullAt + this.interval);
    if (this.fullAt.size > this.maxKeys) this.prune(now);
    return 0;
  }

  private prune(now: number): void {
    for (const [key, fullAt] of this.fullAt) if (fullAt <= now) this.fullAt.delete(key);
    // Still too many (a flood of distinct keys): forget the least recently used.
    for (const key of this.fullAt.keys()) {
      if (this.fullAt.size <= this.maxKeys) break;
      this.fullAt.delete(key);
    }
  }
}
