import { describe, expect, it } from 'vitest';
import { checkCrossTenantAccess } from './cross-tenant-access.ts';
import { ex, ID_B1, MISSING } from './oracle-fixtures.test-support.ts';

const probe = (status: number, method = 'GET') =>
  ex({
    relation: 'foreign',
    victim: 'T2',
    method,
    path: `/v1/customers/${ID_B1}`,
    status,
    body: status < 400 ? { id: ID_B1 } : { title: 'Not Found' },
  });
const missing = () =>
  ex({ relation: 'own', path: `/v1/customers/${MISSING}`, status: 404, body: { title: 'Not Found' } });
const reread = (body: unknown, status = 200) => ex({ tenant: 'T2', path: `/v1/customers/${ID_B1}`, status, body });

describe('cross-tenant-access oracle', () => {
  it('raises when a foreign read succeeds', () => {
    const [f, ...rest] = checkCrossTenantAccess([{ probe: probe(200), missing: missing() }]);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      oracle: 'cross-tenant-access',
      attacker: 'T1',
      victim: 'T2',
      evidence: { kind: 'foreign-probe-succeeded', status: 200, missingStatus: 404 },
    });
  });

  it("raises when the victim's record changed after a foreign update, naming the field", () => {
    const p = probe(404, 'PATCH');
    const fs = checkCrossTenantAccess([
      {
        probe: p,
        before: reread({ id: ID_B1, name: 'Old', requestId: 'r1' }),
        after: reread({ id: ID_B1, name: 'New', requestId: 'r2' }),
      },
    ]);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.evidence).toMatchObject({
      kind: 'victim-record-changed',
      changes: [{ path: '/name', before: 'Old', after: 'New' }],
    });
  });

  it("raises when the victim's record disappeared after a foreign delete", () => {
    const fs = checkCrossTenantAccess([
      { probe: probe(204, 'DELETE'), before: reread({ id: ID_B1 }), after: reread({ title: 'Not Found' }, 404) },
    ]);
    expect(fs.map((f) => f.evidence['kind'])).toEqual(['foreign-probe-succeeded', 'victim-record-gone']);
  });

  it('is clean when the probe fails like a missing id and the record is unchanged', () => {
    const fs = checkCrossTenantAccess([
      {
        probe: probe(404, 'PATCH'),
        missing: missing(),
        before: reread({ id: ID_B1, name: 'Same', requestId: 'a' }),
        after: reread({ id: ID_B1, name: 'Same', requestId: 'b' }),
      },
    ]);
    expect(fs).toEqual([]);
  });
});
