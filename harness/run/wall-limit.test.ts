import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { stopReason, WallLimit } from './wall-limit.ts';

describe('WallLimit', () => {
  it('aborts its signal at the ceiling, with a reason that says which limit and why', async () => {
    const wall = new WallLimit(1, 0, { slackMs: 0, reserveMs: 0 });
    await once(wall.signal, 'abort');
    expect(wall.reached).toBe(true);
    expect(stopReason(wall.signal)).toBe(wall.reason);
    expect(wall.reason).toMatch(/^the run reached its wall-time limit \(1ms: budget \+ shrink budget \+ 0ms/);
    expect(wall.reason).toMatch(/requests still in flight were cancelled$/);
  });

  it('names the promise: budget + shrink budget + 60 s, with 20 s kept to seal', () => {
    const wall = new WallLimit(60_000, 20_000);
    expect(wall.reason).toContain('(2m20s: budget + shrink budget + 1m00s, 20s of it kept to seal the evidence)');
    expect(wall.reached).toBe(false);
    wall.dispose();
  });

  it('does not fire once disposed; a signal (SIGINT) reads as one', async () => {
    const wall = new WallLimit(1, 0, { slackMs: 0, reserveMs: 0 });
    wall.dispose();
    const other = new WallLimit(5, 0, { slackMs: 0, reserveMs: 0 });
    await once(other.signal, 'abort');
    expect(wall.reached).toBe(false);
    const sigint = new AbortController();
    sigint.abort();
    expect(stopReason(sigint.signal)).toBe('stopped by signal');
  });
});
