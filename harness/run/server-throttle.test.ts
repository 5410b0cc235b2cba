import { describe, expect, it } from 'vitest';
import { parseRate } from './rate.ts';
import { ServerThrottle } from './server-throttle.ts';

describe('server throttle', () => {
  it('reads Retry-After (seconds or date) and RateLimit-Reset for a 429, and nothing for a 200', () => {
    const t = new ServerThrottle();
    expect(t.retryWaitMs(429, { 'retry-after': '55' })).toBe(55_000);
    expect(t.retryWaitMs(429, { 'ratelimit-reset': '12' })).toBe(12_000);
    expect(t.retryWaitMs(503, {})).toBeUndefined();
    expect(t.retryWaitMs(200, { 'retry-after': '5' })).toBeUndefined();
  });

  it('holds requests until a Retry-After passes, but never past the deadline', async () => {
    const t = new ServerThrottle();
    t.observe(429, { 'retry-after': '3600' });
    const started = Date.now();
    await t.take(undefined, started + 30);
    expect(Date.now() - started).toBeLessThan(3_600_000);
    expect(Date.now()).toBeGreaterThanOrEqual(started + 25);
  });

  it('counts throttled answers', () => {
    const t = new ServerThrottle();
    for (const s of [200, 429, 429, 404]) t.count(s);
    expect([t.answers, t.throttledAnswers]).toEqual([4, 2]);
  });
});

describe('request rates', () => {
  it('takes per-second and per-minute forms, and refuses the rest', () => {
    expect(parseRate('20')).toBe(20);
    expect(parseRate('0.5')).toBe(0.5);
    expect(parseRate('90/m')).toBe(1.5);
    expect(parseRate('3600/h')).toBe(1);
    expect(parseRate(2)).toBe(2);
    expect(() => parseRate('fast')).toThrow(/not a request rate/);
    expect(() => parseRate('0')).toThrow(/not a request rate/);
  });
});
