/**
 * Evidence freshness end to end. Two real runs against the embedded CRM, both through `runJob` (the
 * job `tenantproof run` runs), signed: a fresh one, and one whose clock was set 19 months back (the
 * `clock` option of `runJob`, the seam every recorded time comes from), with `validFor: '6mo'` as a
 * config file would say it. Nothing is edited after signing. Then the real CLI:
 * `tenantproof verify DIR --max-age 18mo` passes on the fresh run and fails on the old one, naming
 * the assessed date, the age and the limit; without --max-age the old run verifies with a warning
 * that it expired; a garbage period is a usage error; `tenantproof report` re-renders the old run's
 * header as expired, while the report sealed in it says "0 days ago" (its age as of rendering).
 *
 * Small on purpose: one run of a few commands each (the verdict does not matter here, the seal does).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCalendarDuration, wholeDaysBetween, wholeMonthsBetween } from '../../harness/evidence/calendar-duration.ts';
import { clockStartingAt } from '../../harness/evidence/clock.ts';
import type { Evidence } from '../../harness/evidence/evidence-schema.ts';
import { readEvidenceFile } from '../../harness/evidence/evidence-file.ts';
import { resolveConfig } from '../../harness/run/config.ts';
import { runJob } from '../../harness/run/job.ts';
import { runCli } from '../support/cli.ts';

const root = mkdtempSync(path.join(tmpdir(), 'tp-freshness-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** One small signed run; `settings` as a config file would hold them. */
async function smallRun(name: string, settings: Record<string, unknown>, clock?: () => Date): Promise<string> {
  const config = resolveConfig(settings, {
    out: path.join(root, name),
    runs: 1,
    maxCommands: 10,
    tenants: 2,
    seed: 5,
    replays: 1,
    checkpointEvery: 'off',
  });
  const outcome = await runJob(config, `tenantproof run (${name})`, { quiet: true, ...(clock ? { clock } : {}) });
  expect(outcome.dir, `${name}: a run folder was written`).toBeDefined();
  return outcome.dir!;
}

let fresh: string;
let old: string;
let oldEvidence: Evidence;
const nineteenMonthsAgo = addCalendarDuration(new Date(), { months: 19, days: 0 }, -1);

beforeAll(async () => {
  [fresh, old] = await Promise.all([
    smallRun('fresh', {}),
    smallRun('old', { validFor: '6mo' }, clockStartingAt(nineteenMonthsAgo)),
  ]);
  oldEvidence = readEvidenceFile(old);
});

describe('a run dated 19 months ago, built and signed through the real code path', () => {
  it('records the time of its clock: run id, start and end, assessedAt, validUntil (6 months on), transcript', () => {
    const e = oldEvidence;
    expect(e.schemaVersion).toBe('1.1');
    expect(e.assessedAt).toBe(e.method.endedAt);
    expect(wholeMonthsBetween(new Date(e.assessedAt!), new Date())).toBe(19);
    expect(e.validUntil).toBe(addCalendarDuration(new Date(e.assessedAt!), { months: 6, days: 0 }).toISOString());
    // The run id is dated by the same clock, as the run began.
    const idDay = new Date(e.runId.replace(/^(\d{4})(\d\d)(\d\d)-.*$/, '$1-$2-$3T00:00:00Z'));
    expect([0, 1]).toContain(wholeDaysBetween(idDay, new Date(e.method.startedAt))); // 1: across midnight
    const firstLine = JSON.parse(readFileSync(path.join(old, 'transcript.ndjson'), 'utf8').split('\n')[0]!) as {
      at: string;
    };
    expect(wholeMonthsBetween(new Date(firstLine.at), new Date())).toBe(19);
    // The report sealed with the run was rendered at the run's own time.
    expect(readFileSync(path.join(old, 'report.html'), 'utf8')).toMatch(
      /<p class="freshness" [^>]*>Assessed \d{4}-\d\d-\d\d, 0 days ago; valid until \d{4}-\d\d-\d\d\./,
    );
  });

  it('the fresh run is assessed now and valid for the default 12 months', () => {
    const e = readEvidenceFile(fresh);
    expect(e.assessedAt).toBe(e.method.endedAt);
    expect(wholeMonthsBetween(new Date(e.assessedAt!), new Date())).toBe(0);
    expect(e.validUntil).toBe(addCalendarDuration(new Date(e.assessedAt!), { months: 12, days: 0 }).toISOString());
  });
});

describe('tenantproof verify --max-age', () => {
  it('passes on the fresh run, saying when it was assessed and until when it is valid', async () => {
    const r = await runCli(['verify', fresh, '--max-age', '18mo']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK: /m);
    expect(r.stdout).toMatch(/^Assessed \S+Z, 0 days ago; valid until \S+Z\.$/m);
    expect(r.stdout).not.toMatch(/WARNING/);
  });

  it('fails on the run assessed 19 months ago (exit 1), stating the assessed date, the age and the limit', async () => {
    const r = await runCli(['verify', old, '--max-age', '18mo']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`FAIL evidence.json [freshness]: assessed ${oldEvidence.assessedAt}, `);
    expect(r.stdout).toMatch(/, \d+ days ago \(19 months\): older than --max-age 18mo, which it passed on \S+Z/);
    // Also past its validUntil: said as a warning.
    expect(r.stdout).toMatch(/^WARNING: the evidence expired on \S+Z \(validUntil\)/m);
  });

  it('without --max-age the old run verifies (exit 0), with the warning that it expired', async () => {
    const r = await runCli(['verify', old]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK: /m);
    expect(r.stdout).toMatch(
      new RegExp(
        `^WARNING: the evidence expired on ${oldEvidence.validUntil!.replace(/\./g, '\\.')} \\(validUntil\\), \\d+ days ago; .* Ask for a fresh run\\.$`,
        'm',
      ),
    );
  });

  it('a period it cannot read is a usage error (exit 2) saying what to write', async () => {
    const r = await runCli(['verify', fresh, '--max-age', '18m']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-age: "18m" is not a period: "m" could mean minutes or months; write months as mo/);
    const garbage = await runCli(['verify', fresh, '--max-age', 'soon']);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/--max-age: "soon" is not a period: use a whole number and a unit: 90d, 2w, 6mo/);
  });
});

describe('tenantproof merge', () => {
  it('a merge is assessed when its last run ended, capped by the validUntil of the old run, and --max-age holds every merged run to it', async () => {
    const out = path.join(root, 'merged');
    const m = await runCli(['merge', fresh, old, '--out', out, '--valid-for', '1y']);
    expect([0, 3], m.stdout + m.stderr).toContain(m.code);
    const dir = path.join(out, 'latest');
    const merged = readEvidenceFile(dir);
    const freshEvidence = readEvidenceFile(fresh);
    expect(merged.assessedAt).toBe(freshEvidence.method.endedAt);
    // The old run's signer vouched for it until 13 months ago: the merge cannot outlive that.
    expect(merged.validUntil).toBe(merged.assessedAt);
    expect(m.stdout).toContain(
      `assessed ${merged.assessedAt} (the latest end of the runs), valid until ${merged.validUntil}`,
    );

    const r = await runCli(['verify', dir, '--max-age', '18mo']);
    expect(r.code).toBe(1);
    const shard = `shards/${oldEvidence.runId}`;
    expect(r.stdout).toContain(
      `FAIL ${shard}/evidence.json [freshness]: ${shard}: assessed ${oldEvidence.assessedAt}, `,
    );
    expect(r.stdout).not.toMatch(/^FAIL evidence\.json \[freshness\]/m);

    const bad = await runCli(['merge', fresh, '--out', out, '--valid-for', 'forever']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--valid-for: "forever" is not a period/);
  });
});

describe('tenantproof report re-renders the age as of now', () => {
  it('the old run, rendered today, is marked expired in its header', async () => {
    const out = path.join(root, 'old-today.html');
    const r = await runCli(['report', old, '--out', out]);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(
      /<p class="freshness expired" [^>]*role="alert"><b>Expired:<\/b> assessed \d{4}-\d\d-\d\d, \d+ days ago \(19 months\); valid until/,
    );
    expect(html).toContain('The age is as of when this report was rendered');
  });
});
