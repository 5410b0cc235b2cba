/**
 * The hint rules on a Tracklet copy with the quirks they exist for, and the proof that matters:
 * each hint, written as an overlay and applied by the real loader, changes what the plan does.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPlan } from '../model/plan.ts';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import { writeOverlay } from '../openapi/overlay.ts';
import { computeHints, hintActions, resourceNamedBy } from './doctor-hints.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'tp-doctor-hints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Paths = Record<string, Record<string, unknown>>;
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });

/** Tracklet, plus: a task read at `/projects/{projectId}/{taskId}` (no resource name before the id),
 *  an activity list under a bare `{workspace}`, and exports whose POST reads as an export, not a create. */
function quirkySpec(): string {
  const spec = YAML.parse(readFileSync(path.join(ROOT, 'examples/third-party/openapi.yaml'), 'utf8')) as {
    paths: Paths;
    components: { schemas: Record<string, unknown> };
  };
  const taskItem = spec.paths['/projects/{projectId}/tasks/{taskId}'] as { get: Record<string, unknown> };
  spec.paths['/projects/{projectId}/{taskId}'] = {
    get: {
      ...taskItem.get,
      operationId: 'getTaskShort',
      parameters: [
        { $ref: '#/components/parameters/ProjectId' },
        { name: 'taskId', in: 'path', required: true, schema: { type: 'integer' } },
      ],
    },
  };
  spec.components.schemas['Export'] = {
    type: 'object',
    required: ['id', 'status'],
    properties: { id: { type: 'integer' }, status: { type: 'string' } },
  };
  const exportRef = { $ref: '#/components/schemas/Export' };
  spec.paths['/exports'] = {
    post: { operationId: 'startExport', responses: { '202': { description: 'started', ...json(exportRef) } } },
  };
  spec.paths['/exports/{exportId}'] = {
    get: {
      operationId: 'getExport',
      parameters: [{ name: 'exportId', in: 'path', required: true, schema: { type: 'integer' } }],
      responses: { '200': { description: 'the export', ...json(exportRef) } },
    },
  };
  spec.paths['/{workspace}/activity'] = {
    get: {
      operationId: 'listActivity',
      parameters: [{ name: 'workspace', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { '200': { description: 'events', ...json({ type: 'array', items: { type: 'object' } }) } },
    },
  };
  const file = path.join(dir, 'quirky.yaml');
  writeFileSync(file, YAML.stringify(spec));
  return file;
}

describe('doctor hints', () => {
  it('a parameter name names a resource by its words, never a bare id', () => {
    const known = new Set(['task', 'project', 'line-item']);
    expect(resourceNamedBy('taskId', known)).toEqual(['task']);
    expect(resourceNamedBy('task_ref', known)).toEqual(['task']);
    expect(resourceNamedBy('lineItemNo', known)).toEqual(['line-item']);
    expect(resourceNamedBy('projects', known)).toEqual(['project']);
    expect(resourceNamedBy('id', known)).toEqual([]);
    expect(resourceNamedBy('ownerId', known)).toEqual([]);
  });

  it('derives the kind of unclassified operations and the producer of a resource, and they take effect', async () => {
    const spec = quirkySpec();
    const before = await analyzeSpecFile(spec);
    const hints = computeHints(before);
    expect(hints.map((h) => [h.rule, h.operationId, h.update])).toEqual([
      ['kind', 'getTaskShort', { 'x-tenantproof-kind': 'item', 'x-tenantproof-resource': 'task' }],
      ['kind', 'listActivity', { 'x-tenantproof-kind': 'collection' }],
      [
        'producer',
        'startExport',
        { 'x-tenantproof-kind': 'create', 'x-tenantproof-resource': 'export', 'x-tenantproof-produces': 'export' },
      ],
    ]);
    expect(hints[2]!.reason).toBe(
      'nothing tenant-owned creates an export, and startExport is the one POST on its collection path /exports',
    );
    const planBefore = buildPlan(before);
    const reasonOf = (plan: typeof planBefore, id: string) => plan.outOfScope.find((o) => o.operationId === id)?.reason;
    expect(reasonOf(planBefore, 'getTaskShort')).toMatch(/^unclassified/);
    expect(reasonOf(planBefore, 'getExport')).toContain('no tenant-owned operation creates export');

    const overlay = path.join(dir, 'quirky.overlay.yaml');
    writeOverlay(overlay, hintActions(hints), { title: 'tenantproof hints' });
    const after = await analyzeSpecFile(spec, { overlay });
    const planAfter = buildPlan(after);
    expect(planAfter.reads.map((r) => r.op.operationId)).toEqual(expect.arrayContaining(['getTaskShort', 'getExport']));
    expect(planAfter.creates.map((c) => c.op.operationId)).toContain('startExport');
    // The activity list is a collection now; its bare {workspace} still names nothing, and that is the user's call.
    expect(reasonOf(planAfter, 'listActivity')).toBe(
      'path parameter {workspace} does not take the id of any known resource',
    );
    expect(computeHints(after)).toEqual([]);
  });
});
