/**
 * tenantproof on an API we did not write: "Tracklet" (examples/third-party/), a Hono project
 * tracker with organisations, its own JWT login, integer ids, offset pagination and its own error
 * shape. The real server runs in this process on loopback; the real CLI runs in a child process
 * with the example's spec and `module:` provisioning, as a user would run them.
 *
 * Tracklet runs as shipped: ids 1, 2, 3… counted per table (so a project and a task, or an
 * organisation, share numbers), and the spec carries no tenantproof extension at all.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { startThirdParty, type ThirdPartyOptions, type ThirdPartyServer } from '../../examples/third-party/server.ts';
import { runCli, type CliResult } from '../support/cli.ts';

const SPEC = 'examples/third-party/openapi.yaml';
const PROVISION = 'module:examples/third-party/provision.ts';
const CASE_TIMEOUT = 180_000;
/** The base64url header of every Tracklet token, `{"alg":"HS256","typ":"JWT"}`. */
const JWT_HEADER = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9';

const out = mkdtempSync(path.join(tmpdir(), 'tp-third-party-'));
const servers: ThirdPartyServer[] = [];
/** Run folders are ~13 MB a test run: kept only when a case failed, for a look at the evidence. */
let keep = false;
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  if (keep) console.log(`tenantproof run folders kept in ${out}`);
  else rmSync(out, { recursive: true, force: true });
});

interface Evidence {
  verdict: string;
  method: { requestCount: number; interleavedBatchCount: number };
  scope: { operations: { inScope: { operationId: string }[]; outOfScope: { operationId: string; reason: string }[] } };
  coverage: { cells: { operationId: string; oracle: string; relation: string; count: number }[] };
  findings: { oracle: string; operationId: string; summary: string; evidence: Record<string, unknown> }[];
  negativeControl: { outcome: string };
}

interface Campaign {
  cli: CliResult;
  dir: string;
  evidence: Evidence;
  /** Read as bytes: a long campaign's transcript can pass V8's largest string. */
  transcript: Buffer;
}

/** Starts a fresh Tracklet, runs `tenantproof run` against it, and reads the run folder. */
async function campaign(name: string, server: ThirdPartyOptions, args: string[]): Promise<Campaign> {
  onTestFailed(() => {
    keep = true;
  });
  const tracklet = await startThirdParty(server);
  servers.push(tracklet);
  const base = mkdtempSync(path.join(out, `${name}-`));
  const cli = await runCli(
    [
      'run',
      '--target',
      tracklet.url,
      '--spec',
      SPEC,
      '--provision',
      PROVISION,
      '--shrink-budget',
      '5s',
      '--replays',
      '1',
      '--out',
      base,
      ...args,
    ],
    { killAfterMs: CASE_TIMEOUT - 10_000 },
  );
  await tracklet.close();
  const runs = readdirSync(base).filter((d) => d !== 'latest' && statSync(path.join(base, d)).isDirectory());
  expect(runs, `no run folder in ${base}\n${cli.stdout}\n${cli.stderr}`).toHaveLength(1);
  const dir = path.join(base, runs[0]!);
  return {
    cli,
    dir,
    evidence: JSON.parse(readFileSync(path.join(dir, 'evidence.json'), 'utf8')) as Evidence,
    transcript: readFileSync(path.join(dir, 'transcript.ndjson')),
  };
}

/** A transcript's lines, each as a string (a line is small; the whole file may not fit one). */
function lines(transcript: Buffer): string[] {
  const out: string[] = [];
  for (let start = 0, end = transcript.indexOf(10); end !== -1; start = end + 1, end = transcript.indexOf(10, start))
    out.push(transcript.subarray(start, end).toString('utf8'));
  return out;
}

function cell(e: Evidence, operationId: string, oracle: string, relation: string): number {
  return (
    e.coverage.cells.find((c) => c.operationId === operationId && c.oracle === oracle && c.relation === relation)
      ?.count ?? 0
  );
}

function output(c: Campaign): string {
  return `exit ${c.cli.code}\n${c.cli.stdout}\n${c.cli.stderr.split('\n').slice(-20).join('\n')}`;
}

describe('tenantproof run against Tracklet, a third-party API (Hono, JWT login, integer ids)', () => {
  it(
    'the clean server: exit 0, verdict clean, no findings, and cross-tenant probes really sent',
    async () => {
      const c = await campaign('clean', {}, ['--seed', '1', '--budget', '20s']);
      const e = c.evidence;
      expect(c.cli.code, output(c)).toBe(0);
      expect(c.cli.stdout).toContain('CLEAN');
      expect(e.verdict).toBe('clean');
      expect(e.findings).toEqual([]);
      expect(e.method.requestCount).toBeGreaterThan(500);
      expect(e.method.interleavedBatchCount).toBeGreaterThan(0);
      expect(e.negativeControl.outcome, 'the oracles fired on a planted leak').toBe('passed');
      expect(c.cli.stdout, 'planted into live responses').toMatch(/negative control: passed \(live:/);

      // Sign-up and login are public, so out of scope; the eleven bearer-token operations are in.
      expect(e.scope.operations.outOfScope.map((o) => o.operationId).sort()).toEqual(['logIn', 'signUp']);
      expect(e.scope.operations.inScope).toHaveLength(11);

      // The cross-tenant probes were sent and judged: a victim's project and task ids, read as
      // another organisation, each compared with a missing id.
      for (const op of ['getProject', 'getTask']) {
        expect(cell(e, op, 'cross-tenant-access', 'foreign'), `${op} cross-tenant-access/foreign`).toBeGreaterThan(0);
        expect(cell(e, op, 'existence', 'foreign'), `${op} existence/foreign`).toBeGreaterThan(0);
      }
      // Foreign updates and deletes of a victim's records were tried and judged too.
      for (const op of ['updateProject', 'deleteProject', 'updateTask', 'deleteTask']) {
        expect(cell(e, op, 'cross-tenant-access', 'foreign'), `${op} cross-tenant-access/foreign`).toBeGreaterThan(0);
      }
      // The attacker tried to add a task to a victim's project (foreign-reference).
      expect(cell(e, 'createTask', 'cross-tenant-access', 'foreign'), 'createTask foreign-reference').toBeGreaterThan(
        0,
      );
      // The organisation's own data went through every in-scope operation.
      for (const op of [
        'createProject',
        'listProjects',
        'getProject',
        'updateProject',
        'deleteProject',
        'createTask',
        'listTasks',
        'getTask',
        'updateTask',
        'deleteTask',
        'getStats',
      ]) {
        expect(cell(e, op, 'foreign-data', 'own'), `${op} foreign-data/own`).toBeGreaterThan(0);
      }
      // And the transcript shows the probes themselves: 404 for a victim's task, as for a missing one.
      const foreignTaskReads = lines(c.transcript).filter(
        (l) => l.includes('"relation":"foreign"') && l.includes('"operationId":"getTask"'),
      );
      expect(foreignTaskReads.length).toBeGreaterThan(0);
      expect(foreignTaskReads.every((l) => l.includes('"status":404'))).toBe(true);

      // Every request carried an organisation's JWT; none is left in the run folder.
      for (const file of readdirSync(c.dir, { recursive: true }) as string[]) {
        const full = path.join(c.dir, file);
        if (!statSync(full).isFile()) continue;
        expect(readFileSync(full).includes(JWT_HEADER), file).toBe(false);
      }
      expect((await runCli(['verify', c.dir])).code).toBe(0);
    },
    CASE_TIMEOUT,
  );

  it(
    'the planted task-idor bug: exit 1, found on getTask by an oracle that rightly catches a foreign read',
    async () => {
      // The first finding comes about 7 s in on a quiet machine; the search then goes on to the
      // budget for other findings, and the longer budget is headroom for a loaded machine.
      const c = await campaign('task-idor', { bug: 'task-idor' }, ['--seed', '1', '--budget', '25s']);
      const e = c.evidence;
      expect(c.cli.code, output(c)).toBe(1);
      expect(c.cli.stdout).toContain('LEAK');
      expect(e.verdict).toBe('leak');
      expect(e.findings.length).toBeGreaterThan(0);
      const legitimate = ['cross-tenant-access', 'foreign-data', 'existence'];
      for (const f of e.findings) expect(legitimate, `${f.oracle} ${f.operationId}: ${f.summary}`).toContain(f.oracle);
      expect(e.findings.some((f) => f.operationId === 'getTask')).toBe(true);
      expect(existsSync(path.join(c.dir, 'counterexamples', '1.json'))).toBe(true);
      expect((await runCli(['verify', c.dir])).code).toBe(0);
    },
    CASE_TIMEOUT,
  );

  it(
    'the planted project-update-idor bug: exit 1, found on updateProject',
    async () => {
      const c = await campaign('project-update-idor', { bug: 'project-update-idor' }, [
        '--seed',
        '2',
        '--budget',
        '25s',
      ]);
      const e = c.evidence;
      expect(c.cli.code, output(c)).toBe(1);
      expect(e.verdict).toBe('leak');
      // Another tenant's update really changes the victim's project, so the victim's own reads (its
      // stats, its lists) also change under it: non-interference and the model rightly see that too.
      const legitimate = ['cross-tenant-access', 'foreign-data', 'existence', 'model', 'non-interference'];
      for (const f of e.findings) expect(legitimate, `${f.oracle} ${f.operationId}: ${f.summary}`).toContain(f.oracle);
      expect(e.findings.some((f) => f.operationId === 'updateProject')).toBe(true);
      expect((await runCli(['verify', c.dir])).code).toBe(0);
    },
    CASE_TIMEOUT,
  );
});
