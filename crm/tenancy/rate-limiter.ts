/** Token bucket per key (the tenant after auth; the client IP before). */
export interface RateLimit {
  requestsPerSecond: number;
  burst: number;
}

export interface RateDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

const MAX_BUCKETS = 10_000;

export class TokenBucketLimiter {
  readonly #buckets = new Map<string, { tokens: number; updated: number }>();
  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(key: string): RateDecision {
    const now = this.now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.limit.burst, updated: now };
    bucket.tokens = Math.min(
      this.limit.burst,
      bucket.tokens + ((now - bucket.updated) / 1000) * this.limit.requestsPerSecond,
    );
    bucket.updated = now;
    if (!this.#buckets.has(key) && this.#buckets.size >= MAX_BUCKETS) this.#pruneFull(now);
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    const wait = (1 - bucket.tokens) / this.limit.requestsPerSecond;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(wait)) };
  }

  clear(): void {
    this.#buckets.clear();
  }

  /** Forgets buckets that have refilled completely: they behave exactly like new ones. */
  #pruneFull(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.updated) / 1000) * this.limit.requestsPerSecond >= this.limit.burst)
        this.#buckets.delete(key);
    }
  }
}

export class InvalidRateLimitError extends Error {
  override name = 'InvalidRateLimitError';
}

/** Parses `rps:burst` (the CRM_RATE_LIMIT format). */
export function parseRateLimit(text: string): RateLimit {
  const match = /^(\d+(?:\.\d+)?):(\d+)$/.exec(text.trim());
  if (!match) throw new InvalidRateLimitError(`invalid rate limit "${text}", expected rps:burst`);
  const limit = { requestsPerSecond: Number(match[1]), burst: Number(match[2]) };
  if (limit.requestsPerSecond <= 0 || limit.burst < 1) throw new InvalidRateLimitError(`invalid rate limit "${text}"`);
  return limit;
}
