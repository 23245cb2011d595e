// In-memory token buckets for the public widget routes: enough to blunt a script hammering one instance.

export interface BucketOptions {
  /** The burst allowed at once. */
  capacity: number;
  /** Milliseconds to earn back one token. */
  refillMs: number;
  /** The most keys remembered; past it, full buckets are forgotten first (they carry no information). */
  maxKeys?: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly options: BucketOptions) {}

  /** Takes a token for `key`; false when its bucket is empty. */
  take(key: string, now: number): boolean {
    const { capacity, refillMs } = this.options;
    const bucket = this.buckets.get(key) ?? { tokens: capacity, at: now };
    const earned = Math.floor(Math.max(0, now - bucket.at) / refillMs);
    if (earned > 0) {
      bucket.tokens = Math.min(capacity, bucket.tokens + earned);
      bucket.at = bucket.tokens === capacity ? now : bucket.at + earned * refillMs;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > (this.options.maxKeys ?? 10_000)) this.prune(now);
    return true;
  }

  private prune(now: number): void {
    const { capacity, refillMs } = this.options;
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.at) / refillMs >= capacity) this.buckets.delete(key);
    }
    // Still too many: a flood of distinct keys; start over rather than grow without bound.
    if (this.buckets.size > (this.options.maxKeys ?? 10_000)) this.buckets.clear();
  }
}
