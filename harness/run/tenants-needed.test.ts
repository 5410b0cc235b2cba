import { describe, expect, it } from 'vitest';
import type { Step } from '../model/step.ts';
import { tenantsNeeded } from './tenants-needed.ts';

const step = (tenant: string, extra: Partial<Step> = {}): Step => ({
  index: 0,
  tenant,
  operationId: 'op',
  action: 'read',
  relation: 'own',
  method: 'GET',
  path: '/x',
  pathParams: {},
  query: {},
  headers: {},
  ...extra,
});

describe('the tenants a repro needs', () => {
  it('is the highest label named as sender, victim or tenant id, and at least two', () => {
    expect(tenantsNeeded([])).toBe(2);
    expect(tenantsNeeded([step('T1')])).toBe(2);
    expect(tenantsNeeded([step('T1'), step('T3', { victim: 'T1' })])).toBe(3);
    expect(tenantsNeeded([step('T2', { headers: { 'x-tenant-id': { $tenantId: 'T4' } } })])).toBe(4);
  });

  it('is unknown when a label is not T<n>', () => {
    expect(tenantsNeeded([step('alice')])).toBeUndefined();
    expect(tenantsNeeded([step('T1', { body: { org: { $tenantId: 'acme' } } })])).toBeUndefined();
  });
});
