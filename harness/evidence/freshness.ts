/**
 * How old a run's evidence is, and whether the signer still vouches for it: what `verify` warns
 * about (past `validUntil`) and fails on (`--max-age`), and what the report's header says.
 *
 * Evidence of schema 1.0 records neither field: its assessment time is taken to be the end of the
 * run (`method.endedAt`, what 1.1 writes as `assessedAt`), and its validity is unknown (no default
 * is assumed for a period the signer never stated). `--max-age` applies to it all the same.
 */
import {
  addCalendarDuration,
  wholeDaysBetween,
  wholeMonthsBetween,
  type CalendarDuration,
} from './calendar-duration.ts';

export interface Freshness {
  /** When the target was assessed (ISO, UTC). */
  assessedAt: string;
  /** `assessedAt` from the evidence, or `method.endedAt` for evidence written before schema 1.1. */
  source: 'assessedAt' | 'method.endedAt';
  /** Absent when the evidence does not say (schema 1.0). */
  validUntil?: string;
  /** Whole days from assessedAt to now (negative: assessed "in the future", a wrong clock). */
  ageDays: number;
  /** Whole calendar months from assessedAt to now. */
  ageMonths: number;
  /** Now is past validUntil. */
  expired: boolean;
  /** Whole days from validUntil to now, when expired. */
  expiredDays?: number;
}

export interface FreshnessInput {
  assessedAt?: string | undefined;
  validUntil?: string | undefined;
  method: { endedAt: string };
}

export function freshnessOf(e: FreshnessInput, now: Date): Freshness {
  const assessedAt = e.assessedAt ?? e.method.endedAt;
  const at = new Date(assessedAt);
  const expired = e.validUntil !== undefined && now.getTime() > Date.parse(e.validUntil);
  return {
    assessedAt,
    source: e.assessedAt !== undefined ? 'assessedAt' : 'method.endedAt',
    ...(e.validUntil !== undefined ? { validUntil: e.validUntil } : {}),
    ageDays: wholeDaysBetween(at, now),
    ageMonths: wholeMonthsBetween(at, now),
    expired,
    ...(expired ? { expiredDays: wholeDaysBetween(new Date(e.validUntil!), now) } : {}),
  };
}

const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** "0 days ago", "580 days ago (19 months)", "3 days in the future". */
export function ageText(f: Pick<Freshness, 'ageDays' | 'ageMonths'>): string {
  if (f.ageDays < 0) return `${plural(-f.ageDays, 'day')} in the future`;
  return `${plural(f.ageDays, 'day')} ago${f.ageMonths > 0 ? ` (${plural(f.ageMonths, 'month')})` : ''}`;
}

/**
 * Why the evidence is older than `maxAge` allows (undefined when it is not): it is too old once
 * `assessedAt + maxAge` has passed.
 */
export function maxAgeProblem(f: Freshness, maxAge: CalendarDuration, now: Date): string | undefined {
  const limit = addCalendarDuration(new Date(f.assessedAt), maxAge);
  if (now.getTime() <= limit.getTime()) return undefined;
  return (
    `assessed ${f.assessedAt}${f.source === 'method.endedAt' ? ' (when the run ended; evidence schema 1.0 records no assessedAt)' : ''}, ` +
    `${ageText(f)}: older than --max-age ${maxAge.text}, which it passed on ${limit.toISOString()}`
  );
}

/** What `verify` says of the evidence's age: a line for a folder that verifies, and warnings. */
export function freshnessLines(f: Freshness): { info: string; warnings: string[] } {
  const warnings: string[] = [];
  if (f.ageDays < 0)
    warnings.push(
      `WARNING: assessedAt ${f.assessedAt} is ${plural(-f.ageDays, 'day')} in the future: the clock where the run was signed, or here, is wrong`,
    );
  if (f.expired)
    warnings.push(
      `WARNING: the evidence expired on ${f.validUntil} (validUntil), ${plural(f.expiredDays ?? 0, 'day')} ago; it was assessed ${f.assessedAt}, ${ageText(f)}. Ask for a fresh run.`,
    );
  const info =
    f.source === 'method.endedAt'
      ? `Assessed ${f.assessedAt} (when the run ended), ${ageText(f)}; validity unknown: evidence schema 1.0 records no assessedAt or validUntil.`
      : `Assessed ${f.assessedAt}, ${ageText(f)}; valid until ${f.validUntil ?? 'not recorded'}${f.expired ? ' (expired)' : ''}.`;
  return { info, warnings };
}
