import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_POLICY,
  IDEMPOTENCY_IN_PROGRESS_TYPE,
  isRetryableStatus,
  parseRetryAfter,
  retryDelayMs,
} from './retry.ts';

describe('retry policy', () => {
  it('retries 408, 429 and 5xx, and no other status', () => {
    for (const s of [408, 429, 500, 502, 503, 504]) expect(isRetryableStatus(s), String(s)).toBe(true);
    for (const s of [400, 401, 403, 404, 405, 409, 413, 415, 422]) expect(isRetryableStatus(s), String(s)).toBe(false);
  });

  it('retries a 409 only when its problem type says the Idempotency-Key is in progress', () => {
    expect(isRetryableStatus(409, IDEMPOTENCY_IN_PROGRESS_TYPE)).toBe(true);
    expect(isRetryableStatus(409, 'https://tenantproof.dev/problems/conflict')).toBe(false);
    expect(isRetryableStatus(422, IDEMPOTENCY_IN_PROGRESS_TYPE)).toBe(false);
  });

  it('reads Retry-After as seconds, as an HTTP date, and retry-after-ms', () => {
    const now = Date.parse('2026-01-05T09:30:00Z');
    expect(parseRetryAfter({ 'retry-after': '3' }, now)).toBe(3000);
    expect(parseRetryAfter({ 'retry-after': '0.5' }, now)).toBe(500);
    expect(parseRetryAfter({ 'retry-after': 'Mon, 05 Jan 2026 09:30:07 GMT' }, now)).toBe(7000);
    expect(parseRetryAfter({ 'retry-after': 'Mon, 05 Jan 2026 09:29:00 GMT' }, now)).toBe(0);
    expect(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '9' }, now)).toBe(250);
    expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(parseRetryAfter({}, now)).toBeUndefined();
  });

  it('backs off exponentially with jitter in [0.75, 1] and a ceiling', () => {
    const p = DEFAULT_RETRY_POLICY;
    expect(retryDelayMs(1, p, undefined, () => 0)).toBe(500);
    expect(retryDelayMs(2, p, undefined, () => 0)).toBe(1000);
    expect(retryDelayMs(3, p, undefined, () => 0)).toBe(2000);
    expect(retryDelayMs(10, p, undefined, () => 0)).toBe(8000);
    expect(retryDelayMs(1, p, undefined, () => 0.999)).toBeGreaterThanOrEqual(375);
    const seen = new Set(Array.from({ length: 20 }, () => retryDelayMs(2, p, undefined)));
    for (const d of seen) expect(d >= 750 && d <= 1000).toBe(true);
  });

  it('obeys a reasonable Retry-After and ignores an unreasonable one', () => {
    const p = DEFAULT_RETRY_POLICY;
    expect(retryDelayMs(1, p, 4000)).toBe(4000);
    expect(retryDelayMs(1, p, 0)).toBe(0);
    expect(retryDelayMs(1, p, 3_600_000, () => 0)).toBe(500);
  });
});
