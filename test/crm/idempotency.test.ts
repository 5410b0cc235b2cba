/**
 * The Idempotency-Key protocol, in-process, on each backend: the held transaction that makes the
 * key and the writes commit together, replays across servers that share one database, 422 for a
 * reused key, no stored response for a failed request, and sealed admin responses.
 * (Several processes and kill -9: test/crm/idempotency-processes.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlExecutor } from '../../crm/db/database.ts';
import type { RunningCrm } from '../../crm/server.ts';
import { HeldTransaction } from '../../crm/tenancy/held-transaction.ts';
import {
  api,
  backendAvailable,
  backends,
  createTenant,
  openTestDatabase,
  type ApiClient,
  type TestDatabase,
} from '../support/crm-fixture.ts';
import { paymentIds } from './support/payments.ts';

const LINE_ITEMS = [{ description: 'Boiler service', quantity: 1, unitPriceCents: 1_000_000 }];

async function openInvoice(A: ApiClient): Promise<string> {
  const customer = await A('POST', '/v1/customers', {
    body: { name: 'Idem Co', email: `idem-${Math.random().toString(36).slice(2)}@example.com` },
  });
  expect(customer.status, customer.text).toBe(201);
  const invoice = await A('POST', '/v1/invoices', {
    body: { customerId: customer.body.id, lineItems: LINE_ITEMS, dueDate: '2026-12-31' },
  });
  expect(invoice.status, invoice.text).toBe(201);
  return invoice.body.id as string;
}

describe.each(backends())('idempotency on $name', (backend) => {
  const available = backendAvailable(backend);
  let testDb: TestDatabase;
  let one: RunningCrm;
  let two: RunningCrm;

  beforeAll(async () => {
    if (!available) return;
    testDb = await openTestDatabase(backend);
    one = await testDb.start({ adminToken: 'admin-one' });
    two = await testDb.start({ adminToken: 'admin-one' });
  });
  afterAll(async () => {
    await testDb?.close();
  });

  it.skipIf(!available)('holds one transaction open across uses, and commits or rolls back all of it', async () => {
    await testDb.db.exec('CREATE TABLE IF NOT EXISTS held_probe (label text NOT NULL)');
    const committed = new HeldTransaction<SqlExecutor, string>((body) => testDb.db.transaction(body), {
      onOpen: async () => {},
      onCommit: async (sql, payload) => void (await sql.query('INSERT INTO held_probe VALUES ($1)', [payload])),
    });
    // Two uses at once run one after the other on the one connection.
    await Promise.all([
      committed.use((sql) => sql.query("INSERT INTO held_probe VALUES ('c1')")),
      committed.use((sql) => sql.query("INSERT INTO held_probe VALUES ('c2')")),
    ]);
    await committed.commit('c3');

    const rolledBack = new HeldTransaction<SqlExecutor, string>((body) => testDb.db.transaction(body), {
      onOpen: async () => {},
      onCommit: async () => {},
    });
    await rolledBack.use((sql) => sql.query("INSERT INTO held_probe VALUES ('r1')"));
    await rolledBack.rollback();

    const refused = new HeldTransaction<SqlExecutor, string>((body) => testDb.db.transaction(body), {
      onOpen: async (sql) => {
        await sql.query("INSERT INTO held_probe VALUES ('o1')");
        throw new Error('claim refused');
      },
      onCommit: async () => {},
    });
    await expect(refused.use((sql) => sql.query("INSERT INTO held_probe VALUES ('o2')"))).rejects.toThrow(
      'claim refused',
    );
    await refused.rollback();

    const rows = await testDb.db.query<{ label: string }>('SELECT label FROM held_probe ORDER BY label');
    expect(rows.map((r) => r.label)).toEqual(['c1', 'c2', 'c3']);
  });

  it.skipIf(!available)('runs each of 20 same-key payment pairs once, across two servers on one database', async () => {
    const tenant = await createTenant(one);
    const viaOne = api(one, tenant.apiKey);
    const viaTwo = api(two, tenant.apiKey);
    const invoiceId = await openInvoice(viaOne);
    const pairs = Array.from({ length: 20 }, (_, i) => {
      const body = { amountCents: 100 + i, method: 'card', reference: `pair-${i}` };
      const headers = { 'idempotency-key': `pay-${i}` };
      const path = `/v1/invoices/${invoiceId}/payments`;
      return Promise.all([viaOne('POST', path, { body, headers }), viaTwo('POST', path, { body, headers })]);
    });
    const ids = new Set<string>();
    for (const [a, b] of await Promise.all(pairs)) {
      for (const response of [a, b]) {
        // A duplicate waits for the first and replays it; past the wait it is told to retry.
        if (response.status === 409) {
          expect(response.body.type).toBe('https://tenantproof.dev/problems/idempotency-in-progress');
          continue;
        }
        expect(response.status, response.text).toBe(201);
        ids.add(response.body.id as string);
      }
      if (a.status === 201 && b.status === 201) expect(a.body).toEqual(b.body);
    }
    const stored = await paymentIds(viaOne, invoiceId);
    expect(stored).toHaveLength(20);
    expect(new Set(stored)).toEqual(ids);
  });

  it.skipIf(!available)('replays a response whose body the client never read', async () => {
    const tenant = await createTenant(one);
    const A = api(one, tenant.apiKey);
    const body = { name: 'Lost Reply', email: `lost-${tenant.tenantId}@example.com` };
    const headers = { 'idempotency-key': 'lost-1' };
    // The first answer's body is dropped on the floor, as when a connection breaks mid-response.
    const first = await fetch(`${one.url}/v1/customers`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(first.status).toBe(201);
    await first.body?.cancel();
    const retry = await api(two, tenant.apiKey)('POST', '/v1/customers', { body, headers });
    expect(retry.status, retry.text).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const list = await A('GET', '/v1/customers?limit=100');
    expect((list.body.data as { email: string }[]).filter((c) => c.email === body.email)).toHaveLength(1);
  });

  it.skipIf(!available)(
    'answers 422 for a key reused with another request, and stores nothing for a failure',
    async () => {
      const tenant = await createTenant(one);
      const A = api(one, tenant.apiKey);
      const headers = { 'idempotency-key': 'reuse-1' };
      const created = await A('POST', '/v1/customers', {
        body: { name: 'First', email: `first-${tenant.tenantId}@example.com` },
        headers,
      });
      expect(created.status).toBe(201);
      const reused = await A('POST', '/v1/customers', {
        body: { name: 'Second', email: `second-${tenant.tenantId}@example.com` },
        headers,
      });
      expect(reused.status).toBe(422);
      expect(reused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(reused.body).toMatchObject({
        type: 'https://tenantproof.dev/problems/idempotency-key-reused',
        status: 422,
        requestId: reused.headers.get('x-request-id'),
      });

      // A request that fails leaves its key unclaimed: the retry runs again (and fails again).
      const missing = '00000000-0000-4000-8000-000000000000';
      const job = {
        customerId: missing,
        title: 'Ghost',
        scheduledStart: '2026-03-02T14:00:00Z',
        scheduledEnd: '2026-03-02T15:00:00Z',
      };
      const failed = await A('POST', '/v1/jobs', { body: job, headers: { 'idempotency-key': 'fail-1' } });
      expect(failed.status).toBe(404);
      const again = await A('POST', '/v1/jobs', { body: job, headers: { 'idempotency-key': 'fail-1' } });
      expect(again.status).toBe(404);
      expect(again.headers.get('idempotent-replayed')).toBeNull();
      // A different body under that key is a fresh request, not a reuse: nothing was stored for it.
      const customerId = created.body.id as string;
      const real = await A('POST', '/v1/jobs', {
        body: { ...job, customerId },
        headers: { 'idempotency-key': 'fail-1' },
      });
      expect(real.status, real.text).toBe(201);
    },
  );

  it.skipIf(!available)('replays tenant provisioning on any server with the admin token, sealed at rest', async () => {
    const headers = { 'x-admin-token': 'admin-one', 'idempotency-key': 'provision-1' };
    const first = await api(one)('POST', '/v1/tenants', { body: { name: 'Sealed Ltd' }, headers });
    expect(first.status, first.text).toBe(201);
    const replay = await api(two)('POST', '/v1/tenants', { body: { name: 'Sealed Ltd' }, headers });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    const rows = await testDb.db.query<{ body: string }>(
      "SELECT body FROM admin_idempotency_keys WHERE key = 'provision-1'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.body).not.toContain(first.body.apiKey as string);
    expect(rows[0]!.body).not.toContain('Sealed Ltd');

    // Another administrator (another token) on the same database cannot read it back.
    const other = await testDb.start({ adminToken: 'admin-two' });
    const foreign = await api(other)('POST', '/v1/tenants', {
      body: { name: 'Sealed Ltd' },
      headers: { ...headers, 'x-admin-token': 'admin-two' },
    });
    expect(foreign.status).toBe(422);
    expect(foreign.text).not.toContain(first.body.apiKey as string);
  });
});
