/**
 * Retry policy: which failures are retried, and how long to wait. Connection errors, timeouts, 408,
 * 429 and 5xx are retried, and a 409 whose problem type is `idempotency-in-progress` (the same
 * Idempotency-Key is still running: the retry gets its response); no other 4xx ever is. The wait is exponential with jitter, and a server's
 * `Retry-After` (seconds or an HTTP date) or `retry-after-ms` wins when it is reasonable (≤ 60 s).
 */
export interface RetryPolicy {
  maxRetries: number;
  /** First backoff, before jitter. Default 500 ms. */
  initialDelayMs: number;
  /** Backoff ceiling. Default 8 s. */
  maxDelayMs: number;
  /** Longest `Retry-After` honoured; longer values fall back to the backoff. Default 60 s. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

/** The problem type of a 409 that means "a request with this Idempotency-Key is still running". */
export const IDEMPOTENCY_IN_PROGRESS_TYPE = 'https://tenantproof.dev/problems/idempotency-in-progress';

export function isRetryableStatus(status: number, problemType?: string): boolean {
  if (status === 409) return problemType === IDEMPOTENCY_IN_PROGRESS_TYPE;
  return status === 408 || status === 429 || status >= 500;
}

/** Milliseconds the server asked us to wait, or undefined if it did not say (or said nonsense). */
export function parseRetryAfter(headers: Record<string, string>, now: number = Date.now()): number | undefined {
  const ms = headers['retry-after-ms'];
  if (ms !== undefined && ms.trim() !== '' && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const raw = headers['retry-after'];
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(raw)) return Number(raw) * 1000;
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Delay before retry number `retry` (1 for the first retry): Retry-After if given and within
 * bounds, otherwise min(initial × 2^(retry−1), max) scaled by a jitter factor in [0.75, 1].
 */
export function retryDelayMs(
  retry: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0 && retryAfterMs <= policy.maxRetryAfterMs) return retryAfterMs;
  const base = Math.min(policy.initialDelayMs * 2 ** (retry - 1), policy.maxDelayMs);
  const jitter = 1 - random() * 0.25;
  return Math.round(base * jitter);
}

/** Sleeps, waking early (rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
