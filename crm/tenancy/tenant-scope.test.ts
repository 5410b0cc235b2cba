/**
 * The tenant transaction, on both backends: its statements run as `crm_app` with the tenant's
 * context, in one transaction; a batch scope switches the context tenant by tenant, so RLS refuses
 * a row filed under the wrong tenant and the whole batch rolls back; a `TenantTx` is dead once its
 * work has settled; and no statement runs without a tenant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendAvailable, backends, openTestDatabase, type TestDatabase } from '../../test/support/crm-fixture.ts';
import { insertAuditEvents } from '../repositories/insights.ts';
import {
  batchScopeLike,
  createTenantBatchScope,
  createTenantScope,
  MissingTenantError,
  TenantTxClosedError,
  type TenantTx,
} from './tenant-scope.ts';

const ISOLATION = { appFilters: true, rls: true, contextLifetime: 'transaction' } as const;

describe.each(backends())('tenant scope on $name', (backend) => {
  const available = backendAvailable(backend);
  let tdb: TestDatabase;
  const tenantIds: string[] = [];

  beforeAll(async () => {
    if (!available) return;
    tdb = await openTestDatabase(backend, { poolSize: 2 });
    for (const name of ['a', 'b', 'c']) {
      const [row] = await tdb.db.query<{ id: string }>('INSERT INTO tenants (name) VALUES ($1) RETURNING id', [name]);
      tenantIds.push(row!.id);
    }
  });
  afterAll(async () => {
    await tdb?.close();
  });

  const whoAmI = async (tx: TenantTx) =>
    (
      await tx.query<{ role: string; tenant: string; xid: string }>(
        "SELECT current_user::text AS role, current_setting('app.tenant_id') AS tenant, txid_current()::text AS xid WHERE $1::uuid IS NOT NULL",
        [tx.tenantId],
      )
    )[0]!;

  it.skipIf(!available)('runs a tenant transaction as crm_app with its tenant', async () => {
    const scope = createTenantScope(tdb.db, ISOLATION, () => tenantIds[0]!);
    const [first, second] = await scope.run(async (tx) => [await whoAmI(tx), await whoAmI(tx)]);
    expect(first).toMatchObject({ role: 'crm_app', tenant: tenantIds[0] });
    expect(second!.xid).toBe(first!.xid);
  });

  it.skipIf(!available)('switches the context tenant by tenant in one batch transaction', async () => {
    const seen: { role: string; tenant: string; xid: string; actingFor: string }[] = [];
    await createTenantBatchScope(tdb.db, ISOLATION).runForEach(tenantIds, async (tx) => {
      seen.push({ ...(await whoAmI(tx)), actingFor: tx.tenantId });
    });
    expect(seen.map((s) => s.actingFor).sort()).toEqual([...tenantIds].sort());
    for (const s of seen) expect(s.tenant).toBe(s.actingFor);
    expect(new Set(seen.map((s) => s.role))).toEqual(new Set(['crm_app']));
    expect(new Set(seen.map((s) => s.xid)).size).toBe(1);
  });

  it.skipIf(!available)('refuses a row filed under another tenant, and rolls back the whole batch', async () => {
    const requestId = `req_scope_${Math.random().toString(36).slice(2)}`;
    const event = (tenantId: string, suffix: string) => ({
      tenantId,
      requestId: `${requestId}_${suffix}`,
      method: 'GET',
      route: '/v1/me',
      status: 200,
      recordIds: [],
    });
    await expect(
      createTenantBatchScope(tdb.db, ISOLATION).runForEach(tenantIds.slice(0, 2), (tx) =>
        // Acting for b, the row still says a: the policy's WITH CHECK refuses it.
        insertAuditEvents(tx, [event(tenantIds[0]!, tx.tenantId)]),
      ),
    ).rejects.toThrow(/row-level security/);
    const rows = await tdb.db.query('SELECT 1 FROM audit_events WHERE request_id LIKE $1', [`${requestId}%`]);
    expect(rows).toEqual([]);
  });

  it.skipIf(!available)('refuses, on PostgreSQL, a batch statement issued after the context moved on', async () => {
    const late = createTenantBatchScope(tdb.db, ISOLATION).runForEach(tenantIds.slice(0, 2), async (tx) => {
      await new Promise((resolve) => setImmediate(resolve));
      await whoAmI(tx);
    });
    // PostgreSQL pipelines the batch, so a statement may only be issued before the first await;
    // PGlite runs tenant after tenant, so there the late statement is still in its own turn.
    if (backend.name === 'postgres') await expect(late).rejects.toThrow(TenantTxClosedError);
    else await expect(late).resolves.toBeUndefined();
  });

  it.skipIf(!available)('derives a batch scope only from the scopes it made', async () => {
    const scope = createTenantScope(tdb.db, { ...ISOLATION, rls: false }, () => tenantIds[0]!);
    const seen: string[] = [];
    await batchScopeLike(scope)!.runForEach(tenantIds.slice(0, 1), async (tx) => {
      seen.push((await whoAmI(tx)).role);
    });
    // The same settings as the scope: here RLS ablated, so the role stays the owner.
    expect(seen).toHaveLength(1);
    expect(seen[0]).not.toBe('crm_app');
    expect(batchScopeLike({ tenantId: tenantIds[0]!, run: scope.run })).toBeUndefined();
  });

  it.skipIf(!available)('closes a TenantTx once its work has settled, and needs a tenant', async () => {
    let kept: TenantTx | undefined;
    await createTenantScope(tdb.db, ISOLATION, () => tenantIds[0]!).run(async (tx) => {
      kept = tx;
    });
    await expect(kept!.query('SELECT 1')).rejects.toThrow(TenantTxClosedError);
    await expect(createTenantScope(tdb.db, ISOLATION, () => '').run(async () => 'ran')).rejects.toThrow(
      MissingTenantError,
    );
  });
});
