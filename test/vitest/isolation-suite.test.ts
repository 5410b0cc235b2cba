/**
 * `tenantproof/vitest` from the outside: a child vitest runs a suite built with isolationSuite()
 * against the embedded CRM with a seeded fault, and its JSON report must show the per-oracle tests
 * failing with the finding and the replay command, while the other oracles' tests pass.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ORACLE_NAMES } from '../../harness/oracles/index.ts';
import { REPO_ROOT } from '../support/cli.ts';

interface JsonReport {
  testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

function childVitest(env: Record<string, string>, report: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        '--config',
        'test/vitest/fixtures/vitest.config.ts',
        '--reporter=json',
        `--outputFile=${report}`,
      ],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, CI: 'true', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    // A safety net against a hung child, sized for a machine at load 16.
    const timer = setTimeout(() => child.kill('SIGKILL'), 900_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('tenantproof/vitest', () => {
  it('registers one test per oracle, and the ones whose oracle found the seeded leak fail with the finding and a replay command', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tp-vitest-'));
    const report = path.join(dir, 'report.json');
    const code = await childVitest({ TP_FAULT: 'get-unscoped', TP_OUT: dir }, report);
    expect(code).toBe(1);
    const results = (JSON.parse(readFileSync(report, 'utf8')) as JsonReport).testResults.flatMap(
      (r) => r.assertionResults,
    );
    const titles = results.map((r) => r.title);
    for (const oracle of ORACLE_NAMES) expect(titles).toContain(`${oracle}: no tenant sees or changes another's data`);
    expect(titles).toContain('the campaign reached a verdict');
    expect(titles).toContain('the negative control proved the oracles can fire');
    const failed = results.filter((r) => r.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    // Only oracle tests fail, each naming its finding, the repro and how to replay it.
    for (const f of failed) {
      expect(f.title).toMatch(/: no tenant sees or changes another's data$/);
      const message = f.failureMessages.join('\n');
      expect(message).toMatch(/finding\(s\):/);
      expect(message).toMatch(/replay: npx tenantproof replay .*counterexamples\/\d+\.json/);
      expect(message).toMatch(/evidence: /);
    }
    expect(results.find((r) => r.title === 'the negative control proved the oracles can fire')?.status).toBe('passed');
    expect(results.find((r) => r.title === 'the campaign reached a verdict')?.status).toBe('passed');
  });
});
