import { describe, expect, it } from 'vitest';
import { checkInjection } from './injection.ts';
import { ex, ID_A1, ID_B1 } from './oracle-fixtures.test-support.ts';

const owners: Record<string, string> = { [ID_A1]: 'T1', [ID_B1]: 'T2', 'tenant-uuid-of-T2': 'T2' };
const ctx = { ownerOf: (v: string) => owners[v] };

describe('injection oracle', () => {
  it("raises when a header override reads the victim's data", () => {
    const probe = ex({
      relation: 'injected',
      victim: 'T2',
      op: 'listCustomers',
      reqHeaders: { 'x-tenant-id': 'tenant-uuid-of-T2' },
      body: { data: [{ id: ID_B1 }] },
    });
    const [f] = checkInjection([{ probe, vector: 'header' }], ctx);
    expect(f).toMatchObject({
      oracle: 'injection',
      victim: 'T2',
      evidence: { kind: 'override-honoured-read', values: [{ value: ID_B1, owner: 'T2' }] },
    });
  });

  it('raises when a body tenantId files the created record under the victim', () => {
    const probe = ex({
      relation: 'injected',
      victim: 'T2',
      op: 'createCustomer',
      method: 'POST',
      reqBody: { name: 'x', tenantId: 'tenant-uuid-of-T2' },
      status: 201,
      body: { id: 'new-record-0001' },
    });
    const attackerReread = ex({ tenant: 'T1', status: 404, body: {} });
    const victimReread = ex({ tenant: 'T2', status: 200, body: { id: 'new-record-0001' } });
    const fs = checkInjection(
      [{ probe, vector: 'body', createdId: 'new-record-0001', attackerReread, victimReread }],
      ctx,
    );
    expect(fs.map((f) => f.evidence['kind'])).toEqual(['created-not-owned-by-attacker', 'created-visible-to-victim']);
  });

  it('is clean when the override is rejected or ignored', () => {
    const rejected = ex({
      relation: 'injected',
      victim: 'T2',
      reqHeaders: { 'x-tenant-id': 'tenant-uuid-of-T2' },
      status: 400,
      body: { title: 'Bad Request' },
    });
    const ignored = ex({
      relation: 'injected',
      victim: 'T2',
      op: 'createCustomer',
      method: 'POST',
      path: '/v1/customers?tenant_id=tenant-uuid-of-T2',
      status: 201,
      body: { id: ID_A1, tenantEcho: 'tenant-uuid-of-T2' },
    });
    const fs = checkInjection(
      [
        { probe: rejected, vector: 'header' },
        {
          probe: ignored,
          vector: 'query',
          createdId: ID_A1,
          attackerReread: ex({ status: 200, body: { id: ID_A1 } }),
          victimReread: ex({ tenant: 'T2', status: 404, body: {} }),
        },
      ],
      ctx,
    );
    expect(fs).toEqual([]);
  });
});

describe('injection: values the attacker already knew', () => {
  it('does not count a value the attacker sent earlier (a copied body coming back)', async () => {
    const { checkInjection } = await import('./injection.ts');
    const probe = {
      seq: 9,
      tenant: 'T3',
      relation: 'injected' as const,
      operationId: 'getSchedule',
      victim: 'T4',
      request: { method: 'GET', url: 'http://x/v1/schedule', path: '/v1/schedule', headers: { 'x-tenant-id': 't4' } },
      response: {
        status: 200,
        headers: {},
        bodyText: '{"data":[{"customer":{"name":"tpT1copied0001"}}]}',
        json: { data: [{ customer: { name: 'tpT1copied0001' } }] },
        durationMs: 1,
      },
    };
    const ownerOf = (v: string) => (v === 'tpT1copied0001' ? 'T1' : undefined);
    expect(checkInjection([{ probe, vector: 'header' }], { ownerOf })).toHaveLength(1);
    const findings = checkInjection([{ probe, vector: 'header' }], {
      ownerOf,
      knownTo: (t, v) => t === 'T3' && v === 'tpT1copied0001',
    });
    expect(findings).toEqual([]);
  });
});
