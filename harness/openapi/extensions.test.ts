/** `x-tenantproof-*` extensions override inference. */
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeSpecFile, type ApiModel, type OperationInfo } from './index.ts';
import { fixtureSpec } from '../../test/support/paths.ts';

let model: ApiModel;
const op = (id: string): OperationInfo => model.operations.find((o) => o.operationId === id)!;
beforeAll(async () => {
  model = await analyzeSpecFile(fixtureSpec('overrides.yaml'));
});

describe('x-tenantproof-* overrides', () => {
  it('x-tenantproof-id-field picks the id field of a producer', () => {
    expect(op('createDoc').produces).toEqual({ resource: 'doc', idField: 'handle', status: '201' });
  });
  it('x-tenantproof-resource on a schema property and on a query parameter marks consumers', () => {
    expect(op('createDoc').consumes).toEqual([{ resource: 'folder', in: 'body', name: 'folder', source: 'extension' }]);
    expect(op('lookupThing').consumes).toEqual([
      { resource: 'folder', in: 'query', name: 'owner', source: 'extension' },
      { resource: 'doc', in: 'query', name: 'ref', source: 'extension' },
    ]);
  });
  it('x-tenantproof-kind and x-tenantproof-tenant-owned replace the inference', () => {
    expect(op('publishDoc')).toMatchObject({ kind: 'unclassified', tenantOwned: false, probes: [] });
    expect(op('getInsights').kind).toBe('aggregate');
  });
  it('x-tenantproof-skip-probes removes probes', () => {
    expect(op('getInsights').probes).toContain('aggregate-check');
    expect(op('getInsights').probes).not.toContain('interleaved');
  });
  it('x-tenantproof-ignore on a path item leaves its operations out of every probe', () => {
    expect(op('health')).toMatchObject({
      kind: 'unclassified',
      tenantOwned: false,
      probes: [],
      reason: 'ignored (x-tenantproof-ignore)',
    });
  });
  it('x-tenantproof-admin on a security scheme makes its operations not tenant-owned', () => {
    expect(op('reindex')).toMatchObject({ tenantOwned: false, tenantOwnedReason: 'admin security scheme ops' });
  });
  it('records which extensions shaped an operation', () => {
    expect(op('getInsights').overrides).toEqual(['x-tenantproof-kind', 'x-tenantproof-skip-probes']);
  });
});
