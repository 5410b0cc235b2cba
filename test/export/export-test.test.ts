/**
 * `tenantproof export-test` end to end, as a user would meet it: the committed example run (a
 * get-unscoped leak, sealed) exported through its `latest` link into a fresh "user repository"
 * with a strict tsconfig; `tsc` passes there; vitest, run from that repository's root with no
 * config, finds the test, which fails against a CRM with the fault (naming the leak) and passes
 * against the clean CRM, both over loopback HTTP. The run folder is never written: its digests are
 * the same afterwards and `tenantproof verify` still passes. Refusals say why, with exit 2.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../crm/db/database.ts';
import { openDatabase } from '../../crm/db/open-database.ts';
import { startCrmOnDatabase, type RunningCrm } from '../../crm/server.ts';
import { makeRunDir } from '../../harness/evidence/evidence-fixtures.test-support.ts';
import { sealRunDir } from '../../harness/evidence/seal.ts';
import { testResultPredicate } from '../../harness/evidence/test-result.ts';
import type { Evidence } from '../../harness/evidence/evidence-schema.ts';
import { STRICT_COMPILER_OPTIONS } from '../../harness/run/strict-tsconfig.test-support.ts';
import { REPO_ROOT, runCli } from '../support/cli.ts';

const EXAMPLE = path.join(REPO_ROOT, 'reports', 'example');
const RUN_ID = (JSON.parse(readFileSync(path.join(EXAMPLE, 'evidence.json'), 'utf8')) as { runId: string }).runId;

let root: string;
let reports: string;
let runDir: string;
let latest: string;
let repo: string;
let before: Map<string, string>;
let db: Database;
let faulty: RunningCrm;
let clean: RunningCrm;

/** Every file and folder under `dir`, with the SHA-256 of each file ('dir' for a folder). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = path.join(rel, name);
      if (statSync(path.join(dir, r)).isDirectory()) {
        out.set(r, 'dir');
        walk(r);
      } else
        out.set(
          r,
          createHash('sha256')
            .update(readFileSync(path.join(dir, r)))
            .digest('hex'),
        );
    }
  };
  walk('');
  return out;
}

interface Child {
  code: number | null;
  output: string;
}

/** A child process in the user repository; the timer only stops a hung child (not an assertion). */
function inRepo(args: string[], env: Record<string, string> = {}): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: repo,
      env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // A safety net against a hung child, sized for a machine at load 16.
    const timer = setTimeout(() => child.kill('SIGKILL'), 900_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const vitestIn = (crm: RunningCrm): Promise<Child> =>
  inRepo([path.join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], {
    TENANTPROOF_TARGET: crm.url,
    TENANTPROOF_ADMIN_TOKEN: crm.adminToken,
  });

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'tp-export-'));
  // The run folder as `tenantproof run --out reports` leaves it: reports/<runId> and reports/latest.
  reports = path.join(root, 'reports');
  runDir = path.join(reports, RUN_ID);
  cpSync(EXAMPLE, runDir, { recursive: true });
  latest = path.join(reports, 'latest');
  symlinkSync(RUN_ID, latest);
  before = snapshot(runDir);
  // A user's repository, outside ours: ESM, a strict tsconfig, and vitest, axios and @types/node
  // installed (linked to ours).
  repo = path.join(root, 'repo');
  mkdirSync(repo);
  writeFileSync(path.join(repo, 'package.json'), JSON.stringify({ name: 'user-repo', private: true, type: 'module' }));
  writeFileSync(
    path.join(repo, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: STRICT_COMPILER_OPTIONS,
        include: ['test'],
      },
      null,
      2,
    ),
  );
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(repo, 'node_modules'), 'dir');
  // One PGlite for both servers: the fault the example found, and the clean CRM.
  db = await openDatabase({});
  faulty = await startCrmOnDatabase(db, { faults: ['get-unscoped'] });
  clean = await startCrmOnDatabase(db, { faults: [] });
});

afterAll(async () => {
  await faulty?.close();
  await clean?.close();
  await db?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('tenantproof export-test', () => {
  const out = (): string => path.join(repo, 'test', 'isolation');
  const testFile = (): string => path.join(out(), `tenantproof-${RUN_ID}-1.test.ts`);

  it('is a command with --help, options and exit codes', async () => {
    const top = await runCli(['help']);
    expect(top.stdout).toMatch(/^ {2}export-test {2,}\S/m);
    const r = await runCli(['export-test', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: tenantproof export-test DIR --out FOLDER \[--force\]/);
    for (const text of [
      '--out FOLDER',
      '--force',
      'TENANTPROOF_TARGET',
      'TENANTPROOF_ADMIN_TOKEN',
      'TENANTPROOF_CREDENTIALS',
    ])
      expect(r.stdout).toContain(text);
    expect(r.stdout).toMatch(/Exit codes:\n\s+0 {2}.+\n\s+2 {2}.+\n\s+4 {2}/);
  });

  it('writes one test per counterexample into the user repository, through the latest link', async () => {
    const r = await runCli(['export-test', latest, '--out', out()], { cwd: repo });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readdirSync(out())).toEqual([path.basename(testFile())]);
    expect(r.stdout).toContain(`written  test/isolation/tenantproof-${RUN_ID}-1.test.ts`);
    expect(r.stdout).toMatch(/foreign-data on getCustomer \(T1 → T2\)/);
    expect(r.stdout).toMatch(/npx vitest run test\/isolation/);
    const text = readFileSync(testFile(), 'utf8');
    expect(text).toMatch(/Written by `tenantproof export-test` from counterexamples\/1\.json/);
  });

  it('writes the same file again, and will not overwrite a different one without --force', async () => {
    const again = await runCli(['export-test', runDir, '--out', out()], { cwd: repo });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^unchanged {2}test\/isolation\//m);
    const original = readFileSync(testFile(), 'utf8');
    writeFileSync(testFile(), original + '// edited by hand\n');
    const refused = await runCli(['export-test', runDir, '--out', out()], { cwd: repo });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing to overwrite a file with different content/);
    expect(refused.stderr).toMatch(/--force/);
    expect(readFileSync(testFile(), 'utf8')).toBe(original + '// edited by hand\n');
    const forced = await runCli(['export-test', runDir, '--out', out(), '--force'], { cwd: repo });
    expect(forced.code, forced.stdout + forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/^overwritten {2}test\/isolation\//m);
    expect(readFileSync(testFile(), 'utf8')).toBe(original);
  });

  it("compiles under the user repository's strict tsconfig", async () => {
    const r = await inRepo([
      path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '--noEmit',
      '-p',
      'tsconfig.json',
    ]);
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it('fails against the CRM with the fault, naming the leak, when vitest runs from the repository root', async () => {
    const r = await vitestIn(faulty);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain(`tenantproof finding 1 of run ${RUN_ID}: foreign-data on getCustomer (T1 → T2)`);
    expect(r.output).toMatch(/isolation leak/);
    expect(r.output).toMatch(/T1 GET \/v1\/customers\/[0-9a-f-]{36} \(200\) returned a value of T2: tp/);
    expect(r.output).toMatch(/1 failed/);
  });

  it('passes against the clean CRM', async () => {
    const r = await vitestIn(clean);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/Tests\s+1 passed/);
  });

  it('left the run folder as it was: same files, same digests, and it still verifies', async () => {
    expect(snapshot(runDir)).toEqual(before);
    expect(existsSync(path.join(runDir, 'node_modules'))).toBe(false);
    const r = await runCli(['verify', latest]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^OK: /m);
  });
});

describe('tenantproof export-test refuses, saying why (exit 2)', () => {
  const refused = async (args: string[], message: RegExp): Promise<void> => {
    const r = await runCli(['export-test', ...args], { cwd: repo });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  };

  it('a folder that does not exist, or is not a run folder', async () => {
    await refused([path.join(root, 'nowhere'), '--out', 'test/x'], /nowhere does not exist/);
    await refused([repo, '--out', 'test/x'], /is not a run folder \(no evidence\.json\)/);
  });

  it('a missing --out, or extra arguments', async () => {
    await refused([runDir], /give --out FOLDER/);
    await refused([runDir, runDir, '--out', 'test/x'], /give exactly one run folder/);
  });

  it('an --out inside a sealed run folder, also through the latest link, and writes nothing there', async () => {
    await refused([runDir, '--out', path.join(runDir, 'tests')], /inside the sealed run folder/);
    await refused([runDir, '--out', path.join(latest, 'counterexamples')], /inside the sealed run folder/);
    await refused([runDir, '--out', runDir], /inside the sealed run folder/);
    expect(snapshot(runDir)).toEqual(before);
  });

  it('a folder that does not verify', async () => {
    const changed = path.join(root, 'changed');
    cpSync(runDir, changed, { recursive: true });
    mkdirSync(path.join(changed, 'node_modules', '.vite'), { recursive: true });
    writeFileSync(path.join(changed, 'node_modules', '.vite', 'results.json'), '{}');
    await refused([changed, '--out', 'test/x'], /does not verify[\s\S]*node_modules/);
  });

  it('a sealed folder with no counterexamples, or one that is not a counterexample', async () => {
    const { dir: bad, key } = makeRunDir();
    await refused([bad, '--out', 'test/x'], /is not a tenantproof counterexample/);
    rmSync(path.join(bad, 'counterexamples'), { recursive: true });
    const evidence = JSON.parse(readFileSync(path.join(bad, 'evidence.json'), 'utf8')) as Evidence;
    sealRunDir(
      bad,
      key,
      testResultPredicate(evidence, [{ name: 'specs/crm.openapi.yaml', digest: { sha256: 'a'.repeat(64) } }]),
    );
    await refused([bad, '--out', 'test/x'], /holds no counterexamples/);
    rmSync(bad, { recursive: true, force: true });
    expect(existsSync(path.join(repo, 'test', 'x'))).toBe(false);
  });
});
