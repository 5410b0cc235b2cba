import { describe, expect, it } from 'vitest';
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
});
