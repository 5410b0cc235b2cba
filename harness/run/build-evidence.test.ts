import { describe, expect, it } from 'vitest';
import type { Finding } from '../model/exchange.ts';
import type { Step } from '../model/step.ts';
import { reproSteps } from './build-evidence.ts';

const base = { operationId: 'op', action: 'read', relation: 'own', pathParams: {}, query: {}, headers: {} } as const;

describe('reproSteps', () => {
  it('shows server-issued ids as placeholders naming the step that made them, and marks concurrent steps', () => {
    const steps: Step[] = [
      {
        ...base,
        index: 0,
        tenant: 'T1',
        action: 'create',
        method: 'POST',
        path: '/v1/customers',
        body: { name: 'tpT1abc' },
      },
      {
        ...base,
        index: 3,
        tenant: 'T2',
        relation: 'foreign',
        method: 'GET',
        path: '/v1/customers/{customerId}',
        pathParams: { customerId: { $from: 0, path: 'id' } },
        batch: 1,
      },
      {
        ...base,
        index: 4,
        tenant: 'T1',
        method: 'GET',
        path: '/v1/customers',
        query: { limit: 2 },
        headers: { 'X-Tenant-Id': { $tenantId: 'T2' } },
        batch: 1,
      },
    ];
    expect(reproSteps(steps)).toEqual([
      { tenant: 'T1', method: 'POST', path: '/v1/customers', body: { name: 'tpT1abc' } },
      { tenant: 'T2', method: 'GET', path: '/v1/customers/{step0.id}', concurrentWith: [2] },
      {
        tenant: 'T1',
        method: 'GET',
        path: '/v1/customers?limit=2',
        headers: { 'X-Tenant-Id': '{tenantId of T2}' },
        concurrentWith: [1],
      },
    ]);
  });

  it('names a referenced step by its position in the repro, not by the index it got among follow-ups', () => {
    // Follow-ups (re-reads, twins) took indexes 1 and 2 in the run: the read of record 3 is step 2.
    const steps: Step[] = [
      { ...base, index: 0, tenant: 'T1', action: 'create', method: 'POST', path: '/v1/customers' },
      { ...base, index: 3, tenant: 'T1', action: 'create', method: 'POST', path: '/v1/customers' },
      {
        ...base,
        index: 4,
        tenant: 'T2',
        method: 'GET',
        path: '/v1/customers/{customerId}',
        pathParams: { customerId: { $from: 3, path: 'id' } },
        query: { cursor: { $from: 2, path: 'nextCursor' } },
      },
    ];
    expect(reproSteps(steps)[2]!.path).toBe('/v1/customers/{step1.id}?cursor={nextCursor of a follow-up response}');
  });

  it('records what each step got back, and the bytes of the first hit on the step the finding fired on', () => {
    const steps: Step[] = [
      { ...base, index: 0, tenant: 'T1', action: 'create', method: 'POST', path: '/v1/customers' },
      { ...base, index: 1, tenant: 'T2', method: 'GET', path: '/v1/customers' },
      { ...base, index: 2, tenant: 'T2', method: 'GET', path: '/v1/customers/x' },
    ];
    const context = { before: '{"name":"', match: 'tpT1abc', after: '"}' };
    const finding: Finding = {
      oracle: 'foreign-data',
      proof: 'victim-data',
      severity: 'critical',
      operationId: 'getCustomer',
      attacker: 'T2',
      victim: 'T1',
      summary: 's',
      evidence: { hits: [{ value: 'tpT1abc', context }] },
      exchanges: [12],
    };
    const results = [
      { seq: 10, status: 201 },
      { seq: 11, error: 'TIMEOUT' },
      { seq: 12, status: 200 },
    ];
    expect(reproSteps(steps, { results, findings: [finding] }).map((s) => s.response)).toEqual([
      { status: 201 },
      { error: 'TIMEOUT' },
      { status: 200, finding: true, excerpt: context },
    ]);
    expect(reproSteps(steps)[0]!.response).toBeUndefined();
  });
});
