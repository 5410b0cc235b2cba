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

describe('resolveStep with tenant selectors (subdomain and path-prefix tenancy)', () => {
  function selectorWorld(): World {
    const w = new World(['T1', 'T2'], { T1: 'org_one', T2: 'org_two' });
    w.tenant('T1').selectors = { 'header:Host': 'one.example.test', 'path:orgId': 'org_one' };
    w.tenant('T2').selectors = { 'header:Host': 'two.example.test', 'path:orgId': 'org_two' };
    return w;
  }

  it("fills an open tenant prefix and the Host header with the sender's own selectors", () => {
    const r = resolveStep(step({ path: '/orgs/{orgId}/boards', tenant: 'T2' }), selectorWorld());
    expect(r.path).toBe('/orgs/org_two/boards');
    expect(r.headers).toEqual({ Host: 'two.example.test' });
    expect(r.sentValues.has('org_two')).toBe(true);
    expect(r.sentValues.has('two.example.test')).toBe(true);
  });

  it("an override names the victim's selector for that field, and wins over the sender's own", () => {
    const r = resolveStep(
      step({
        path: '/orgs/{orgId}/boards',
        pathParams: { orgId: { $tenantId: 'T2', field: 'path:orgId' } },
        headers: { host: { $tenantId: 'T2', field: 'header:Host' } },
      }),
      selectorWorld(),
    );
    expect(r.path).toBe('/orgs/org_two/boards');
    expect(r.headers).toEqual({ host: 'two.example.test' });
  });

  it('a field with no selector falls back to the provisioning id', () => {
    const r = resolveStep(
      step({ path: '/things', headers: { 'X-Tenant-Id': { $tenantId: 'T2', field: 'header:X-Tenant-Id' } } }),
      selectorWorld(),
    );
    expect(r.headers['X-Tenant-Id']).toBe('org_two');
  });

  it('leaves a placeholder no selector fills for the step builder to have filled', () => {
    const r = resolveStep(step({ path: '/orgs/{orgId}/boards' }), new World(['T1'], { T1: 'x' }));
    expect(r.path).toBe('/orgs/{orgId}/boards');
    expect(r.headers).toEqual({});
  });
});
