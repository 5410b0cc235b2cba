/**
 * `tenantproof run --database-url`: the embedded reference CRM on a real PostgreSQL server behind a
 * `pg` pool, where the pooled-connection faults live. Both must be found there, and the clean
 * server must give no finding. Runs when TEST_DATABASE_URL is set (.ci/run sets it); on CI a
 * missing database is an error, not a skip.
 */
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPECTED_ORACLES } from '../detection/expected-oracles.ts';
import { runCli } from '../support/cli.ts';

const url = process.env['TEST_DATABASE_URL'];
if (process.env['CI'] === 'true' && !url)
  throw new Error('TEST_DATABASE_URL must be set on CI: .ci/run starts PostgreSQL 15 for this test');

interface Evidence {
  verdict: string;
  scope: { target: { kind: string } };
  method: { requestCount: number };
  findings: { oracle: string; summary: string }[];
  negativeControl: { outcome: string };
}

async function campaign(
  args: string[],
): Promise<{ code: number | null; evidence: Evidence; out: string; dir: string }> {
  const out = mkdtempSync(path.join(tmpdir(), 'tp-pg-'));
  const r = await runCli([
    'run',
    '--database-url',
    url!,
    '--pool-size',
    '8',
    '--shrink-budget',
    '5s',
    '--replays',
    '1',
    '--seed',
    '1',
    '--out',
    out,
    ...args,
  ]);
  const run = readdirSync(out).find((d) => d !== 'latest' && statSync(path.join(out, d)).isDirectory());
  expect(run, r.stderr).toBeDefined();
  const dir = path.join(out, run!);
  return {
    code: r.code,
    evidence: JSON.parse(readFileSync(path.join(dir, 'evidence.json'), 'utf8')) as Evidence,
    out: r.stdout + r.stderr,
    dir,
  };
}

describe.skipIf(!url)('campaigns against the CRM on PostgreSQL (pg pool)', () => {
  for (const fault of ['session-set-pooled', 'global-context-race']) {
    it(`finds ${fault}`, async () => {
      // Found or not is the question: stop at the first finding rather than search on to the budget.
      const c = await campaign(['--fault', fault, '--budget', '60s', '--stop-on-first']);
      expect(c.code, c.out).toBe(1);
      expect(c.evidence.verdict).toBe('leak');
      const oracles = [...new Set(c.evidence.findings.map((f) => f.oracle))];
      expect(oracles.length).toBeGreaterThan(0);
      for (const o of oracles) expect(EXPECTED_ORACLES[fault], `${o} for ${fault}`).toContain(o);
    });
  }

  it('the clean server gives no finding, and its evidence verifies', async () => {
    const c = await campaign(['--budget', '20s']);
    expect(c.code, c.out).toBe(0);
    expect(c.evidence.verdict).toBe('clean');
    expect(c.evidence.findings).toEqual([]);
    expect(c.evidence.negativeControl.outcome).toBe('passed');
    expect(c.evidence.method.requestCount).toBeGreaterThan(200);
    expect((await runCli(['verify', c.dir])).code).toBe(0);
  });
});
