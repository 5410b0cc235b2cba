import { describe, expect, it } from 'vitest';
import { EXIT } from '../exit-codes.ts';
import {
  addCalendarDuration,
  CalendarDurationError,
  parseCalendarDuration,
  wholeDaysBetween,
  wholeMonthsBetween,
} from './calendar-duration.ts';

const at = (iso: string) => new Date(iso);

describe('parseCalendarDuration', () => {
  it('reads days, weeks, months and years, alone or largest first', () => {
    expect(parseCalendarDuration('90d')).toEqual({ months: 0, days: 90, text: '90d' });
    expect(parseCalendarDuration('2w')).toEqual({ months: 0, days: 14, text: '2w' });
    expect(parseCalendarDuration('12mo')).toEqual({ months: 12, days: 0, text: '12mo' });
    expect(parseCalendarDuration('18mo')).toEqual({ months: 18, days: 0, text: '18mo' });
    expect(parseCalendarDuration('1y')).toEqual({ months: 12, days: 0, text: '1y' });
    expect(parseCalendarDuration(' 1Y6MO ')).toEqual({ months: 18, days: 0, text: '1y6mo' });
    expect(parseCalendarDuration('1y2w3d')).toEqual({ months: 12, days: 17, text: '1y2w3d' });
  });

  it.each([
    ['', /is not a period: use a whole number and a unit/],
    ['abc', /is not a period/],
    ['18', /is not a period/],
    ['mo', /is not a period/],
    ['1.5y', /is not a period/],
    ['-6mo', /is not a period/],
    ['6 months', /is not a period/],
    ['6mo junk', /is not a period/],
    ['0d', /longer than zero/],
    ['0y0mo', /longer than zero/],
    ['6mo1y', /largest unit first/],
    ['1mo1mo', /appears twice/],
    ['101y', /at most 100 years/],
    ['18m', /could mean minutes or months; write months as mo \(e\.g\. 18mo\)/],
  ])('refuses %j with a usage error (exit 2) that says what to write', (text, message) => {
    let error: unknown;
    try {
      parseCalendarDuration(text, '--max-age');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CalendarDurationError);
    expect((error as CalendarDurationError).exitCode).toBe(EXIT.usage);
    expect((error as Error).message).toMatch(/^--max-age: /);
    expect((error as Error).message).toMatch(message);
  });
});

describe('calendar arithmetic (UTC)', () => {
  it('adds calendar months, keeping the time of day and clamping to the end of a shorter month', () => {
    const m = (months: number, days = 0) => ({ months, days });
    expect(addCalendarDuration(at('2026-12-03T10:20:30.456Z'), m(12)).toISOString()).toBe('2027-12-03T10:20:30.456Z');
    expect(addCalendarDuration(at('2026-01-31T00:00:00.000Z'), m(1)).toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(addCalendarDuration(at('2028-01-31T00:00:00.000Z'), m(1)).toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(addCalendarDuration(at('2026-05-15T08:00:00.000Z'), m(18)).toISOString()).toBe('2027-11-15T08:00:00.000Z');
    expect(addCalendarDuration(at('2026-05-15T08:00:00.000Z'), m(0, 90)).toISOString()).toBe(
      '2026-08-13T08:00:00.000Z',
    );
    expect(addCalendarDuration(at('2027-12-15T08:00:00.000Z'), m(19), -1).toISOString()).toBe(
      '2026-05-15T08:00:00.000Z',
    );
    expect(addCalendarDuration(at('2026-03-31T00:00:00.000Z'), m(1), -1).toISOString()).toBe(
      '2026-02-28T00:00:00.000Z',
    );
  });

  it('counts whole months and whole days between two times', () => {
    expect(wholeMonthsBetween(at('2026-05-15T08:00:00Z'), at('2027-12-15T08:00:00Z'))).toBe(19);
    expect(wholeMonthsBetween(at('2026-05-15T08:00:00Z'), at('2027-12-15T07:59:59Z'))).toBe(18);
    expect(wholeMonthsBetween(at('2026-01-31T00:00:00Z'), at('2026-02-28T00:00:00Z'))).toBe(1);
    expect(wholeMonthsBetween(at('2026-05-15T08:00:00Z'), at('2026-05-01T00:00:00Z'))).toBe(0);
    expect(wholeDaysBetween(at('2026-12-03T10:00:00Z'), at('2026-12-04T09:59:59Z'))).toBe(0);
    expect(wholeDaysBetween(at('2026-12-03T10:00:00Z'), at('2026-12-05T10:00:00Z'))).toBe(2);
    expect(wholeDaysBetween(at('2026-12-05T10:00:00Z'), at('2026-12-03T10:00:00Z'))).toBe(-2);
  });
});
