/**
 * How old evidence is, and what `verify` does about it: a fresh run passes `--max-age`; a run
 * assessed 19 months before "now" fails `--max-age 18mo` with the assessed date, the age and the
 * limit; past `validUntil` is a warning only; evidence of schema 1.0 (no assessedAt) is aged from
 * the end of its run and its validity is unknown. Real signed folders, verified with `now` given.
 */
import { describe, expect, it } from 'vitest';
import { addCalendarDuration, parseCalendarDuration } from './calendar-duration.ts';
import { makeRunDir, sampleEvidence } from './evidence-fixtures.test-support.ts';
import { freshnessLines, freshnessOf, maxAgeProblem } from './freshness.ts';
import { formatVerifyReport, verifyRunDir } from './verify.ts';

const ASSESSED = '2026-12-03T10:00:00.000Z';
const VALID_UNTIL = '2027-12-03T10:00:00.000Z';
const months = (n: number) => addCalendarDuration(new Date(ASSESSED), { months: n, days: 0 });
const MAX_18MO = parseCalendarDuration('18mo');

/** A signed folder of schema 1.1, assessed at ASSESSED (its run ended then) and valid for 12 months. */
function freshFolder(): string {
  return makeRunDir(undefined, undefined, {
    schemaVersion: '1.1',
    assessedAt: ASSESSED,
    validUntil: VALID_UNTIL,
    method: { ...sampleEvidence().method, startedAt: '2026-12-03T09:59:00.000Z', endedAt: ASSESSED },
  }).dir;
}

describe('freshnessOf', () => {
  it('ages from assessedAt, in whole days and calendar months, and knows when validUntil has passed', () => {
    const e = { assessedAt: ASSESSED, validUntil: VALID_UNTIL, method: { endedAt: ASSESSED } };
    expect(freshnessOf(e, new Date(ASSESSED))).toEqual({
      assessedAt: ASSESSED,
      source: 'assessedAt',
      validUntil: VALID_UNTIL,
      ageDays: 0,
      ageMonths: 0,
      expired: false,
    });
    const old = freshnessOf(e, months(19));
    expect(old).toMatchObject({ ageMonths: 19, expired: true, expiredDays: 213 });
    expect(old.ageDays).toBe(578);
    expect(freshnessOf(e, new Date(VALID_UNTIL)).expired).toBe(false); // valid up to and including validUntil
  });

  it('evidence of schema 1.0 is aged from the end of its run, with no validity', () => {
    const f = freshnessOf({ method: { endedAt: ASSESSED } }, months(2));
    expect(f).toMatchObject({ source: 'method.endedAt', ageMonths: 2, expired: false });
    expect(f.validUntil).toBeUndefined();
    expect(freshnessLines(f).info).toMatch(
      /^Assessed 2026-12-03T10:00:00\.000Z \(when the run ended\), 62 days ago \(2 months\); validity unknown: evidence schema 1\.0/,
    );
  });
});

describe('maxAgeProblem', () => {
  const e = { assessedAt: ASSESSED, validUntil: VALID_UNTIL, method: { endedAt: ASSESSED } };
  it('passes up to the limit and fails after it, naming the assessed date, the age and the limit', () => {
    expect(maxAgeProblem(freshnessOf(e, months(18)), MAX_18MO, months(18))).toBeUndefined();
    const later = new Date(months(18).getTime() + 1);
    expect(maxAgeProblem(freshnessOf(e, later), MAX_18MO, later)).toBe(
      'assessed 2026-12-03T10:00:00.000Z, 548 days ago (18 months): older than --max-age 18mo, which it passed on 2028-06-03T10:00:00.000Z',
    );
  });
});

describe('verifyRunDir and freshness', () => {
  it('a fresh run passes --max-age 18mo and says when it was assessed and until when it is valid', () => {
    const dir = freshFolder();
    const r = verifyRunDir(dir, { maxAge: MAX_18MO, now: new Date(ASSESSED) });
    expect(r.failures).toEqual([]);
    expect(r.freshness).toMatchObject({ assessedAt: ASSESSED, validUntil: VALID_UNTIL, ageDays: 0 });
    const text = formatVerifyReport(r);
    expect(text).toMatch(/\nAssessed 2026-12-03T10:00:00\.000Z, 0 days ago; valid until 2027-12-03T10:00:00\.000Z\.$/);
    expect(text).not.toMatch(/WARNING/);
  });

  it('a run assessed 19 months before now fails --max-age 18mo (check freshness), and passes without it', () => {
    const dir = freshFolder();
    const now = months(19);
    const r = verifyRunDir(dir, { maxAge: MAX_18MO, now });
    expect(r.ok).toBe(false);
    expect(r.failures).toEqual([
      {
        file: 'evidence.json',
        check: 'freshness',
        detail:
          'assessed 2026-12-03T10:00:00.000Z, 578 days ago (19 months): older than --max-age 18mo, which it passed on 2028-06-03T10:00:00.000Z',
      },
    ]);
    expect(formatVerifyReport(r)).toMatch(/^FAIL evidence\.json \[freshness\]: assessed 2026-12-03/);
    // Past validUntil, but no --max-age: it verifies, with a warning.
    const lenient = verifyRunDir(dir, { now });
    expect(lenient.ok).toBe(true);
    expect(formatVerifyReport(lenient)).toMatch(
      /\nWARNING: the evidence expired on 2027-12-03T10:00:00\.000Z \(validUntil\), 213 days ago; it was assessed 2026-12-03T10:00:00\.000Z, 578 days ago \(19 months\)\. Ask for a fresh run\.$/,
    );
  });

  it('past validUntil but within --max-age: verifies, with the warning', () => {
    const now = months(13);
    const r = verifyRunDir(freshFolder(), { maxAge: MAX_18MO, now });
    expect(r.ok).toBe(true);
    expect(r.freshness?.expired).toBe(true);
    expect(formatVerifyReport(r)).toMatch(
      /valid until 2027-12-03T10:00:00\.000Z \(expired\)\.\nWARNING: the evidence expired/,
    );
  });

  it('evidence of schema 1.0 still verifies; --max-age ages it from method.endedAt', () => {
    const { dir } = makeRunDir(); // schemaVersion 1.0, endedAt 2026-11-26T07:00:05.250Z
    const endedAt = new Date('2026-11-26T07:00:05.250Z');
    const soon = addCalendarDuration(endedAt, { months: 1, days: 0 });
    const ok = verifyRunDir(dir, { maxAge: MAX_18MO, now: soon });
    expect(ok.failures).toEqual([]);
    expect(formatVerifyReport(ok)).toMatch(
      /validity unknown: evidence schema 1\.0 records no assessedAt or validUntil/,
    );
    const late = addCalendarDuration(endedAt, { months: 19, days: 0 });
    const old = verifyRunDir(dir, { maxAge: MAX_18MO, now: late });
    expect(old.failures.map((f) => [f.check, f.detail])).toEqual([
      [
        'freshness',
        expect.stringMatching(
          /^assessed 2026-11-26T07:00:05\.250Z \(when the run ended; evidence schema 1\.0 records no assessedAt\), \d+ days ago \(19 months\): older than --max-age 18mo/,
        ),
      ],
    ]);
  });

  it('assessedAt in the future (a wrong clock) is a warning', () => {
    const r = verifyRunDir(freshFolder(), { now: new Date('2026-12-01T10:00:00.000Z') });
    expect(r.ok).toBe(true);
    expect(formatVerifyReport(r)).toMatch(/WARNING: assessedAt 2026-12-03T10:00:00\.000Z is 2 days in the future/);
  });
});
