import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckpointSealer } from './checkpoint-sealer.ts';

describe('checkpoint sealer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A seal that takes `ms` of (fake) time. */
  const slowSeal = (ms: number, log: number[]) => () =>
    new Promise<void>((done) => {
      log.push(Date.now());
      if (ms === 0) done();
      else setTimeout(done, ms);
    });

  it('seals on its interval while seals are cheap', async () => {
    const starts: number[] = [];
    const s = new CheckpointSealer(slowSeal(0, starts), () => undefined);
    const t0 = Date.now();
    s.start(1000);
    await vi.advanceTimersByTimeAsync(5000);
    await s.stop();
    expect(starts.map((t) => t - t0)).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(s.count).toBe(5);
  });

  it('after a seal that took d, waits at least 4·d: sealing takes at most a fifth of the run', async () => {
    const starts: number[] = [];
    const s = new CheckpointSealer(slowSeal(3000, starts), () => undefined);
    const t0 = Date.now();
    s.start(1000);
    await vi.advanceTimersByTimeAsync(60_000);
    await s.stop();
    const at = starts.map((t) => t - t0);
    // First at 1 s, ends at 4 s; the next no sooner than 4 + 12 = 16 s, then 16 + 3 + 12 = 31 s…
    expect(at.slice(0, 3)).toEqual([1000, 16000, 31000]);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(5 * 3000);
  });

  it('reports a failed seal and goes on', async () => {
    const warnings: string[] = [];
    let calls = 0;
    const s = new CheckpointSealer(
      async () => {
        if (++calls === 1) throw new Error('disk full');
      },
      (m) => warnings.push(m),
    );
    s.start(1000);
    await vi.advanceTimersByTimeAsync(3000);
    await s.stop();
    expect(warnings).toEqual(['checkpoint could not be sealed: disk full']);
    expect(s.count).toBe(2);
  });
});
