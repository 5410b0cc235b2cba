import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import type { GeneratedValues } from './command-spec.ts';
import { buildPlan, type CampaignPlan } from './plan.ts';
import { buildOwnStep, buildProbeStep, CANARY_PREFIX, type StepBuilderContext } from './step-builder.ts';
import { World } from './world.ts';

const spec = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'specs', 'crm.openapi.yaml');
let plan: CampaignPlan;
beforeAll(async () => {
  plan = buildPlan(await analyzeSpecFile(spec));
});

/** T1 owns customer c1 (step 0); T2 owns customer c2 (step 1) and has a cursor from step 2. */
function context(): StepBuilderContext {
  const world = new World(['T1', 'T2'], { T1: 'id-of-t1', T2: 'id-of-t2' });
  world.tenant('T1').records.push({ resource: 'customer', id: 'c1-000000', createdBy: 0, idField: 'id', alive: true });
  world.tenant('T2').records.push({ resource: 'customer', id: 'c2-000000', createdBy: 1, idField: 'id', alive: true });
  world.tenant('T2').canaries.push('tpT2abcdefghij');
  world.tenant('T2').cursors.set('listCustomers', { value: 'cursor-of-t2', step: 2, operationId: 'listCustomers' });
  world.steps.length = 3;
  return { plan, world, labels: ['T1', 'T2'], pageSize: 2 };
}

const values = (body?: unknown): GeneratedValues => ({
  query: {},
  nonce: 'n0nce0000000',
  ...(body !== undefined ? { body } : {}),
});

describe('step builder', () => {
  it('an own read targets one of the tenant’s own records, by reference to the step that made it', () => {
    const s = buildOwnStep(context(), {
      kind: 'own',
      action: 'read',
      operationId: 'getCustomer',
      tenant: 0,
      selector: 5,
      values: values(),
    })!;
    expect(s).toMatchObject({
      tenant: 'T1',
      relation: 'own',
      recordFrom: 0,
      pathParams: { customerId: { $from: 0, path: 'id' } },
    });
  });

  it('a foreign read targets the victim’s record', () => {
    const s = buildProbeStep(context(), {
      kind: 'probe',
      probe: 'cross-tenant-read',
      operationId: 'getCustomer',
      tenant: 0,
      victim: 0,
      selector: 0,
      values: values(),
    })!;
    expect(s).toMatchObject({
      tenant: 'T1',
      victim: 'T2',
      relation: 'foreign',
      probe: 'cross-tenant-read',
      pathParams: { customerId: { $from: 1, path: 'id' } },
    });
  });

  it('a create fills id-bearing body fields with the tenant’s own records, and waits when it has none', () => {
    const ctx = context();
    const body = {
      customerId: 'generated',
      title: 'tpT1abcdefghij',
      scheduledStart: '2030-01-02T00:00:00Z',
      scheduledEnd: '2030-01-02T01:00:00Z',
    };
    const s = buildOwnStep(ctx, {
      kind: 'own',
      action: 'create',
      operationId: 'createJob',
      tenant: 0,
      selector: 0,
      values: values(body),
    })!;
    expect(s.body).toMatchObject({ customerId: { $from: 0, path: 'id' }, title: 'tpT1abcdefghij' });
    expect(s.headers['Idempotency-Key']).toMatch(/^tpidemT1/);
    ctx.world.tenant('T1').records[0]!.alive = false;
    expect(
      buildOwnStep(ctx, {
        kind: 'own',
        action: 'create',
        operationId: 'createJob',
        tenant: 0,
        selector: 0,
        values: values(body),
      }),
    ).toBeUndefined();
  });

  it('a foreign reference points the attacker’s new child at the victim’s parent', () => {
    const body = {
      customerId: 'generated',
      title: 'x',
      scheduledStart: '2030-01-02T00:00:00Z',
      scheduledEnd: '2030-01-02T01:00:00Z',
    };
    const s = buildProbeStep(context(), {
      kind: 'probe',
      probe: 'foreign-reference',
      operationId: 'createJob',
      tenant: 0,
      victim: 0,
      selector: 0,
      values: values(body),
    })!;
    expect(s.body).toMatchObject({ customerId: { $from: 1, path: 'id' } });
    const note = buildProbeStep(context(), {
      kind: 'probe',
      probe: 'foreign-reference',
      operationId: 'createCustomerNote',
      tenant: 0,
      victim: 0,
      selector: 0,
      values: values({ body: 'hi' }),
    })!;
    expect(note.pathParams).toEqual({ customerId: { $from: 1, path: 'id' } });
  });

  it('tenant overrides name the victim’s provisioning id', () => {
    const s = buildProbeStep(context(), {
      kind: 'probe',
      probe: 'header-injection',
      operationId: 'listCustomers',
      tenant: 0,
      victim: 0,
      selector: 0,
      values: values(),
    })!;
    expect(s.headers['X-Tenant-Id']).toEqual({ $tenantId: 'T2', field: 'header:X-Tenant-Id' });
    expect(s.override?.vector).toBe('header');
    expect(s.relation).toBe('injected');
  });

  it('a foreign cursor replays the victim’s nextCursor', () => {
    const s = buildProbeStep(context(), {
      kind: 'probe',
      probe: 'foreign-cursor',
      operationId: 'listCustomers',
      tenant: 0,
      victim: 0,
      selector: 0,
      values: values(),
    })!;
    expect(s.query['cursor']).toEqual({ $from: 2, path: 'nextCursor' });
  });

  it('searches use the tenant’s own canary, the victim’s, or the shared prefix', () => {
    const ctx = context();
    const broad = buildOwnStep(ctx, {
      kind: 'own',
      action: 'list',
      operationId: 'listCustomers',
      tenant: 0,
      selector: 0,
      queryMode: 'broad',
      values: values(),
    })!;
    expect(broad.query['q']).toBe(CANARY_PREFIX);
    const victim = buildOwnStep(ctx, {
      kind: 'own',
      action: 'search',
      operationId: 'search',
      tenant: 0,
      selector: 0,
      queryMode: 'victim-canary',
      victim: 0,
      values: values(),
    })!;
    expect(victim).toMatchObject({ query: { q: 'tpT2abcdefghij' }, relation: 'foreign', victim: 'T2' });
    // T1 has no canary yet: an own-canary search waits.
    expect(
      buildOwnStep(ctx, {
        kind: 'own',
        action: 'search',
        operationId: 'search',
        tenant: 0,
        selector: 0,
        queryMode: 'own-canary',
        values: values(),
      }),
    ).toBeUndefined();
  });

  it('a shared-word search asks, as the tenant’s own question, for a word the victim’s records contain', () => {
    const ctx = context();
    // T1's record has Maria and Dover; T2's has Maria and Smith: Maria is shared by both.
    ctx.world.tenant('T1').records[0]!.lastSeen = { name: 'tpT1aaaaaaaaaa Maria Dover' };
    ctx.world.tenant('T2').records[0]!.lastSeen = { name: 'tpT2abcdefghij Maria Smith' };
    const spec = {
      kind: 'own' as const,
      action: 'search' as const,
      operationId: 'search',
      tenant: 0,
      selector: 0,
      queryMode: 'shared-word' as const,
      victim: 0,
      values: values(),
    };
    const s = buildOwnStep(ctx, spec)!;
    expect(s).toMatchObject({ query: { q: 'Maria' }, relation: 'own' });
    expect(s.probe).toBeUndefined();
    expect(s.victim).toBeUndefined();
    // No other tenant has a word yet: the search waits.
    ctx.world.tenant('T2').records[0]!.lastSeen = { name: 'tpT2abcdefghij' };
    expect(buildOwnStep(ctx, spec)).toBeUndefined();
  });

  it('a page walk starts at the first page with its drawn page size, within the parameter’s bounds', () => {
    const walk = (pageSize: number) =>
      buildOwnStep(context(), {
        kind: 'own',
        action: 'list',
        operationId: 'listCustomers',
        tenant: 0,
        selector: 0,
        values: { query: { cursor: 'stale' }, nonce: 'n0nce0000000' },
        paginate: { pageSize },
      })!;
    expect(walk(3).query).toEqual({ limit: 3 });
    // listCustomers' limit is 1..100 (inline in the spec's Limit parameter or not: at least 1).
    expect(walk(0).query['limit']).toBe(1);
  });
});
