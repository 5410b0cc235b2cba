import { describe, expect, it } from 'vitest';
import { leakFinding, VICTIM_CANARY, VICTIM_EMAIL, VICTIM_ID } from './ledger-fixtures.test-support.ts';
import { matchTemplate, pathTemplate, reproStepText, reproTemplate } from './repro-template.ts';

const OPS = [
  { method: 'GET', path: '/v1/customers/{customerId}' },
  { method: 'GET', path: '/v1/customers/export' },
  { method: 'POST', path: '/v1/customers' },
  { method: 'GET', path: '/v1/search' },
];

describe('repro templates', () => {
  it('replaces a concrete path by the spec template it matches, preferring literal segments', () => {
    expect(matchTemplate('GET', `/v1/customers/${VICTIM_ID}`, OPS)).toBe('/v1/customers/{customerId}');
    expect(matchTemplate('GET', '/v1/customers/export', OPS)).toBe('/v1/customers/export');
    expect(matchTemplate('DELETE', '/v1/customers/x', OPS)).toBeUndefined();
  });

  it('keeps query parameter names, never their values; an unknown path keeps only known literal segments', () => {
    expect(pathTemplate('GET', `/v1/search?limit=2&q=${VICTIM_CANARY}&tenant_id={tenantId of T2}`, OPS)).toBe(
      '/v1/search?limit=…&q=…&tenant_id=…',
    );
    expect(pathTemplate('GET', `/v1/customers/${VICTIM_ID}/notes/${VICTIM_EMAIL}`, OPS)).toBe(
      '/v1/customers/{…}/{…}/{…}',
    );
  });

  it('a counterexample becomes steps of tenant, role, method, template, header and body field names', () => {
    const steps = reproTemplate(leakFinding(), [...OPS]);
    expect(steps).toEqual([
      { tenant: 'T2', role: 'victim', method: 'POST', path: '/v1/customers', bodyFields: ['name', 'email'] },
      { tenant: 'T3', method: 'GET', path: '/v1/search?limit=…&q=…', headers: ['X-Tenant-Id'] },
      { tenant: 'T1', role: 'attacker', method: 'GET', path: '/v1/customers/{customerId}', finding: true },
    ]);
    const text = JSON.stringify(steps) + steps.map(reproStepText).join('\n');
    for (const secret of [VICTIM_ID, VICTIM_CANARY, VICTIM_EMAIL]) expect(text).not.toContain(secret);
    expect(reproStepText(steps[2]!)).toBe('T1 (attacker): GET /v1/customers/{customerId} ← the leak');
  });
});
