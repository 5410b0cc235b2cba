import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FingerprintRegistry } from '../generate/fingerprints.ts';
import type { CheckpointView } from '../model/checkpoint-view.ts';
import { buildPlan, type CampaignPlan } from '../model/plan.ts';
import { buildOwnStep } from '../model/step-builder.ts';
import { World } from '../model/world.ts';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import { checkModel, checkpointObservations } from './model.ts';
import { ex, ID_A1, ID_A2, ID_B1 } from './oracle-fixtures.test-support.ts';

const owners: Record<string, string> = { [ID_A1]: 'T1', [ID_A2]: 'T1', [ID_B1]: 'T2' };
const ctx = { ownerOf: (v: string) => owners[v] };

describe('model oracle', () => {
  it('raises on a foreign id in ownership mode, naming the owner', () => {
    const [f, ...rest] = checkModel(
      [
        {
          tenant: 'T1',
          operationId: 'searchAll',
          kind: 'search',
          mode: 'ownership',
          exchanges: [4],
          observedIds: [ID_A1, ID_B1],
        },
      ],
      ctx,
    );
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      oracle: 'model',
      victim: 'T2',
      severity: 'critical',
      exchanges: [4],
      evidence: { kind: 'foreign-ids', ids: [ID_B1] },
    });
  });

  it('raises on extra and missing ids in exact mode', () => {
    const fs = checkModel(
      [
        {
          tenant: 'T1',
          operationId: 'listCustomers',
          kind: 'list',
          mode: 'exact',
          exchanges: [5],
          observedIds: [ID_A1, 'unknown-id-0001'],
          expectedIds: [ID_A1, ID_A2],
        },
      ],
      ctx,
    );
    expect(fs).toHaveLength(1);
    expect(fs[0]!.evidence).toMatchObject({
      kind: 'id-set-mismatch',
      extra: ['unknown-id-0001'],
      unknownOwner: ['unknown-id-0001'],
      missing: [ID_A2],
    });
  });

  it('raises when an aggregate counts other tenants', () => {
    const fs = checkModel(
      [
        {
          tenant: 'T1',
          operationId: 'getSummary',
          kind: 'aggregate',
          mode: 'exact',
          exchanges: [6],
          observedAggregates: { count: 7, 'total.amount': 300.3 },
          expectedAggregates: { count: 2, 'total.amount': 100.1 },
        },
      ],
      ctx,
    );
    expect(fs[0]).toMatchObject({ severity: 'high', evidence: { kind: 'aggregate-mismatch' } });
    expect((fs[0]!.evidence['mismatches'] as unknown[]).length).toBe(2);
  });

  it('is clean on exact agreement (float tolerance) and on ownership-only with own ids', () => {
    expect(
      checkModel(
        [
          {
            tenant: 'T1',
            operationId: 'listCustomers',
            kind: 'list',
            mode: 'exact',
            exchanges: [1, 2],
            observedIds: [ID_A2, ID_A1],
            expectedIds: [ID_A1, ID_A2],
          },
          {
            tenant: 'T1',
            operationId: 'getSummary',
            kind: 'aggregate',
            mode: 'exact',
            exchanges: [3],
            observedAggregates: { total: 0.1 + 0.2 },
            expectedAggregates: { total: 0.3 },
          },
          {
            tenant: 'T1',
            operationId: 'exportCustomers',
            kind: 'export',
            mode: 'ownership',
            exchanges: [4],
            observedIds: [ID_A1, 'not-registered-yet'],
          },
        ],
        ctx,
      ),
    ).toEqual([]);
  });
});

describe('model oracle: ownership is judged per resource', () => {
  it('an integer id that is another tenant’s record of a different resource is not a leak; of the same resource it is', () => {
    const owners: Record<string, Record<string, string>> = { project: { '5': 'T1' }, task: { '5': 'T2', '7': 'T2' } };
    const ctx = { ownerOf: (v: string, resource?: string) => (resource ? owners[resource]?.[v] : undefined) };
    const list = (resource: string, ids: string[]) => ({
      tenant: 'T1',
      operationId: `list-${resource}`,
      kind: 'list' as const,
      mode: 'ownership' as const,
      exchanges: [1],
      observedIds: ids,
      resource,
    });
    expect(checkModel([list('project', ['5'])], ctx)).toEqual([]);
    const f = checkModel([list('task', ['7'])], ctx);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ oracle: 'model', victim: 'T2', evidence: { ids: ['7'] } });
  });
});

describe('model oracle: when the model is exact', () => {
  const spec = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'specs', 'crm.openapi.yaml');
  let plan: CampaignPlan;
  beforeAll(async () => {
    plan = buildPlan(await analyzeSpecFile(spec));
  });

  /** T1 owns one customer; its list and its summary are read at a checkpoint. */
  function setting() {
    const world = new World(['T1'], { T1: 'id-of-t1' }, { plan, registry: new FingerprintRegistry() });
    world.tenant('T1').records.push({ resource: 'customers', id: ID_A1, createdBy: 0, idField: 'id', alive: true });
    const page = (body: unknown, bodyText?: string) =>
      ex({ op: 'listCustomers', body, ...(bodyText ? { bodyText, headers: { 'content-type': 'text/html' } } : {}) });
    const view = (pages: ReturnType<typeof ex>[]): CheckpointView => ({
      completeModel: true,
      lists: [
        { tenant: 'T1', operationId: 'listCustomers', resource: 'customers', pages, itemsField: 'data', idField: 'id' },
      ],
      aggregates: [
        {
          tenant: 'T1',
          operationId: 'getReportSummary',
          exchange: ex({ op: 'getReportSummary', body: { customers: 1 } }),
        },
      ],
      exports: [],
      audits: [],
    });
    return { world, page, view };
  }

  it('compares exactly while every own write was read back', () => {
    const { world, page, view } = setting();
    const obs = checkpointObservations(view([page({ data: [{ id: ID_A1 }] })]), world, plan);
    expect(obs.map((o) => o.mode)).toEqual(['exact', 'exact']);
    expect(obs[0]!.expectedIds).toEqual([ID_A1]);
  });

  it('falls back to ownership after a create the harness could not read (500, or a body cut short), own or a probe', () => {
    const cut = { status: 201, bodyText: '{"id":"11111111-2222-41', headers: { 'content-type': 'text/html' } };
    for (const [answer, relation] of [
      [{ status: 500, body: { title: 'oops' } }, 'own'],
      [cut, 'own'],
      // A unique-value probe's create that a correct server accepts files a record under its sender.
      [cut, 'foreign'],
    ] as const) {
      const { world, page, view } = setting();
      const step = buildOwnStep(
        { plan, world, labels: ['T1'], pageSize: 2 },
        {
          kind: 'own',
          action: 'create',
          operationId: 'createCustomer',
          tenant: 0,
          selector: 0,
          values: { query: {}, nonce: 'n0nce0000000', body: { name: 'x' } },
        },
      )!;
      world.learn(
        { ...step, relation },
        ex({ op: 'createCustomer', method: 'POST', reqBody: { name: 'x' }, ...answer }),
        true,
      );
      expect(world.tenant('T1').uncertainWrites).toBe(1);
      // The list shows a customer the model never learned: with an exact model that would be a finding.
      const obs = checkpointObservations(view([page({ data: [{ id: ID_A1 }, { id: ID_A2 }] })]), world, plan);
      expect(obs.map((o) => o.mode)).toEqual(['ownership', 'ownership']);
      expect(checkModel(obs, { ownerOf: (v) => (v === ID_A1 ? 'T1' : undefined) })).toEqual([]);
    }
  });

  it('checks only readable pages, and a list with a page cut short only for ownership', () => {
    const { world, page, view } = setting();
    const cut = page(undefined, '{"data":[{"id":"' + ID_B1.slice(0, 10));
    const obs = checkpointObservations(view([page({ data: [{ id: ID_A1 }], next: 'c' }), cut]), world, plan);
    expect(obs[0]).toMatchObject({ mode: 'ownership', exchanges: [expect.any(Number)] });
    expect(obs[0]!.expectedIds).toBeUndefined();
  });
});
