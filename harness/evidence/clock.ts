/**
 * Where "now" comes from for every time the evidence records: a run's id, its start and end (and so
 * `assessedAt` and `validUntil`), the transcript's `at`, a checkpoint's seal time, the age a report
 * shows. Deadlines and budgets never read it: they measure elapsed time with `Date.now()`, so a
 * clock set in the past (or stopped) changes what is written, never how long anything runs.
 *
 * The system clock is the default everywhere. Another clock is only ever passed in code (`runJob`'s
 * `clock` option, `writeReportFiles`' `now`): tests use it to build and sign, through the real code
 * path, a run dated in the past. No flag or environment variable sets it.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** A clock stopped at `at`. */
export function fixedClock(at: Date | string): Clock {
  const ms = new Date(at).getTime();
  return () => new Date(ms);
}

/** A clock that reads `start` now and then runs at the pace of `base` (the system clock). */
export function clockStartingAt(start: Date | string, base: Clock = systemClock): Clock {
  const offset = new Date(start).getTime() - base().getTime();
  return () => new Date(base().getTime() + offset);
}
