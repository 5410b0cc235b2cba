/**
 * The group-commit audit writer drops no event and misattributes none: under concurrent load from
 * several tenants every request has exactly one audit event, under its own tenant; `record`
 * resolves only once its row is committed; a busy tenant's events really go in batches; and one
 * bad event in a batch fails alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  backendAvailable,
  backends,
  createTenant,
  openTestDatabase,
  type ProvisionedTenant,
  type TestDatabase,
} from '../../test/support/crm-fixture.ts';
import type { RunningCrm } from '../server.ts';
import {
  createTenantBatchScope,
  createTenantScope,
  type TenantBatchScope,
  type TenantScope,
} from '../tenancy/tenant-scope.ts';
import type { AuditEventInput } from './audit-writer.ts';
import { createGroupCommitAuditWriter } from './group-commit-writer.ts';

const ISOLATION = { appFilters: true, rls: true, contextLifetime: 'transaction' } as const;

let sequence = 0;
function auditEvent(tenantId: string, overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    tenantId,
    requestId: `req_test_${++sequence}_${Math.random().toString(36).slice(2, 8)}`,
    method: 'GET',
    route: '/v1/customers',
    status: 200,
    recordIds: [],
    ...overrides,
  };
}

describe.each(backends())('group-commit audit writer on $name', (backend) => {
  const available = backendAvailable(backend);
  let tdb: TestDatabase;
  let crm: RunningCrm;
  let tenants: ProvisionedTenant[];

  beforeAll(async () => {
    if (!available) return;
    tdb = await openTestDatabase(backend);
    crm = await tdb.start({ rateLimit: { requestsPerSecond: 1_000_000, burst: 1_000_000 } });
    tenants = [];
    for (let i = 0; i < 4; i++) tenants.push(await createTenant(crm));
  });
  afterAll(async () => {
    await tdb?.close();
  });

  /** Scopes as the app makes them, counting the transactions each tenant gets. */
  function countingScopes(): { scopeForTenant(tenantId: string): TenantScope; runs: Map<string, number> } {
    const runs = new Map<string, number>();
    return {
      runs,
      scopeForTenant(tenantId) {
        const scope = createTenantScope(tdb.db, ISOLATION, () => tenantId);
        return {
          tenantId,
          run(fn) {
            runs.set(tenantId, (runs.get(tenantId) ?? 0) + 1);
            return scope.run(fn);
          },
        };
      },
    };
  }

  async function storedEvents(requestIds: string[]): Promise<{ tenant_id: string; request_id: string }[]> {
    return tdb.db.query<{ tenant_id: string; request_id: string }>(
      'SELECT tenant_id::text AS tenant_id, request_id FROM audit_events WHERE request_id = ANY($1::text[])',
      [requestIds],
    );
  }

  it.skipIf(!available)(
    'gives every one of many concurrent requests exactly one audit event, under its own tenant',
    async () => {
      const sent = new Map<string, string>(); // request id → tenant id
      const customers = await Promise.all(
        tenants.map(async (t, i) => {
          const res = await api(crm, t.apiKey)('POST', '/v1/customers', {
            body: { name: `Audit ${i}`, email: `audit-${i}-${Math.random().toString(36).slice(2)}@example.com` },
          });
          sent.set(res.headers.get('x-request-id')!, t.tenantId);
          return res.body.id as string;
        }),
      );
      // 30 requests in flight per tenant: reads, writes and failures (404), all audited.
      await Promise.all(
        tenants.flatMap((t, i) =>
          Array.from({ length: 30 }, async (_, n) => {
            const call = api(crm, t.apiKey);
            const res =
              n % 3 === 0
                ? await call('PATCH', `/v1/customers/${customers[i]}`, { body: { phone: `+1 555 ${n}` } })
                : n % 3 === 1
                  ? await call('GET', `/v1/customers/${customers[i]}`)
                  : await call('GET', `/v1/customers/${customers[(i + 1) % customers.length]}`);
            expect(res.status).toBe(n % 3 === 2 ? 404 : 200);
            sent.set(res.headers.get('x-request-id')!, t.tenantId);
          }),
        ),
      );
      expect(sent.size).toBe(tenants.length * 31);
      const stored = await storedEvents([...sent.keys()]);
      expect(stored).toHaveLength(sent.size);
      for (const row of stored) expect(row.tenant_id, row.request_id).toBe(sent.get(row.request_id));
      // Each tenant reads its own events, and only those.
      for (const t of tenants) {
        const page = await api(crm, t.apiKey)('GET', '/v1/audit-events?limit=100');
        expect(page.status).toBe(200);
        const ids = (page.body.data as { requestId: string; tenantId: string }[]).map((e) => {
          expect(e.tenantId).toBe(t.tenantId);
          return e.requestId;
        });
        const own = [...sent].filter(([, tenantId]) => tenantId === t.tenantId).map(([id]) => id);
        for (const id of own) expect(ids).toContain(id);
      }
    },
  );

  it.skipIf(!available)('resolves each record only once its row is committed, and batches a busy tenant', async () => {
    const scopes = countingScopes();
    const writer = createGroupCommitAuditWriter(scopes);
    const events = tenants.flatMap((t) => Array.from({ length: 40 }, () => auditEvent(t.tenantId)));
    const visibleOnResolve = await Promise.all(
      events.map(async (event) => {
        await writer.record(event);
        // Another statement, after the commit, sees the row.
        return (await storedEvents([event.requestId])).length;
      }),
    );
    expect(visibleOnResolve).toEqual(events.map(() => 1));
    const stored = await storedEvents(events.map((e) => e.requestId));
    expect(stored).toHaveLength(events.length);
    for (const t of tenants) {
      const runs = scopes.runs.get(t.tenantId) ?? 0;
      expect(runs).toBeGreaterThanOrEqual(1);
      // 40 events recorded at once: the first goes alone, the rest wait and go together.
      expect(runs).toBeLessThan(40);
    }
    await writer.flush();
  });

  it.skipIf(!available)('fails a bad event alone and still writes the rest of its batch', async () => {
    const scopes = countingScopes();
    const writer = createGroupCommitAuditWriter(scopes);
    const tenantId = tenants[0]!.tenantId;
    const first = writer.record(auditEvent(tenantId));
    // Recorded while the first is in flight: these three form one batch.
    const good = [auditEvent(tenantId), auditEvent(tenantId)];
    const bad = auditEvent(tenantId, { route: 'nul\u0000byte' }); // text cannot hold NUL
    const outcomes = await Promise.allSettled([
      first,
      writer.record(good[0]!),
      writer.record(bad),
      writer.record(good[1]!),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const stored = await storedEvents([...good, bad].map((e) => e.requestId));
    expect(stored.map((r) => r.request_id).sort()).toEqual(good.map((e) => e.requestId).sort());
    // One for the first, one for the failed batch, one per retried event.
    expect(scopes.runs.get(tenantId)).toBe(5);
  });

  it.skipIf(!available)(
    'writes a batch of several tenants in one transaction, each event under its tenant',
    async () => {
      const scopes = countingScopes();
      const batch = createTenantBatchScope(tdb.db, ISOLATION);
      const batches: string[][] = [];
      const batchScope: TenantBatchScope = {
        runForEach(tenantIds, fn) {
          batches.push([...tenantIds]);
          return batch.runForEach(tenantIds, fn);
        },
      };
      const writer = createGroupCommitAuditWriter({ ...scopes, batchScope });
      const events = Array.from({ length: 40 }, (_, i) => auditEvent(tenants[i % tenants.length]!.tenantId));
      await Promise.all(events.map((e) => writer.record(e)));
      // The first event goes alone (its tenant's own transaction), the 39 recorded meanwhile together.
      expect([...scopes.runs.values()]).toEqual([1]);
      expect(batches).toEqual([[1, 2, 3, 0].map((i) => tenants[i]!.tenantId)]);
      const stored = await storedEvents(events.map((e) => e.requestId));
      expect(stored).toHaveLength(events.length);
      const tenantOf = new Map(events.map((e) => [e.requestId, e.tenantId]));
      for (const row of stored) expect(row.tenant_id).toBe(tenantOf.get(row.request_id));
    },
  );

  it.skipIf(!available)('stores quotes, backslashes, commas, braces and NULL-like text verbatim', async () => {
    const writer = createGroupCommitAuditWriter(countingScopes());
    const route = '/v1/"odd",\\{route} NULL \'x\'';
    const recordIds = ['9b2f3c1e-1111-4222-8333-444455556666', 'a"b\\c'];
    const event = auditEvent(tenants[1]!.tenantId, { route, recordIds, method: 'PATCH', status: 409 });
    await writer.record(event);
    const [row] = await tdb.db.query<{ route: string; record_ids: unknown; method: string; status: number }>(
      'SELECT route, record_ids, method, status FROM audit_events WHERE request_id = $1',
      [event.requestId],
    );
    expect(row!.route).toBe(route);
    expect(typeof row!.record_ids === 'string' ? JSON.parse(row!.record_ids) : row!.record_ids).toEqual(recordIds);
    expect([row!.method, Number(row!.status)]).toEqual(['PATCH', 409]);
  });

  it.skipIf(!available)('flush waits for every event in flight', async () => {
    const writer = createGroupCommitAuditWriter(countingScopes());
    const events = tenants.map((t) => auditEvent(t.tenantId));
    const recorded = events.map((e) => writer.record(e));
    await writer.flush();
    expect(await storedEvents(events.map((e) => e.requestId))).toHaveLength(events.length);
    await Promise.all(recorded);
  });
});
