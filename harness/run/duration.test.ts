import { describe, expect, it } from 'vitest';
import { DurationError, formatDuration, parseDuration, parseDurationOrZero } from './duration.ts';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['60s', 60_000],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['45', 45_000],
    ['1.5s', 1500],
  ])('%s → %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each(['', 'abc', '10x', '5m garbage', '0s', '-3s'])(
    'rejects %j with a message that shows the accepted forms',
    (input) => {
      expect(() => parseDuration(input)).toThrow(DurationError);
      expect(() => parseDuration(input)).toThrow(/90s, 2m/);
    },
  );
});

describe('parseDurationOrZero (settings where 0 means none, e.g. --replay-settle)', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['0ms', 0],
    [0, 0],
    ['250ms', 250],
    ['10s', 10_000],
  ] as const)('%s → %d ms', (input, ms) => {
    expect(parseDurationOrZero(input)).toBe(ms);
  });

  it.each(['', '-1s', '0x', 'never'])('still rejects %j', (input) => {
    expect(() => parseDurationOrZero(input)).toThrow(DurationError);
  });
});

describe('formatDuration', () => {
  it('is short and human', () => {
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(4200)).toBe('4.2s');
    expect(formatDuration(95_000)).toBe('1m35s');
  });
});
