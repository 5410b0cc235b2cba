import { describe, expect, it } from 'vitest';
import { orderTimeRanges } from './value-source.ts';

describe('orderTimeRanges', () => {
  it('swaps a start that comes after its end', () => {
    const v = orderTimeRanges({ scheduledStart: '2026-03-02T17:00:00Z', scheduledEnd: '2026-03-02T14:00:00Z', title: 'x' });
    expect(v).toEqual({ scheduledStart: '2026-03-02T14:00:00Z', scheduledEnd: '2026-03-02T17:00:00Z', title: 'x' });
  });

  it('pairs from/to query parameters', () => {
    expect(orderTimeRanges({ from: '2026-05-01T00:00:00Z', to: '2026-04-01T00:00:00Z' })).toEqual({ from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' });
  });

  it('widens an empty range by an hour', () => {
    expect(orderTimeRanges({ start: '2026-05-01T00:00:00.000Z', end: '2026-05-01T00:00:00.000Z' }).end).toBe('2026-05-01T01:00:00.000Z');
  });

  it('leaves unrelated and non-time fields alone', () => {
    const input = { startDate: 'soon', endDate: 'later', name: 'n' };
    expect(orderTimeRanges({ ...input })).toEqual(input);
  });
});

describe('foldTimes and widenTimeWindows', () => {
  it('folds date-times and dates into the band, keeping their format', async () => {
    const { foldTimes, TIME_BAND_START, TIME_BAND_MS } = await import('./value-source.ts');
    const folded = foldTimes({ at: '2091-07-14T10:11:12Z', day: '2001-02-03', nested: [{ t: '2044-01-01T00:00:00.000Z' }], text: 'x' }) as Record<string, unknown>;
    for (const v of [folded.at, (folded.nested as { t: string }[])[0]!.t]) {
      const t = Date.parse(v as string);
      expect(t).toBeGreaterThanOrEqual(TIME_BAND_START);
      expect(t).toBeLessThan(TIME_BAND_START + TIME_BAND_MS);
    }
    expect(folded.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(folded.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(folded.text).toBe('x');
  });

  it('makes a from/to window cover the whole band', async () => {
    const { widenTimeWindows, TIME_BAND_START, TIME_BAND_MS } = await import('./value-source.ts');
    const q = widenTimeWindows({ from: '2030-01-05T00:00:00Z', to: '2030-01-06T00:00:00Z', other: 1 });
    expect(Date.parse(q.from as string)).toBeLessThan(TIME_BAND_START);
    expect(Date.parse(q.to as string)).toBeGreaterThan(TIME_BAND_START + TIME_BAND_MS);
    expect(Date.parse(q.to as string) - Date.parse(q.from as string)).toBeLessThanOrEqual(92 * 86_400_000);
    expect(q.other).toBe(1);
  });
});
