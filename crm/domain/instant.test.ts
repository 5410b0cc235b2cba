import { describe, expect, it } from 'vitest';
import { canonicalInstant, instantMs } from './instant.ts';

describe('instants', () => {
  it('reads a leap second as the start of the next second', () => {
    expect(canonicalInstant('2016-12-31T23:59:60Z')).toBe('2017-01-01T00:00:00.000Z');
    expect(canonicalInstant('2016-12-31T23:59:60.5+00:00')).toBe('2017-01-01T00:00:00.000Z');
  });

  it('reads ordinary timestamps and offsets as Date does', () => {
    expect(canonicalInstant('2026-01-05T10:30:00+01:00')).toBe('2026-01-05T09:30:00.000Z');
    expect(instantMs('2026-01-05T09:30:00Z')).toBe(Date.UTC(2026, 0, 5, 9, 30));
  });

  it('gives NaN for text that is not a timestamp', () => {
    expect(instantMs('soon')).toBeNaN();
  });
});
