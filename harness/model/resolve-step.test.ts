import { describe, expect, it } from 'vitest';
import { resolveStep, UnresolvedReferenceError } from './resolve-step.ts';
import type { Step } from './step.ts';
import { World } from './world.ts';

function world(): World {
  const w = new World(['T1', 'T2'], { T1: 'tenant-one-id', T2: 'tenant-two-id' });
  w.responses.set(0, {
    status: 201,
    json: { id: 'cust-1111-aaaa', nested: { next: 'cur_abcdef' } },
    headers: { 'x-request-id': 'req-9' },
  });
  return w;
}

function step(partial: Partial<Step>): Step {
  return {
    index: 1,
    tenant: 'T1',
    operationId: 'op',
    action: 'read',
    relation: 'own',
    method: 'get',
    path: '/v1/things/{id}',
    pathParams: {},
    query: {},
    headers: {},
    ...partial,
  };
}

describe('resolveStep', () => {
  it('fills path parameters, query and body from earlier responses and tenant ids', () => {
    const r = resolveStep(
      step({
        method: 'post',
        pathParams: { id: { $from: 0, path: 'id' } },
        query: { cursor: { $from: 0, path: 'nested.next' }, limit: 2 },
        headers: { 'X-Tenant-Id': { $tenantId: 'T2' } },
        body: { customerId: { $from: 0, path: 'id' }, tags: ['a', { $from: 0, path: 'header:X-Request-Id' }] },
      }),
      world(),
    );
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/v1/things/cust-1111-aaaa?cursor=cur_abcdef&limit=2');
    expect(r.headers).toEqual({ 'X-Tenant-Id': 'tenant-two-id' });
    expect(JSON.parse(r.bodyText!)).toEqual({ customerId: 'cust-1111-aaaa', tags: ['a', 'req-9'] });
    // Everything sent is remembered, so its echo is not mistaken for a leak.
    for (const v of ['cust-1111-aaaa', 'cur_abcdef', 'tenant-two-id', 'req-9']) expect(r.sentValues.has(v)).toBe(true);
  });

  it('escapes path values', () => {
    const w = world();
    w.responses.set(0, { status: 201, json: { id: 'a/b c' }, headers: {} });
    expect(resolveStep(step({ pathParams: { id: { $from: 0, path: 'id' } } }), w).path).toBe('/v1/things/a%2Fb%20c');
  });

  it('says which step and value are missing when a reference cannot be resolved', () => {
    expect(() => resolveStep(step({ pathParams: { id: { $from: 7, path: 'id' } } }), world())).toThrow(
      UnresolvedReferenceError,
    );
    expect(() => resolveStep(step({ pathParams: { id: { $from: 7, path: 'id' } } }), world())).toThrow(
      /"id" from step 7/,
    );
    const noIds = new World(['T1', 'T2']);
    expect(() => resolveStep(step({ headers: { 'X-Tenant-Id': { $tenantId: 'T2' } } }), noIds)).toThrow(
      /provisioning id of T2/,
    );
  });
});
