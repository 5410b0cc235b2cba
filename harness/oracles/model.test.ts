import { describe, expect, it } from 'vitest';
import { checkModel } from './model.ts';
import { ID_A1, ID_A2, ID_B1 } from './oracle-fixtures.test-support.ts';

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
