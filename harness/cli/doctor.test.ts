/**
 * `tenantproof doctor` driven in-process (`main(argv, io)`): a deliberately broken copy of the
 * Tracklet spec shows the right "no" and fix, `--write-overlay` writes hints that a second run,
 * through the real overlay loader, turns into "yes"; a guess is never written; the live check
 * against the running Tracklet server; an unreachable target (exit 3); usage errors (exit 2).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThirdParty, type ThirdPartyServer } from '../../examples/third-party/server.ts';
import { doctorReportSchema, type DoctorReport } from '../onboard/doctor-report.ts';
import { main } from './doctor.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TRACKLET_SPEC = path.join(ROOT, 'examples/third-party/openapi.yaml');
const TRACKLET_PROVISION = `module:${path.join(ROOT, 'examples/third-party/provision.ts')}`;

const dir = mkdtempSync(path.join(tmpdir(), 'tp-doctor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function doctor(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: dir });
  return { code, out, err };
}

async function doctorJson(argv: string[]): Promise<{ code: number; report: DoctorReport }> {
  const { code, out, err } = await doctor([...argv, '--json']);
  if (!out) throw new Error(`no report (exit ${code}): ${err}`);
  return { code, report: doctorReportSchema.parse(JSON.parse(out)) };
}

const row = (report: DoctorReport, operationId: string) => {
  const found = report.operations.find((o) => o.operationId === operationId);
  if (!found) throw new Error(`no row ${operationId}: ${report.operations.map((o) => o.operationId).join(', ')}`);
  return found;
};

type Spec = { paths: Record<string, Record<string, Record<string, unknown>>> };

/** A copy of the Tracklet spec, changed by `edit`, in the temp dir. */
function brokenTracklet(name: string, edit: (spec: Spec) => void): string {
  const spec = YAML.parse(readFileSync(TRACKLET_SPEC, 'utf8')) as Spec;
  edit(spec);
  const file = path.join(dir, name);
  writeFileSync(file, YAML.stringify(spec));
  return file;
}

describe('tenantproof doctor on a broken spec', () => {
  // What a generated spec gets wrong: the create of projects is public (its security is empty, so
  // nothing tenant-owned creates a project) and documents no response; the task item path is
  // `/todos/{taskId}` (so {taskId} reads as a "todo" id, which nothing creates); GET /stats has
  // no operationId.
  const spec = brokenTracklet('broken.yaml', (s) => {
    const createProject = s.paths['/projects']!['post']!;
    createProject['security'] = [];
    (createProject['responses'] as Record<string, Record<string, unknown>>)['201'] = { description: 'created' };
    s.paths['/projects/{projectId}/todos/{taskId}'] = s.paths['/projects/{projectId}/tasks/{taskId}']!;
    delete s.paths['/projects/{projectId}/tasks/{taskId}'];
    delete s.paths['/stats']!['get']!['operationId'];
  });
  const overlay = path.join(dir, 'hints.overlay.yaml');

  it('shows each "no" with its fix, and the hints it can derive (exit 1)', async () => {
    const { code, report } = await doctorJson(['--spec', spec, '--offline']);
    expect(code).toBe(1);
    expect(report.operations.map((o) => o.operationId)).not.toContain('createProject');
    expect(row(report, 'getProject')).toMatchObject({
      create: {
        value: 'no',
        reason: expect.stringContaining(
          'it needs a project, and createProject, which creates one, is left out: not tenant-owned',
        ),
        fix: expect.stringContaining('x-tenantproof-tenant-owned: true'),
      },
      read: { value: 'no' },
      probe: { value: 'no' },
      probeable: false,
    });
    // It needs a project (not created by anything tenant-owned) and a "todo" (what {taskId} reads as).
    expect(row(report, 'getTask').create).toMatchObject({
      value: 'no',
      reason: expect.stringMatching(
        /it needs a project, .*; it needs a todo, and no tenant-owned operation the campaign drives creates one/,
      ),
    });
    const stats = row(report, 'GET /stats');
    expect(stats).toMatchObject({ hasOperationId: false, probeable: true });
    expect(report.hints.map((h) => [h.rule, h.target, h.update])).toEqual([
      ['tenant-owned', "$.paths['/projects'].post", { 'x-tenantproof-tenant-owned': true }],
      ['parameter-resource', '$.components.parameters.TaskId', { 'x-tenantproof-resource': 'task' }],
    ]);
    expect(report.hints[0]!.reason).toContain("the spec's global security requires a tenant scheme");
    expect(report.summary.verdict).toMatch(/^\d+ of 10 tenant-owned operations can be probed: see the fixes above$/);

    const text = (await doctor(['--spec', spec, '--offline'])).out;
    expect(text).toMatch(/GET +\/stats {2,}\(no operationId\) +yes +yes +- +\?/);
    expect(text).toContain(
      'getProject, deleteProject, updateProject, listTasks, createTask · create, read, probe, inject: it needs a project, and createProject',
    );
    expect(text).toContain('if {taskId} takes a task id, `x-tenantproof-resource: task` on the parameter {taskId}');
    expect(text).toContain('1. x-tenantproof-tenant-owned: true on POST /projects');
    expect(text).toContain(
      '2. x-tenantproof-resource: task on the parameter {taskId} of GET /projects/{projectId}/todos/{taskId}',
    );
  });

  it('--write-overlay writes the hints, and the next run, with the overlay, shows every operation probe-able', async () => {
    const written = await doctor(['--spec', spec, '--offline', '--write-overlay', overlay]);
    expect(written.code).toBe(1);
    expect(written.out).toContain(`Wrote 2 hints to ${path.relative(dir, overlay)}.`);
    expect(written.out).toContain(`add \`overlay: '${path.relative(dir, overlay)}',\` to tenantproof.config.ts`);
    expect(written.out).toContain('Run `tenantproof doctor` again');
    expect(YAML.parse(readFileSync(overlay, 'utf8'))).toMatchObject({
      overlay: '1.0.0',
      actions: [
        { target: "$.paths['/projects'].post", update: { 'x-tenantproof-tenant-owned': true } },
        { target: '$.components.parameters.TaskId', update: { 'x-tenantproof-resource': 'task' } },
      ],
    });

    const { code, report } = await doctorJson(['--spec', spec, '--overlay', overlay, '--offline']);
    expect(report.operations.filter((o) => !o.probeable).map((o) => o.operationId)).toEqual([]);
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ tenantOwned: 11, probeable: 11 });
    expect(report.hints).toEqual([]);
    expect(row(report, 'getTask')).toMatchObject({ create: { value: 'yes' }, probe: { value: 'yes' } });
    // The create documents no record: the campaign learns project ids from real answers, and says so.
    expect(row(report, 'getProject').create).toMatchObject({
      value: 'yes',
      note: expect.stringContaining('project ids are learned from real responses (createProject documents no record)'),
    });

    // Writing again adds nothing: the hints are in the file, and no longer suggested.
    const again = await doctor(['--spec', spec, '--overlay', overlay, '--offline', '--write-overlay']);
    expect(again.out).toContain(`Nothing written to ${path.relative(dir, overlay)}`);
    expect(YAML.parse(readFileSync(overlay, 'utf8')).actions).toHaveLength(2);
  });

  it('writes no guess: a resource nothing creates gets a text fix, and no overlay is written', async () => {
    const noProducer = brokenTracklet('no-producer.yaml', (s) => {
      delete s.paths['/projects/{projectId}/tasks']!['post'];
    });
    const target = path.join(dir, 'unwritten.overlay.yaml');
    const { code, report } = await doctorJson(['--spec', noProducer, '--offline', '--write-overlay', target]);
    expect(code).toBe(1);
    expect(report.hints).toEqual([]);
    expect(existsSync(target)).toBe(false);
    expect(report.overlayWritten).toMatchObject({ added: 0, present: 0 });
    expect(row(report, 'getTask').create).toMatchObject({
      value: 'no',
      fix: expect.stringContaining('x-tenantproof-produces: task'),
    });
    expect(row(report, 'listTasks').create.value).toBe('yes');
  });

  it('an unusable spec, a missing overlay and a bad flag are exit 2', async () => {
    const notSpec = path.join(dir, 'not-a-spec.yaml');
    writeFileSync(notSpec, 'hello: world\n');
    const bad = await doctor(['--spec', notSpec, '--offline']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^tenantproof doctor: /);
    const missing = await doctor(['--spec', TRACKLET_SPEC, '--overlay', path.join(dir, 'nope.yaml'), '--offline']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no such file');
    const flag = await doctor(['--nope']);
    expect(flag.code).toBe(2);
    expect(flag.err).toContain("Unknown option '--nope'");
  });

  it('reads the config file as run does, and writes to its overlay setting', async () => {
    const configDir = mkdtempSync(path.join(dir, 'cfg-'));
    const configOverlay = path.join(configDir, 'tenantproof.overlay.yaml');
    writeFileSync(
      path.join(configDir, 'tenantproof.config.ts'),
      `export default { spec: ${JSON.stringify(spec)}, overlay: ${JSON.stringify(configOverlay)}, target: 'http://127.0.0.1:9' };\n`,
    );
    writeFileSync(configOverlay, readFileSync(overlay, 'utf8'));
    let out = '';
    const code = await main(['--offline', '--write-overlay'], {
      stdout: (t) => (out += t),
      stderr: () => {},
      cwd: configDir,
    });
    expect(code).toBe(0);
    expect(out).toContain('+ overlay tenantproof.overlay.yaml');
    expect(out).toContain('11 of 11 tenant-owned operations can be probed');
  });
});

describe('tenantproof doctor against a running Tracklet', () => {
  let server: ThirdPartyServer;
  beforeAll(async () => {
    server = await startThirdParty();
  });
  afterAll(() => server.close());

  it('provisions 2 tenants, tries each credential, and finds every operation probe-able (exit 0)', async () => {
    const { code, out } = await doctor([
      '--spec',
      TRACKLET_SPEC,
      '--target',
      server.url,
      '--provision',
      TRACKLET_PROVISION,
    ]);
    expect(out).toContain(`Provisioning (${TRACKLET_PROVISION} on ${server.url}):`);
    expect(out).toContain("ok    T1's credential works: GET /projects answered 200");
    expect(out).toContain("ok    T2's credential works: GET /projects answered 200");
    expect(out).toContain('ok    the tenants are distinct (different credentials and tenant ids)');
    expect(out).toContain('ok    real tenant ids: tenant-override probes can name a victim');
    expect(out).toMatch(/GET +\/projects {2,}listProjects +yes +yes +- +yes\n/);
    expect(out.trimEnd().split('\n').pop()).toBe('11 of 11 tenant-owned operations can be probed');
    expect(code).toBe(0);
  });

  it('a provisioning module that fails is exit 3, with the failure and its fix', async () => {
    const failing = path.join(dir, 'failing-provision.mjs');
    writeFileSync(
      failing,
      "export default async function provision() { throw new Error('login refused: HTTP 401'); }\n",
    );
    const { code, report } = await doctorJson([
      '--spec',
      TRACKLET_SPEC,
      '--target',
      server.url,
      '--provision',
      `module:${failing}`,
    ]);
    expect(code).toBe(3);
    expect(report.provisioning).toMatchObject({ status: 'fail', failureCode: 3 });
    expect(report.provisioning!.checks[0]).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('login refused: HTTP 401'),
      fix: expect.stringContaining('run the provisioning by hand'),
    });
  });

  it('credentials the target refuses fail the check (exit 3)', async () => {
    const tenants = path.join(dir, 'tenants.json');
    writeFileSync(
      tenants,
      JSON.stringify({
        tenants: [
          { id: 'org-a', headers: { Authorization: 'Bearer not.a.token' } },
          { id: 'org-b', headers: { Authorization: 'Bearer also.not.token' } },
        ],
      }),
    );
    const { code, report } = await doctorJson([
      '--spec',
      TRACKLET_SPEC,
      '--target',
      server.url,
      '--provision',
      `file:${tenants}`,
    ]);
    expect(report.provisioning!.checks.filter((c) => c.status === 'fail').map((c) => c.detail)).toEqual([
      "T1's credential is refused: GET /projects answered 401",
      "T2's credential is refused: GET /projects answered 401",
    ]);
    expect(code).toBe(3);
  });
});

describe('tenantproof doctor against an unreachable target', () => {
  it('is exit 3 with a clear message', async () => {
    // A port that was just free: listen on port 0, note the port, close.
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const { code, out, err } = await doctor([
      '--spec',
      TRACKLET_SPEC,
      '--target',
      `http://127.0.0.1:${port}`,
      '--provision',
      TRACKLET_PROVISION,
    ]);
    expect(code).toBe(3);
    expect(out).toBe('');
    expect(err).toContain(`cannot reach the target at http://127.0.0.1:${port}`);
  });
});
