/**
 * A detected fault's counterexample replays (exit 1) against a fresh embedded CRM with that fault,
 * and not (exit 0) against a clean one; the standalone regression test written beside it fails
 * while the fault is on and passes once it is gone.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCrm, type RunningCrm } from '../../crm/server.ts';
import { REPO_ROOT, runCli } from '../support/cli.ts';
import { spawn } from 'node:child_process';

// Inside the repo (git-ignored), so the generated test resolves vitest and axios from node_modules.
const out = path.join(REPO_ROOT, 'reports', `test-replay-${process.pid}`);
let counterexample: string;

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  const r = await runCli([
    'run',
    '--fault',
    'export-unscoped',
    '--seed',
    '2',
    // A count of runs, not a time budget, so a loaded machine sends the same commands (the fault is
    // found in run 20 or so); the budget is only a cap.
    '--runs',
    '60',
    '--budget',
    '5m',
    '--shrink-budget',
    '5s',
    '--replays',
    '1',
    '--out',
    out,
  ]);
  expect(r.code, r.stdout + r.stderr).toBe(1);
  counterexample = path.join(out, 'latest', 'counterexamples', '1.json');
});

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

describe('tenantproof replay', () => {
  it('reproduces the leak against a fresh CRM with the same fault', async () => {
    const r = await runCli(['replay', counterexample, '--times', '2']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/REPRODUCED/);
    expect(r.stdout).toMatch(/with export-unscoped/);
  });

  it('does not reproduce against the clean CRM', async () => {
    const r = await runCli(['replay', counterexample, '--fault', 'none', '--times', '2']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/reproduced 0\/2/);
  });

  it('rejects a file that is not a counterexample, saying why', async () => {
    const bad = path.join(out, 'not-a-counterexample.json');
    writeFileSync(bad, JSON.stringify({ hello: 'world' }));
    const r = await runCli(['replay', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a tenantproof counterexample/);
  });
});

describe('the generated regression test', () => {
  let faulty: RunningCrm;
  let clean: RunningCrm;
  beforeAll(async () => {
    faulty = await startCrm({ faults: ['export-unscoped'] });
    clean = await startCrm();
  });
  afterAll(async () => {
    await faulty?.close();
    await clean?.close();
  });

  function runGenerated(crm: RunningCrm): Promise<number | null> {
    const dir = path.dirname(counterexample);
    writeFileSync(
      path.join(dir, 'vitest.config.mjs'),
      "export default { test: { include: ['*.test.ts'], testTimeout: 60000 } };\n",
    );
    return new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [
          path.join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
          'run',
          '--config',
          'vitest.config.mjs',
          '--root',
          dir,
        ],
        {
          cwd: dir,
          env: { ...process.env, TENANTPROOF_TARGET: crm.url, TENANTPROOF_ADMIN_TOKEN: crm.adminToken },
          stdio: 'ignore',
        },
      );
      child.on('close', resolve);
    });
  }

  it('is standalone: it imports only vitest, axios and node built-ins', () => {
    const text = readFileSync(counterexample.replace(/\.json$/, '.test.ts'), 'utf8');
    const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(new Set(imports)).toEqual(new Set(['node:fs', 'axios', 'vitest']));
  });

  it('fails while the fault is present', async () => {
    expect(await runGenerated(faulty)).toBe(1);
  });

  it('passes on the clean CRM', async () => {
    expect(await runGenerated(clean)).toBe(0);
  });
});
