import { describe, expect, it } from 'vitest';
import { TIME_BAND_MS, TIME_BAND_START, widenTimeWindows } from './value-source.ts';

describe('widenTimeWindows', () => {
  it('makes a from/to window cover the whole time band, within a 92-day limit', () => {
    const q = widenTimeWindows({ from: '2030-01-05T00:00:00Z', to: '2030-01-06T00:00:00Z', other: 1 });
    expect(Date.parse(q.from as string)).toBeLessThan(TIME_BAND_START);
    expect(Date.parse(q.to as string)).toBeGreaterThan(TIME_BAND_START + TIME_BAND_MS);
    expect(Date.parse(q.to as string) - Date.parse(q.from as string)).toBeLessThanOrEqual(92 * 86_400_000);
    expect(q.other).toBe(1);
  });

  it('pairs start/end and since/until with a shared prefix', () => {
    const q = widenTimeWindows({
      windowStart: '2030-01-05T00:00:00Z',
      windowEnd: '2030-01-06T00:00:00Z',
      since: '2030-01-02T00:00:00Z',
      until: '2030-01-03T00:00:00Z',
    });
    expect(Date.parse(q.windowStart as string)).toBeLessThan(TIME_BAND_START);
    expect(Date.parse(q.until as string)).toBeGreaterThan(TIME_BAND_START + TIME_BAND_MS);
  });

  it('leaves parameters that are not date-times alone', () => {
    const input = { from: 'yesterday', to: 'today' };
    expect(widenTimeWindows({ ...input })).toEqual(input);
  });
});
