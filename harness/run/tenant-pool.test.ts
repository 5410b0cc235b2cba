import { describe, expect, it } from 'vitest';
import { MethodSchema } from '../evidence/evidence-schema.ts';
import { FingerprintRegistry } from '../generate/fingerprints.ts';
import { resolveValue } from '../model/resolve-step.ts';
import type { Step, StepValue } from '../model/step.ts';
import { World } from '../model/world.ts';
import type { ProvisionedTenant } from './run-context.ts';
import {
  carriedStepsFor,
  defaultPoolTenants,
  MAX_RECORDS_PER_RESOURCE,
  parsePoolLifetime,
  poolLine,
  poolMethod,
  seedRun,
  TenantPool,
  type PoolLease,
  type PoolMember,
} from './tenant-pool.ts';

const LABELS = ['T1', 'T2', 'T3', 'T4'];

function tenant(n: number): ProvisionedTenant {
  return { label: 'T1', headers: { authorization: `Bearer key-${n}` }, tenantId: `tenant-${n}` };
}

function step(index: number, tenantLabel: string, extra: Partial<Step> = {}): Step {
  return {
    index,
    tenant: tenantLabel,
    operationId: 'createCustomer',
    action: 'create',
    relation: 'own',
    resource: 'customers',
    method: 'POST',
    path: '/v1/customers',
    pathParams: {},
    query: {},
    headers: {},
    ...extra,
  };
}

/** A world in which `label` sent `steps` (their answers carry `id-<index>`) and owns a record per create. */
function worldWith(
  label: string,
  steps: Step[],
  seedFrom?: PoolMember,
): { world: World; registry: FingerprintRegistry } {
  const world = new World(LABELS);
  const registry = new FingerprintRegistry();
  if (seedFrom) seedRun(world, registry, seedFrom);
  for (const s of steps) {
    s.index = world.steps.length;
    world.steps.push(s);
    const id = `id-${label}-${s.index}-uuidish`;
    world.responses.set(s.index, { status: 201, json: { id }, headers: {} });
    world.seqOf.set(s.index, 100 + s.index);
    if (s.tenant !== label || s.action !== 'create') continue;
    const parentRef = s.pathParams['customerId'] as { $from: number } | undefined;
    const parent = parentRef ? world.tenant(label).records.find((r) => r.createdBy === parentRef.$from) : undefined;
    world.tenant(label).records.push({
      resource: s.resource!,
      id,
      createdBy: s.index,
      idField: 'id',
      alive: true,
      ...(parent ? { parent: { resource: parent.resource, id: parent.id, createdBy: parent.createdBy } } : {}),
    });
    registry.register(id, label, 'id', `${s.operationId}.response.id`);
  }
  return { world, registry };
}

/** Leases the pool's one slot, provisioning a member if it is empty. */
function leaseOne(pool: TenantPool, n = 1): { lease: PoolLease; member: PoolMember } {
  const lease = pool.lease();
  const missing = pool.missing(lease);
  if (missing.length > 0) pool.adopt(lease, missing[0]!, tenant(n));
  return { lease, member: lease.members[0]! };
}

describe('parsePoolLifetime', () => {
  it('reads a time or a number of runs, and refuses anything else', () => {
    expect(parsePoolLifetime('3m')).toEqual({ ms: 180_000 });
    expect(parsePoolLifetime(90)).toEqual({ ms: 90_000 });
    expect(parsePoolLifetime('40 runs')).toEqual({ runs: 40 });
    expect(parsePoolLifetime('1run')).toEqual({ runs: 1 });
    expect(() => parsePoolLifetime('0 runs')).toThrow(/at least 1 run/);
    expect(() => parsePoolLifetime('soon')).toThrow(/not a pool lifetime/);
  });

  it('defaults to one pool tenant only with fresh tenants and at least 3 per run', () => {
    expect(defaultPoolTenants(4, true)).toBe(1);
    expect(defaultPoolTenants(3, true)).toBe(1);
    expect(defaultPoolTenants(2, true)).toBe(0);
    expect(defaultPoolTenants(8, false)).toBe(0);
  });
});

describe('TenantPool: leases and lifetimes', () => {
  it('takes the last labels, and always leaves at least 2 fresh tenants', () => {
    expect(new TenantPool({ slots: 2, tenants: 5, lifetime: { runs: 3 } }).labels).toEqual(['T4', 'T5']);
    expect(() => new TenantPool({ slots: 3, tenants: 4, lifetime: { runs: 3 } })).toThrow(/fewer than 2 fresh/);
  });

  it('serves one tenant for its lifetime in runs, then retires it and the next lease provisions another', () => {
    const pool = new TenantPool({ slots: 1, tenants: 4, lifetime: { runs: 3 } });
    const ids: number[] = [];
    const kept: boolean[] = [];
    for (let run = 0; run < 5; run++) {
      const { lease, member } = leaseOne(pool, run);
      expect(member.label).toBe('T4');
      expect(member.tenant.label).toBe('T4');
      ids.push(member.id);
      const { world, registry } = worldWith('T4', []);
      kept.push(pool.release(lease, { world, registry, findings: 0 }).has('T4'));
    }
    expect(ids).toEqual([1, 1, 1, 2, 2]);
    expect(kept).toEqual([true, true, false, true, true]);
    const summary = pool.summary();
    expect(summary).toMatchObject({ tenantsPerRun: 1, labels: ['T4'], runs: 5, provisioned: 2, retired: 1 });
    expect(summary.members.map((m) => [m.runs, m.retired, m.retiredBecause])).toEqual([
      [3, true, 'its lifetime of 3 runs'],
      [2, false, undefined],
    ]);
    expect(poolLine(summary)).toMatch(
      /^pool: 1 tenant\(s\) per run \(T4\) kept across 5 run\(s\), lifetime 3 runs; 2 provisioned, 1 retired/,
    );
    // What the evidence states of it (method.pool), valid against the evidence schema.
    const method = poolMethod(summary);
    expect(method).toEqual({
      tenantsPerRun: 1,
      labels: ['T4'],
      lifetime: { runs: 3 },
      runs: 5,
      provisioned: 2,
      retired: 1,
      mostRecords: 0,
      exactModelTenants: 1,
      servingTenants: 1,
    });
    expect(MethodSchema.shape.pool.parse(method)).toEqual(method);
  });

  it('retires a tenant once its lifetime in time has passed, by the clock it was given', () => {
    let now = 1_000;
    const pool = new TenantPool({ slots: 1, tenants: 3, lifetime: { ms: 60_000 } });
    const timed = new TenantPool({ slots: 1, tenants: 3, lifetime: { ms: 60_000 }, now: () => now });
    expect(pool.labels).toEqual(['T3']);
    const first = leaseOne(timed);
    now += 59_999;
    expect(timed.release(first.lease, { ...worldWith('T3', []), findings: 0 })).toEqual(new Set(['T3']));
    const second = leaseOne(timed);
    expect(second.member.id).toBe(1);
    now += 1;
    expect(timed.release(second.lease, { ...worldWith('T3', []), findings: 0 })).toEqual(new Set());
    expect(timed.summary().members[0]).toMatchObject({ retired: true, seconds: 60, runs: 2 });
    expect(leaseOne(timed).member.id).toBe(2);
  });

  it('never leases one tenant to two runs at once: a second lease gets an empty slot', () => {
    const pool = new TenantPool({ slots: 1, tenants: 4, lifetime: { runs: 10 } });
    const a = leaseOne(pool, 1);
    const b = pool.lease();
    expect(pool.missing(b)).toEqual([0]);
    pool.abandon(b);
    pool.release(a.lease, { ...worldWith('T4', []), findings: 0 });
    expect(leaseOne(pool).member.id).toBe(1);
  });

  it('retires a tenant that holds more records of one resource than a checkpoint reads', () => {
    const pool = new TenantPool({ slots: 1, tenants: 4, lifetime: { runs: 100 } });
    const { lease } = leaseOne(pool);
    const creates = Array.from({ length: MAX_RECORDS_PER_RESOURCE + 1 }, () => step(0, 'T4'));
    const keep = pool.release(lease, { ...worldWith('T4', creates), findings: 0 });
    expect(keep.size).toBe(0);
    expect(pool.summary().members[0]!.retiredBecause).toMatch(/^1001 live customers/);
    // The evidence states the most records a pool tenant held, and that none serves any more.
    expect(poolMethod(pool.summary())).toMatchObject({ mostRecords: 1001, retired: 1, servingTenants: 0 });
  });
});

describe('TenantPool: what a tenant carries to its next run', () => {
  it('keeps its live records, with their creating steps moved below 0, so references resolve in the next run', () => {
    const pool = new TenantPool({ slots: 1, tenants: 4, lifetime: { runs: 10 } });
    const { lease, member } = leaseOne(pool);
    const note = step(0, 'T4', {
      operationId: 'createCustomerNote',
      resource: 'notes',
      path: '/v1/customers/{customerId}/notes',
      pathParams: { customerId: { $from: 1, path: 'id' } },
      batch: 3,
    });
    const steps = [step(0, 'T4'), step(0, 'T4'), note, step(0, 'T1')];
    const run1 = worldWith('T4', steps);
    run1.world.tenant('T4').records[0]!.alive = false; // the first customer was deleted
    run1.registry.register('req_0123456789abcdef', 'T4', 'token', 'getCustomer.response.header.request-id');
    run1.world.tenant('T4').requestIds.add('req_0123456789abcdef');
    run1.world.tenant('T4').sent.add('tpT4abcdefghij');
    pool.release(lease, { ...run1, findings: 0 });

    // Only what the live records need is carried: customer 1 and its note (not the deleted one, not T1's).
    expect(member.records.map((r) => [r.resource, r.id])).toEqual([
      ['customers', 'id-T4-1-uuidish'],
      ['notes', 'id-T4-2-uuidish'],
    ]);
    expect(member.steps.map((c) => c.step.index)).toEqual([-2, -3]);
    expect(member.records.map((r) => r.createdBy)).toEqual([-2, -3]);
    expect(member.records[1]!.parent?.createdBy).toBe(-2);
    const carriedNote = member.steps[1]!.step;
    expect(carriedNote.pathParams['customerId']).toEqual({ $from: -2, path: 'id' });
    expect(carriedNote.batch).toBeUndefined();
    expect(member.steps.map((c) => c.result)).toEqual([
      { seq: 101, status: 201 },
      { seq: 102, status: 201 },
    ]);
    // Its data's fingerprints (the deleted customer's id too), not its per-request tokens.
    expect(member.fingerprints.map((f) => f.value).sort()).toEqual([
      'id-T4-0-uuidish',
      'id-T4-1-uuidish',
      'id-T4-2-uuidish',
    ]);
    expect(member.requestIds).toEqual(new Set(['req_0123456789abcdef']));
    expect(member.incomplete).toBeUndefined();

    // The next run starts from it: records, references, fingerprints and what it already sent.
    const next = leaseOne(pool);
    expect(next.member).toBe(member);
    const run2 = worldWith('T4', [], member);
    expect(run2.world.alive('T4').map((r) => r.id)).toEqual(['id-T4-1-uuidish', 'id-T4-2-uuidish']);
    expect(run2.world.steps).toHaveLength(0);
    const ref: StepValue = { $from: run2.world.alive('T4', 'notes')[0]!.createdBy, path: 'id' };
    expect(resolveValue(ref, run2.world, 0)).toBe('id-T4-2-uuidish');
    expect(run2.registry.ownerOf('id-T4-0-uuidish')).toBe('T4');
    expect(run2.world.knownTo('T4', 'tpT4abcdefghij')).toBe(true);
    expect(run2.world.tenant('T4').uncertainWrites).toBe(0);
    expect(run2.world.tenant('T4').earlierRequestIds).toEqual(new Set(['req_0123456789abcdef']));
    expect(run2.registry.ownerOf('req_0123456789abcdef')).toBeUndefined();
    expect(run2.world.ownerOfId('id-T4-1-uuidish', 'customers')).toBe('T4');
  });

  it('puts the carried steps a run references before its own steps, in the order they ran', () => {
    const pool = new TenantPool({ slots: 1, tenants: 4, lifetime: { runs: 10 } });
    const { lease, member } = leaseOne(pool);
    const note = step(0, 'T4', { resource: 'notes', pathParams: { customerId: { $from: 0, path: 'id' } } });
    pool.release(lease, { ...worldWith('T4', [step(0, 'T4'), note]), findings: 0 });
    leaseOne(pool);
    const { world } = worldWith('T4', [], member);
    const read = step(0, 'T1', {
      action: 'read',
      relation: 'foreign',
      probe: 'cross-tenant-read',
      victim: 'T4',
      recordFrom: -3,
      pathParams: { customerId: { $from: -2, path: 'id' }, noteId: { $from: -3, path: 'id' } },
    });
    expect(carriedStepsFor(world, [read]).map((s) => s.index)).toEqual([-2, -3]);
    expect(carriedStepsFor(world, [step(0, 'T1')])).toEqual([]);
  });

  it.each([
    ['an own write with no readable answer', { uncertainWrites: 1 }, 0, /no readable answer/],
    ['a write whose effect the model could not learn', { unlearnedWrites: 2 }, 0, /could not learn/],
    ['a finding in the run', {}, 1, /a finding fired/],
  ])('stops exact model checks for good after %s', (_, counters, findings, why) => {
    const pool = new TenantPool({ slots: 1, tenants: 4, lifetime: { runs: 10 } });
    const { lease, member } = leaseOne(pool);
    const run = worldWith('T4', [step(0, 'T4')]);
    Object.assign(run.world.tenant('T4'), counters);
    pool.release(lease, { ...run, findings });
    expect(member.incomplete).toMatch(why);
    // The next run's model of it counts an uncertain write (the model oracle's "not exact"), and a
    // clean run later does not make it complete again.
    for (let i = 0; i < 2; i++) {
      const again = leaseOne(pool);
      const next = worldWith('T4', [], member);
      expect(next.world.tenant('T4').uncertainWrites).toBe(1);
      pool.release(again.lease, { ...next, findings: 0 });
      expect(member.incomplete).toMatch(why);
    }
    expect(pool.summary().members[0]!.incomplete).toMatch(why);
  });

  it('gives up a live record it cannot carry, and says its model is incomplete', () => {
    const pool = new TenantPool({ slots: 1, tenants: 4, lifetime: { runs: 10 } });
    const { lease, member } = leaseOne(pool);
    const run = worldWith('T4', [step(0, 'T4')]);
    run.world.responses.delete(0);
    pool.release(lease, { ...run, findings: 0 });
    expect(member.records).toEqual([]);
    expect(member.incomplete).toMatch(/could not be carried/);
  });
});
