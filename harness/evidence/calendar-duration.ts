/**
 * Calendar periods for how long evidence stays valid (`run --valid-for`, `merge --valid-for`) and how
 * old it may be (`verify --max-age`): `90d`, `2w`, `6mo`, `18mo`, `1y`, or several parts such as
 * `1y6mo`. Months and years are calendar months and years (UTC): 2026-01-31 + 1mo is 2026-02-28,
 * never a fixed number of days. Weeks are 7 days.
 *
 * Not to be confused with `harness/run/duration.ts` (`60s`, `5m`: how long a run searches), where
 * `m` means minutes; here a bare `m` is refused rather than guessed.
 */
import { UsageError } from '../errors.ts';

/** A period as the calendar adds it: months first (years are 12), then days (weeks are 7). */
export interface CalendarDuration {
  months: number;
  days: number;
  /** As written, normalised (`18mo`, `1y6mo`, `90d`): what messages and evidence show. */
  text: string;
}

const USAGE =
  'a whole number and a unit: 90d, 2w, 6mo, 18mo, 1y, or parts such as 1y6mo (d days, w weeks, mo months, y years)';

/** A period that cannot be read. A usage error (exit 2). */
export class CalendarDurationError extends UsageError {
  constructor(
    readonly input: string,
    reason = `use ${USAGE}`,
    /** The flag it was given to, for the message (`--max-age`). */
    readonly flag?: string,
  ) {
    super(`${flag ? `${flag}: ` : ''}"${input}" is not a period: ${reason}`);
  }
}

const UNITS = ['y', 'mo', 'w', 'd'] as const;
type Unit = (typeof UNITS)[number];
/** Beyond this the evidence would outlive any audit policy, and Date arithmetic its range. */
const MAX_MONTHS = 100 * 12;

/** `flag` names where the text came from in the error message (`--max-age`). */
export function parseCalendarDuration(input: string, flag?: string): CalendarDuration {
  const fail = (reason?: string): never => {
    throw new CalendarDurationError(input, reason, flag);
  };
  const text = input.trim().toLowerCase();
  if (/^\d+\s*m$/.test(text))
    fail(`"m" could mean minutes or months; write months as mo (e.g. ${text.replace(/\s*m$/, 'mo')})`);
  const parts = [...text.matchAll(/(\d+)(mo|y|w|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) fail();
  const seen = new Map<Unit, number>();
  for (const p of parts) {
    const unit = p[2] as Unit;
    if (seen.has(unit)) fail(`the unit ${unit} appears twice; use ${USAGE}`);
    seen.set(unit, Number(p[1]));
  }
  const order = [...seen.keys()].map((u) => UNITS.indexOf(u));
  if (order.some((o, i) => i > 0 && o < order[i - 1]!))
    fail(`write the largest unit first (y, mo, w, d); use ${USAGE}`);
  const months = (seen.get('y') ?? 0) * 12 + (seen.get('mo') ?? 0);
  const days = (seen.get('w') ?? 0) * 7 + (seen.get('d') ?? 0);
  if (months === 0 && days === 0) fail('a period must be longer than zero');
  if (months + days / 31 > MAX_MONTHS) fail('a period may be at most 100 years');
  return {
    months,
    days,
    text: UNITS.filter((u) => seen.has(u))
      .map((u) => `${seen.get(u)}${u}`)
      .join(''),
  };
}

/** The default validity of evidence: twelve months after it was assessed. */
export const DEFAULT_VALIDITY: CalendarDuration = Object.freeze({ months: 12, days: 0, text: '12mo' });

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/**
 * `date` moved by `d` (backwards with `sign` -1), in UTC: the months first, keeping the day of the
 * month where the target month has it and the month's last day otherwise, then the days.
 */
export function addCalendarDuration(date: Date, d: Pick<CalendarDuration, 'months' | 'days'>, sign: 1 | -1 = 1): Date {
  const total = date.getUTCFullYear() * 12 + date.getUTCMonth() + sign * d.months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const day = Math.min(date.getUTCDate(), daysInMonth(year, month));
  // setUTCFullYear, unlike Date.UTC, does not read years 0..99 as 1900..1999.
  const at = new Date(0);
  at.setUTCFullYear(year, month, day);
  at.setUTCHours(date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds());
  return new Date(at.getTime() + sign * d.days * 86_400_000);
}

/** Whole calendar months from `from` to `to` (0 when `to` is not later). */
export function wholeMonthsBetween(from: Date, to: Date): number {
  if (to.getTime() <= from.getTime()) return 0;
  let n = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth());
  while (n > 0 && addCalendarDuration(from, { months: n, days: 0 }).getTime() > to.getTime()) n--;
  return n;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function wholeDaysBetween(from: Date, to: Date): number {
  return Math.trunc((to.getTime() - from.getTime()) / 86_400_000);
}
