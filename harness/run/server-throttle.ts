/**
 * Politeness toward a server's own rate limit, shared by every request of a client. It reads what
 * the server says and paces the harness to it:
 *
 * - `Retry-After` on a 429 or 503: no request goes out until then;
 * - `RateLimit-Remaining` / `RateLimit-Reset` (or the `X-RateLimit-*` forms): when nothing remains,
 *   no request until the reset; otherwise the requests left are spread over the time left, so the
 *   window is never overrun (adaptive throttling, with no 429 needed to learn the limit).
 *
 * `--max-rps` (RateGate) is a ceiling of the user's; this follows the target's own.
 */
import { retryAfterMs, sleep } from './sleep.ts';

const header = (h: Record<string, string>, ...names: string[]): string | undefined =>
  names.map((n) => h[n]).find((v) => v !== undefined);

/** Seconds in a RateLimit-Reset value: delta seconds, or an epoch timestamp (as some servers send). */
function resetMs(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  const n = Number(value);
  return n > 1e9 ? Math.max(0, n * 1000 - Date.now()) : n * 1000;
}

export class ServerThrottle {
  private pausedUntil = 0;
  private spacingMs = 0;
  private nextAt = 0;
  /** Requests the server answered 429 (after any retries): for the "mostly throttled" verdict. */
  throttledAnswers = 0;
  answers = 0;

  /** Waits until a request may go out, never past `deadline` (epoch ms). */
  async take(signal?: AbortSignal, deadline?: number): Promise<void> {
    const now = Date.now();
    const at = Math.max(this.pausedUntil, this.nextAt, now);
    this.nextAt = at + this.spacingMs;
    const until = deadline !== undefined ? Math.min(at, deadline) : at;
    if (until > now) await sleep(until - now, signal);
  }

  /** How long a throttled request should wait before its retry (undefined: no hint from the server). */
  retryWaitMs(status: number, headers: Record<string, string>): number | undefined {
    if (status !== 429 && status !== 503) return undefined;
    return retryAfterMs(headers['retry-after']) ?? resetMs(header(headers, 'ratelimit-reset', 'x-ratelimit-reset'));
  }

  /** Learns from an answer's rate-limit headers. */
  observe(status: number, headers: Record<string, string>): void {
    const now = Date.now();
    const wait = this.retryWaitMs(status, headers);
    if (wait !== undefined) this.pausedUntil = Math.max(this.pausedUntil, now + wait);
    const remaining = header(headers, 'ratelimit-remaining', 'x-ratelimit-remaining');
    const reset = resetMs(header(headers, 'ratelimit-reset', 'x-ratelimit-reset'));
    if (remaining === undefined || reset === undefined || !/^\d+$/.test(remaining.trim())) return;
    const left = Number(remaining);
    if (left === 0) this.pausedUntil = Math.max(this.pausedUntil, now + reset);
    // Spread what is left over the window (and relax once a new window opens with room to spare).
    this.spacingMs = left > 0 ? reset / left : 0;
  }

  /** Counts a final answer (after retries), for the share of throttled answers. */
  count(status: number | undefined): void {
    this.answers++;
    if (status === 429) this.throttledAnswers++;
  }
}
