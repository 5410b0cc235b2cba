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
    const [f] = checkInjection([{ probe, vector: 'header' }], ctx).findings;
    expect(f).toMatchObject({
      oracle: 'injection',
      proof: 'victim-data',
      victim: 'T2',
      evidence: { kind: 'override-honoured-read', values: [{ value: ID_B1, owner: 'T2' }] },
    });
  });

  it("raises when a body tenantId files the created record under the victim: the victim's re-read returns the attacker's values, the attacker's does not", () => {
    const probe = ex({
      relation: 'injected',
      victim: 'T2',
      op: 'createCustomer',
      method: 'POST',
      reqBody: { name: 'tpT1abcdefghij', tenantId: 'tenant-uuid-of-T2' },
      status: 201,
      body: { id: 'new-record-0001' },
    });
    const attackerReread = ex({ tenant: 'T1', status: 404, body: {} });
    const victimReread = ex({ tenant: 'T2', status: 200, body: { id: 'new-record-0001', name: 'tpT1abcdefghij' } });
    const attackerValues = (e: { response?: { bodyText: string } }, a: string) =>
      a === 'T1' ? (e.response?.bodyText.match(/tpT1abcdefghij/g) ?? []) : [];
    const { findings } = checkInjection(
      [{ probe, vector: 'body', createdId: 'new-record-0001', attackerReread, victimReread }],
      { ...ctx, attackerValues },
    );
    expect(findings.map((f) => [f.evidence['kind'], f.proof])).toEqual([
      ['created-in-victim-view', 'victim-state-change'],
    ]);
  });

  it('does not raise when the victim reads the record only as anyone can (the attacker reads it too: an unscoped read, not the override)', () => {
    const probe = ex({ relation: 'injected', victim: 'T2', method: 'POST', status: 201, body: { id: 'r-2' } });
    const body = { id: 'r-2', name: 'tpT1abcdefghij' };
    const attackerValues = () => ['tpT1abcdefghij'];
    const { findings } = checkInjection(
      [
        {
          probe,
          vector: 'header',
          createdId: 'r-2',
          attackerReread: ex({ tenant: 'T1', status: 200, body }),
          victimReread: ex({ tenant: 'T2', status: 200, body }),
        },
      ],
      { ...ctx, attackerValues },
    );
    expect(findings).toEqual([]);
  });

  it("does not raise on a framework that answers 200 with an empty body for ids it does not hold, and notes the creator's failed re-read", () => {
    const probe = ex({ relation: 'injected', victim: 'T2', method: 'POST', status: 201, body: { id: 'r-3' } });
    const empty = (tenant: string, status: number) => ex({ tenant, status, bodyText: '', headers: {} });
    const { findings, observations } = checkInjection(
      [{ probe, vector: 'body', createdId: 'r-3', attackerReread: empty('T1', 404), victimReread: empty('T2', 200) }],
      { ...ctx, attackerValues: () => [] },
    );
    expect(findings).toEqual([]);
    expect(observations.map((o) => o.kind)).toEqual(['override-created-record-unreadable']);
  });

  it("does not raise when the same request without the override returns the victim's data too (the leak is not the override's)", () => {
    const probe = ex({
      relation: 'injected',
      victim: 'T2',
      op: 'listCustomers',
      reqHeaders: { 'x-tenant-id': 'tenant-uuid-of-T2' },
      body: { data: [{ id: ID_B1 }] },
    });
    const withoutOverride = ex({ op: 'listCustomers', body: { data: [{ id: ID_B1 }] } });
    expect(checkInjection([{ probe, vector: 'header', withoutOverride }], ctx).findings).toEqual([]);
  });

  it("does not count another tenant's values than the one the override names", () => {
    const probe = ex({
      relation: 'injected',
      victim: 'T3',
      op: 'listCustomers',
      reqHeaders: { 'x-tenant-id': 'tenant-uuid-of-T3' },
      body: { data: [{ id: ID_B1 }] },
    });
    expect(checkInjection([{ probe, vector: 'header' }], ctx).findings).toEqual([]);
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
    const { findings: fs } = checkInjection(
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

describe('injection through the tenant prefix of the path (path-injection)', () => {
  it("raises when the victim's /orgs/{orgId} prefix, with the attacker's own token, lists the victim's records", () => {
    const probe = ex({
      relation: 'injected',
      victim: 'T2',
      op: 'listBoards',
      path: '/orgs/tenant-uuid-of-T2/boards',
      body: { data: [{ id: ID_B1 }], total: 1 },
    });
    const [f] = checkInjection([{ probe, vector: 'path' }], ctx).findings;
    expect(f).toMatchObject({ oracle: 'injection', proof: 'victim-data', victim: 'T2' });
  });

  it("does not raise on an API that ignores the prefix and answers with the caller's own records (quirky, not a leak)", () => {
    const probe = ex({
      relation: 'injected',
      victim: 'T2',
      op: 'listBoards',
      path: '/orgs/tenant-uuid-of-T2/boards',
      body: { data: [{ id: ID_A1, orgId: 'tenant-uuid-of-T2' }], total: 1 },
    });
    const created = ex({
      relation: 'injected',
      victim: 'T2',
      op: 'createBoard',
      method: 'POST',
      path: '/orgs/tenant-uuid-of-T2/boards',
      status: 201,
      body: { id: ID_A1 },
    });
    const known = (_t: string, v: string) => v === 'tenant-uuid-of-T2';
    const { findings } = checkInjection(
      [
        { probe, vector: 'path' },
        {
          probe: created,
          vector: 'path',
          createdId: ID_A1,
          attackerReread: ex({ status: 200, body: { id: ID_A1 } }),
          victimReread: ex({ tenant: 'T2', status: 404, body: {} }),
        },
      ],
      { ...ctx, knownTo: known },
    );
    expect(findings).toEqual([]);
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
    expect(
      checkInjection([{ probe, vector: 'header' }], { ownerOf: (v) => (ownerOf(v) ? 'T4' : undefined) }).findings,
    ).toHaveLength(1);
    const { findings } = checkInjection([{ probe, vector: 'header' }], {
      ownerOf: (v) => (ownerOf(v) ? 'T4' : undefined),
      knownTo: (t, v) => t === 'T3' && v === 'tpT1copied0001',
    });
    expect(findings).toEqual([]);
  });
});
