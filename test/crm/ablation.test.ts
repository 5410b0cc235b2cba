/**
 * Layer ablation: with the application-layer tenant filters removed, RLS alone still blocks
 * every cross-tenant read and write; with RLS off, the application layer alone still blocks
 * them. With both on, bad input, SQL-injection attempts and oversized bodies get a 4xx
 * problem+json and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCrm } from '../../crm/server.ts';
import { createTenantScope } from '../../crm/tenancy/tenant-scope.ts';
import {
  api,
  backendAvailable,
  backends,
  createTenant,
  openTestDatabase,
  type ApiClient,
  type ApiResponse,
  type TestDatabase,
} from '../support/crm-fixture.ts';

const START = '2026-03-02T14:00:00Z';
const END = '2026-03-02T17:00:00Z';
const MISSING = '00000000-0000-4000-8000-000000000000';
const CANARY = 'tpVictimCanary9x';

interface VictimData {
  customer: string;
  note: string;
  job: string;
  quote: string;
  acceptedQuote: string;
  invoice: string;
}

async function ok<T = any>(promise: Promise<ApiResponse<T>>, status: number): Promise<T> {
  // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience
  const res = await promise;
  expect(res.status, res.text).toBe(status);
  return res.body;
}

async function seedVictim(B: ApiClient): Promise<VictimData> {
  const customer = await ok(
    B('POST', '/v1/customers', { body: { name: `Vera ${CANARY}`, email: `vera@${CANARY.toLowerCase()}.example` } }),
    201,
  );
  const note = await ok(B('POST', `/v1/customers/${customer.id}/notes`, { body: { body: `note ${CANARY}` } }), 201);
  const job = await ok(
    B('POST', '/v1/jobs', {
      body: { customerId: customer.id, title: `job ${CANARY}`, scheduledStart: START, scheduledEnd: END },
    }),
    201,
  );
  const lineItems = [{ description: `item ${CANARY}`, quantity: 1, unitPriceCents: 1000 }];
  const quote = await ok(B('POST', '/v1/quotes', { body: { customerId: customer.id, lineItems } }), 201);
  const acceptedQuote = await ok(B('POST', '/v1/quotes', { body: { customerId: customer.id, lineItems } }), 201);
  await ok(B('POST', `/v1/quotes/${acceptedQuote.id}/accept`), 200);
  const invoice = await ok(
    B('POST', '/v1/invoices', { body: { customerId: customer.id, lineItems, dueDate: '2026-03-31' } }),
    201,
  );
  await ok(B('POST', `/v1/invoices/${invoice.id}/payments`, { body: { amountCents: 100, method: 'card' } }), 201);
  return {
    customer: customer.id,
    note: note.id,
    job: job.id,
    quote: quote.id,
    acceptedQuote: acceptedQuote.id,
    invoice: invoice.id,
  };
}

/** Everything B can see, as B sees it; compared before and after A's attempts. */
async function victimView(B: ApiClient, v: VictimData): Promise<unknown[]> {
  const paths = [
    `/v1/customers/${v.customer}`,
    `/v1/customers/${v.customer}/notes/${v.note}`,
    `/v1/jobs/${v.job}`,
    `/v1/quotes/${v.quote}`,
    `/v1/quotes/${v.acceptedQuote}`,
    `/v1/invoices/${v.invoice}`,
    `/v1/invoices/${v.invoice}/payments`,
    '/v1/reports/summary',
  ];
  return Promise.all(paths.map(async (path) => ok(B('GET', path), 200)));
}

function withoutRequestId(res: ApiResponse): unknown {
  const { requestId: _ignored, ...rest } = res.body as Record<string, unknown>;
  return { status: res.status, contentType: res.headers.get('content-type'), body: rest };
}

/** A 404 for B's id must be byte-identical (apart from the request id) to one for a missing id. */
async function expectNotFoundLikeMissing(
  A: ApiClient,
  method: string,
  foreignPath: string,
  missingPath: string,
  body?: unknown,
) {
  const options = body === undefined ? {} : { body };
  const foreign = await A(method, foreignPath, options);
  const missing = await A(method, missingPath, options);
  expect(foreign.status, `${method} ${foreignPath}: ${foreign.text}`).toBe(404);
  expect(withoutRequestId(foreign)).toEqual(withoutRequestId(missing));
  expect(foreign.text).not.toContain(CANARY);
}

async function expectIsolated(crm: RunningCrm): Promise<void> {
  await crm.reset();
  const a = await createTenant(crm, 'Attacker');
  const b = await createTenant(crm, 'Victim');
  const A = api(crm, a.apiKey);
  const B = api(crm, b.apiKey);
  const v = await seedVictim(B);
  const own = await ok(A('POST', '/v1/customers', { body: { name: 'Al', email: 'al@attacker.example' } }), 201);
  const before = await victimView(B, v);

  // Reads by id.
  for (const [foreign, missing] of [
    [`/v1/customers/${v.customer}`, `/v1/customers/${MISSING}`],
    [`/v1/customers/${v.customer}/notes`, `/v1/customers/${MISSING}/notes`],
    [`/v1/customers/${v.customer}/notes/${v.note}`, `/v1/customers/${v.customer}/notes/${MISSING}`],
    [`/v1/customers/${own.id}/notes/${v.note}`, `/v1/customers/${own.id}/notes/${MISSING}`],
    [`/v1/jobs/${v.job}`, `/v1/jobs/${MISSING}`],
    [`/v1/quotes/${v.quote}`, `/v1/quotes/${MISSING}`],
    [`/v1/invoices/${v.invoice}`, `/v1/invoices/${MISSING}`],
    [`/v1/invoices/${v.invoice}/payments`, `/v1/invoices/${MISSING}/payments`],
  ]) {
    await expectNotFoundLikeMissing(A, 'GET', foreign!, missing!);
  }
  // Writes by id.
  await expectNotFoundLikeMissing(A, 'PATCH', `/v1/customers/${v.customer}`, `/v1/customers/${MISSING}`, {
    name: 'Pwned',
  });
  await expectNotFoundLikeMissing(A, 'PATCH', `/v1/jobs/${v.job}`, `/v1/jobs/${MISSING}`, { title: 'Pwned' });
  await expectNotFoundLikeMissing(A, 'PATCH', `/v1/quotes/${v.quote}`, `/v1/quotes/${MISSING}`, { notes: 'Pwned' });
  await expectNotFoundLikeMissing(A, 'PATCH', `/v1/invoices/${v.invoice}`, `/v1/invoices/${MISSING}`, {
    status: 'void',
  });
  await expectNotFoundLikeMissing(A, 'POST', `/v1/quotes/${v.quote}/accept`, `/v1/quotes/${MISSING}/accept`);
  await expectNotFoundLikeMissing(A, 'POST', `/v1/quotes/${v.acceptedQuote}/convert`, `/v1/quotes/${MISSING}/convert`);
  await expectNotFoundLikeMissing(A, 'POST', `/v1/invoices/${v.invoice}/payments`, `/v1/invoices/${MISSING}/payments`, {
    amountCents: 1,
    method: 'cash',
  });
  await expectNotFoundLikeMissing(A, 'POST', `/v1/customers/${v.customer}/notes`, `/v1/customers/${MISSING}/notes`, {
    body: 'implant',
  });
  await expectNotFoundLikeMissing(
    A,
    'DELETE',
    `/v1/customers/${v.customer}/notes/${v.note}`,
    `/v1/customers/${v.customer}/notes/${MISSING}`,
  );
  await expectNotFoundLikeMissing(A, 'DELETE', `/v1/jobs/${v.job}`, `/v1/jobs/${MISSING}`);
  await expectNotFoundLikeMissing(A, 'DELETE', `/v1/quotes/${v.quote}`, `/v1/quotes/${MISSING}`);
  await expectNotFoundLikeMissing(A, 'DELETE', `/v1/customers/${v.customer}`, `/v1/customers/${MISSING}`);
  // References to B's parent from A's own objects.
  const job = { title: 'x', scheduledStart: START, scheduledEnd: END };
  for (const [path, body] of [
    ['/v1/jobs', job],
    ['/v1/quotes', { lineItems: [{ description: 'x', quantity: 1, unitPriceCents: 1 }] }],
    ['/v1/invoices', { lineItems: [{ description: 'x', quantity: 1, unitPriceCents: 1 }], dueDate: '2026-03-31' }],
  ] as const) {
    const foreign = await A('POST', path, { body: { ...body, customerId: v.customer } });
    const missing = await A('POST', path, { body: { ...body, customerId: MISSING } });
    expect(foreign.status, foreign.text).toBe(404);
    expect(withoutRequestId(foreign)).toEqual(withoutRequestId(missing));
  }
  // Collections, search, aggregates, export, schedule and audit show none of B's data.
  for (const path of [
    '/v1/customers?limit=100',
    `/v1/customers?q=${CANARY}`,
    '/v1/jobs?limit=100',
    `/v1/jobs?customerId=${v.customer}`,
    '/v1/quotes?limit=100',
    '/v1/invoices?limit=100',
    `/v1/invoices?customerId=${v.customer}`,
    '/v1/audit-events?limit=100',
    `/v1/search?q=${CANARY}`,
    '/v1/search?q=a',
    '/v1/schedule?from=2026-03-01T00:00:00Z&to=2026-03-08T00:00:00Z',
    '/v1/export?resource=customers',
    '/v1/export?resource=jobs',
    '/v1/export?resource=quotes&format=csv',
    '/v1/export?resource=invoices',
  ]) {
    const res = await A('GET', path);
    expect(res.status, `${path}: ${res.text}`).toBe(200);
    // Search echoes the caller's own `q`; only its results count.
    const shown = path.startsWith('/v1/search') ? JSON.stringify(res.body.data) : res.text;
    const leaked = [...Object.values(v), CANARY, b.tenantId].filter((secret) => shown.includes(secret));
    expect(leaked, path).toEqual([]);
  }
  expect(await ok(A('GET', '/v1/reports/summary'), 200)).toEqual({
    customers: 1,
    jobs: 0,
    quotes: 0,
    invoices: 0,
    quotedCents: 0,
    invoicedCents: 0,
    paidCents: 0,
    outstandingCents: 0,
  });
  expect(await victimView(B, v)).toEqual(before);

  // A cursor of B's is no use to A.
  const victimPage = await ok(B('GET', '/v1/customers?limit=1'), 200);
  await ok(B('POST', '/v1/customers', { body: { name: 'Vera Two', email: 'two@victim.example' } }), 201);
  const secondPage = await ok(B('GET', '/v1/customers?limit=1'), 200);
  expect((await A('GET', `/v1/customers?limit=1&cursor=${encodeURIComponent(secondPage.nextCursor)}`)).status).toBe(
    400,
  );
  expect(victimPage.data).toHaveLength(1);
  // An idempotency key B used is A's own namespace.
  await ok(
    B('POST', '/v1/customers', {
      body: { name: 'Same', email: 'same@example.com' },
      headers: { 'idempotency-key': 'k-1' },
    }),
    201,
  );
  const replay = await A('POST', '/v1/customers', {
    body: { name: 'Same', email: 'same@example.com' },
    headers: { 'idempotency-key': 'k-1' },
  });
  expect(replay.status).toBe(201);
  expect(replay.headers.get('idempotent-replayed')).toBeNull();
  const victimAudit = await ok(B('GET', '/v1/audit-events?limit=100'), 200);
  for (const event of victimAudit.data) expect(event.tenantId).toBe(b.tenantId);
}

describe.each(backends())('layer ablation on $name', (backend) => {
  const available = backendAvailable(backend);
  let tdb: TestDatabase;

  beforeAll(async () => {
    if (available) tdb = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await tdb?.close();
  });

  it.skipIf(!available)('the switches really remove a layer', async () => {
    const crm = await tdb.start();
    await crm.reset();
    const a = await createTenant(crm);
    const b = await createTenant(crm);
    await ok(api(crm, a.apiKey)('POST', '/v1/customers', { body: { name: 'A', email: 'a@a.example' } }), 201);
    await ok(api(crm, b.apiKey)('POST', '/v1/customers', { body: { name: 'B', email: 'b@b.example' } }), 201);
    const unfiltered = 'SELECT current_user::text AS role, count(*)::int AS n FROM customers';
    const observe = (appFilters: boolean, rls: boolean) =>
      createTenantScope(tdb.db, { appFilters, rls, contextLifetime: 'transaction' }, () => a.tenantId).run(
        async (tx) => ({
          ...(await tx.query<{ role: string; n: number }>(unfiltered))[0],
          filter: tx.tenantFilter('c'),
        }),
      );
    expect(await observe(true, true)).toMatchObject({ role: 'crm_app', n: 1, filter: 'c.tenant_id = $1::uuid' });
    expect(await observe(false, true)).toMatchObject({ role: 'crm_app', n: 1, filter: '($1::uuid IS NOT NULL)' });
    const noRls = await observe(true, false);
    expect(noRls.role).not.toBe('crm_app');
    expect(noRls.n).toBe(2);
    await crm.close();
  });

  it.skipIf(!available)('keeps the audit log append-only and API keys out of reach of the app role', async () => {
    const crm = await tdb.start();
    await crm.reset();
    const a = await createTenant(crm);
    await ok(api(crm, a.apiKey)('GET', '/v1/me'), 200);
    const asApp = (sql: string) =>
      createTenantScope(tdb.db, { appFilters: true, rls: true, contextLifetime: 'transaction' }, () => a.tenantId).run(
        (tx) => tx.query(sql, [tx.tenantId]),
      );
    await expect(asApp('UPDATE audit_events SET status = 200 WHERE tenant_id = $1::uuid OR true')).rejects.toThrow(
      /permission denied/,
    );
    await expect(asApp('DELETE FROM audit_events WHERE $1::uuid IS NOT NULL')).rejects.toThrow(/permission denied/);
    await expect(asApp('SELECT key_hash FROM api_keys WHERE $1::uuid IS NOT NULL')).rejects.toThrow(
      /permission denied/,
    );
    // Even the owner cannot rewrite history: the trigger refuses.
    await expect(tdb.db.query('UPDATE audit_events SET status = 500')).rejects.toThrow(/append-only/);
    await expect(tdb.db.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
    const stored = await tdb.db.query<{ key_hash: string }>('SELECT key_hash FROM api_keys');
    expect(stored.map((row) => row.key_hash)).not.toContain(a.apiKey);
    expect(stored[0]?.key_hash).toMatch(/^[0-9a-f]{64}$/);
    await crm.close();
  });

  it.skipIf(!available)(
    'with the app-layer filters removed, RLS alone blocks every cross-tenant read and write',
    async () => {
      const crm = await tdb.start({ ablation: { appFilters: false } });
      await expectIsolated(crm);
      await crm.close();
    },
  );

  it.skipIf(!available)(
    'with RLS off, the application layer alone blocks every cross-tenant read and write',
    async () => {
      const crm = await tdb.start({ ablation: { rls: false } });
      await expectIsolated(crm);
      await crm.close();
    },
  );

  it.skipIf(!available)(
    'with both layers on, bad input, injection attempts and oversized bodies get 4xx problem+json and change nothing',
    async () => {
      const crm = await tdb.start();
      await expectIsolated(crm);
      await crm.reset();
      const a = await createTenant(crm);
      const b = await createTenant(crm);
      const A = api(crm, a.apiKey);
      const B = api(crm, b.apiKey);
      const v = await seedVictim(B);
      const own = await ok(A('POST', '/v1/customers', { body: { name: 'Al', email: 'al@attacker.example' } }), 201);
      const snapshot = async () => ({
        a: [
          (await A('GET', '/v1/export?resource=customers')).text,
          (await A('GET', '/v1/export?resource=jobs')).text,
          (await A('GET', '/v1/reports/summary')).text,
        ],
        b: await victimView(B, v),
      });
      const before = await snapshot();

      const injections = [
        "' OR '1'='1",
        "'; DROP TABLE customers; --",
        '%',
        '_',
        '\\',
        "x') OR tenant_id IS NOT NULL --",
        `${CANARY}' OR 1=1 --`,
      ];
      for (const q of injections) {
        for (const path of [`/v1/search?q=${encodeURIComponent(q)}`, `/v1/customers?q=${encodeURIComponent(q)}`]) {
          const res = await A('GET', path);
          expect(res.status).toBe(200);
          expect(res.body.data).toEqual([]);
        }
      }
      const bad: [string, string, unknown, number][] = [
        ['GET', `/v1/jobs?customerId=${encodeURIComponent("' OR 1=1 --")}`, undefined, 400],
        ['GET', `/v1/jobs?status=${encodeURIComponent("scheduled' OR '1'='1")}`, undefined, 400],
        ['GET', `/v1/customers/${encodeURIComponent("1' OR '1'='1")}`, undefined, 400],
        ['GET', '/v1/export?resource=customers%3B%20DROP%20TABLE%20customers', undefined, 400],
        ['GET', '/v1/audit-events?limit=-1', undefined, 400],
        ['GET', '/v1/schedule?from=yesterday&to=today', undefined, 400],
        ['POST', '/v1/customers', { name: 'X', email: 'x@x.example', tenantId: b.tenantId }, 400],
        ['POST', '/v1/customers', { name: 'X', email: "x@x.example' OR 1=1 --" }, 400],
        ['POST', '/v1/jobs', { customerId: "' OR 1=1 --", title: 'x', scheduledStart: START, scheduledEnd: END }, 400],
        [
          'POST',
          '/v1/invoices',
          {
            customerId: v.customer,
            lineItems: [{ description: 'x', quantity: -1, unitPriceCents: 1 }],
            dueDate: '2026-03-31',
          },
          400,
        ],
        ['PATCH', `/v1/customers/${v.customer}`, { tenantId: a.tenantId }, 400],
        ['POST', '/v1/customers', { name: 'nul\u0000byte', email: 'nul@x.example' }, 400],
        [
          'POST',
          '/v1/customers',
          {
            name: 'Old',
            email: 'old@x.example',
            address: { line1: 'a\u0000', city: 'c', postalCode: '1', country: 'US' },
          },
          400,
        ],
        [
          'POST',
          '/v1/invoices',
          {
            customerId: own.id,
            lineItems: [{ description: 'x', quantity: 1, unitPriceCents: 1 }],
            dueDate: '0000-01-01',
          },
          400,
        ],
        [
          'POST',
          '/v1/jobs',
          { customerId: own.id, title: 'x', scheduledStart: '0000-01-01T00:00:00Z', scheduledEnd: END },
          400,
        ],
        ['GET', `/v1/search?q=${encodeURIComponent('a\u0000b')}`, undefined, 400],
        ['POST', '/v1/customers', { name: 'x'.repeat(300 * 1024), email: 'big@x.example' }, 413],
        ['POST', `/v1/customers/${v.customer}/notes`, { body: 'y'.repeat(300 * 1024) }, 413],
      ];
      for (const [method, path, body, status] of bad) {
        const res = await A(
          method,
          path,
          body === undefined ? {} : { rawBody: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
        );
        expect(res.status, `${method} ${path}: ${res.text.slice(0, 200)}`).toBe(status);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.body.requestId).toBe(res.headers.get('x-request-id'));
      }
      const protoPoison = await A('POST', '/v1/customers', {
        rawBody: '{"name":"P","email":"p@x.example","__proto__":{"tenantId":"x"}}',
        headers: { 'content-type': 'application/json' },
      });
      expect(protoPoison.status).toBe(400);
      const wrongType = await A('POST', '/v1/customers', {
        rawBody: 'name=X',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(wrongType.status).toBe(415);
      expect(await snapshot()).toEqual(before);
      await crm.close();
    },
  );
});
