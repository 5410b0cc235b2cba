/**
 * Contract tests over real HTTP: every operation, success and error responses, each validated
 * against its response schema in specs/crm.openapi.yaml. Runs on PGlite, and on PostgreSQL
 * when TEST_DATABASE_URL is set.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningCrm } from '../../crm/server.ts';
import {
  backendAvailable,
  backends,
  createTenant,
  openTestDatabase,
  type ProvisionedTenant,
  type TestDatabase,
} from '../support/crm-fixture.ts';
import {
  allOperationIds,
  contractClient,
  exercised,
  expectContract,
  problemSchema,
  schemaErrors,
} from './support/contract.ts';
import { api } from '../support/crm-fixture.ts';
import { defaultSpec } from '../../crm/spec/load-spec.ts';

const MISSING = '00000000-0000-4000-8000-000000000000';
const START = '2026-03-02T14:00:00Z';
const END = '2026-03-02T17:00:00Z';

describe.each(backends())('contract on $name', (backend) => {
  const available = backendAvailable(backend);
  let tdb: TestDatabase;
  let crm: RunningCrm;
  let tenant: ProvisionedTenant;
  let call: ReturnType<typeof contractClient>;

  beforeAll(async () => {
    if (!available) return;
    exercised.clear(); // coverage is counted per backend
    tdb = await openTestDatabase(backend);
    crm = await tdb.start();
  });
  afterAll(async () => {
    await tdb?.close();
  });
  beforeEach(async () => {
    if (!available) return;
    await crm.reset();
    tenant = await createTenant(crm, 'Acme Plumbing');
    call = contractClient(crm, tenant.apiKey);
  });

  async function customer(name = 'Dana Whitfield', email = `c${Math.random().toString(36).slice(2, 8)}@example.com`) {
    const res = await call('createCustomer', 'POST', '/v1/customers', { body: { name, email } });
    expect(res.status).toBe(201);
    return res.body as { id: string; name: string; email: string };
  }

  it.skipIf(!available)('provisions tenants with the admin token, and reports the tenant at /v1/me', async () => {
    const admin = contractClient(crm);
    const created = await admin('createTenant', 'POST', '/v1/tenants', {
      body: { name: 'Bolt Electric' },
      headers: { 'x-admin-token': crm.adminToken },
    });
    expect(created.status).toBe(201);
    expect(created.body.apiKey).toMatch(/^tpk_/);
    expect((await admin('createTenant', 'POST', '/v1/tenants', { body: { name: 'x' } })).status).toBe(401);
    expect(
      (
        await admin('createTenant', 'POST', '/v1/tenants', {
          body: { name: 'x' },
          headers: { 'x-admin-token': 'wrong' },
        })
      ).status,
    ).toBe(401);
    const headers = { 'x-admin-token': crm.adminToken };
    expect((await admin('createTenant', 'POST', '/v1/tenants', { body: { name: '' }, headers })).status).toBe(400);
    expect(
      (await admin('createTenant', 'POST', '/v1/tenants', { body: { name: 'x', plan: 'pro' }, headers })).status,
    ).toBe(400);
    expect(
      (
        await admin('createTenant', 'POST', '/v1/tenants', {
          rawBody: 'name=x',
          headers: { ...headers, 'content-type': 'text/plain' },
        })
      ).status,
    ).toBe(415);
    expect(
      (
        await admin('createTenant', 'POST', '/v1/tenants', {
          rawBody: '{"name":',
          headers: { ...headers, 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(400);
    const big = await admin('createTenant', 'POST', '/v1/tenants', { body: { name: 'x'.repeat(300 * 1024) }, headers });
    expect(big.status).toBe(413);
    const first = await admin('createTenant', 'POST', '/v1/tenants', {
      body: { name: 'Idem' },
      headers: { ...headers, 'idempotency-key': 'tenant-1' },
    });
    const replay = await admin('createTenant', 'POST', '/v1/tenants', {
      body: { name: 'Idem' },
      headers: { ...headers, 'idempotency-key': 'tenant-1' },
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(
      (
        await admin('createTenant', 'POST', '/v1/tenants', {
          body: { name: 'Other' },
          headers: { ...headers, 'idempotency-key': 'tenant-1' },
        })
      ).status,
    ).toBe(422);

    const me = await call('getMe', 'GET', '/v1/me');
    expect(me.body).toMatchObject({
      tenantId: tenant.tenantId,
      tenantName: 'Acme Plumbing',
      rateLimit: { requestsPerSecond: 200, burst: 400 },
    });
    expect((await contractClient(crm)('getMe', 'GET', '/v1/me')).status).toBe(401);
    expect((await contractClient(crm, 'tpk_not-a-key')('getMe', 'GET', '/v1/me')).status).toBe(401);
  });

  it.skipIf(!available)('creates, reads, lists with cursors, updates and deletes customers', async () => {
    const full = await call('createCustomer', 'POST', '/v1/customers', {
      body: {
        name: 'Dana',
        email: 'Dana@Whitfield.example',
        phone: '+1 555 010 2233',
        address: { line1: '12 Elm Street', city: 'Springfield', postalCode: '62704', country: 'US' },
        tags: ['residential'],
      },
    });
    expect(full.status).toBe(201);
    expect(
      (
        await call('createCustomer', 'POST', '/v1/customers', {
          body: { name: 'Dup', email: 'dana@whitfield.EXAMPLE' },
        })
      ).status,
    ).toBe(409);
    const invalid = await call('createCustomer', 'POST', '/v1/customers', {
      body: { name: 'X', email: 'not-an-email', tenantId: MISSING },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['/email', '/tenantId']),
    );
    expect(
      (await call('createCustomer', 'POST', '/v1/customers', { body: { name: 'X', email: 'x@y.example', phone: 42 } }))
        .status,
    ).toBe(400);
    expect((await call('createCustomer', 'POST', '/v1/customers')).status).toBe(400);
    expect(
      (
        await call('createCustomer', 'POST', '/v1/customers', {
          rawBody: '<xml/>',
          headers: { 'content-type': 'application/xml' },
        })
      ).status,
    ).toBe(415);
    expect(
      (
        await call('createCustomer', 'POST', '/v1/customers', {
          body: { name: 'x'.repeat(300_000), email: 'big@x.example' },
        })
      ).status,
    ).toBe(413);

    for (let i = 0; i < 4; i++) await customer(`Customer ${i}`);
    const page1 = await call('listCustomers', 'GET', '/v1/customers?limit=2');
    expect(page1.body.data).toHaveLength(2);
    expect(page1.body.data[0].name).toBe('Customer 3');
    const page2 = await call(
      'listCustomers',
      'GET',
      `/v1/customers?limit=2&cursor=${encodeURIComponent(page1.body.nextCursor)}`,
    );
    expect(page2.body.data.map((c: { name: string }) => c.name)).toEqual(['Customer 1', 'Customer 0']);
    const page3 = await call(
      'listCustomers',
      'GET',
      `/v1/customers?limit=2&cursor=${encodeURIComponent(page2.body.nextCursor)}`,
    );
    expect(page3.body).toMatchObject({ data: [{ name: 'Dana' }], nextCursor: null });
    expect((await call('listCustomers', 'GET', '/v1/customers?cursor=garbage')).status).toBe(400);
    expect(
      (await call('listCustomers', 'GET', `/v1/customers?q=x&cursor=${encodeURIComponent(page1.body.nextCursor)}`))
        .status,
    ).toBe(400);
    expect((await call('listCustomers', 'GET', '/v1/customers?limit=0')).status).toBe(400);
    expect((await call('listCustomers', 'GET', '/v1/customers?limit=101')).status).toBe(400);
    expect((await call('listCustomers', 'GET', '/v1/customers?colour=red')).status).toBe(400);
    const found = await call('listCustomers', 'GET', '/v1/customers?q=WHITFIELD');
    expect(found.body.data.map((c: { id: string }) => c.id)).toEqual([full.body.id]);

    const id = full.body.id as string;
    expect((await call('getCustomer', 'GET', `/v1/customers/${id}`)).body).toEqual(full.body);
    const missing = await call('getCustomer', 'GET', `/v1/customers/${MISSING}`);
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toBe('No customer with that id.');
    expect((await call('getCustomer', 'GET', '/v1/customers/not-a-uuid')).status).toBe(400);
    const patched = await call('updateCustomer', 'PATCH', `/v1/customers/${id}`, {
      body: { phone: null, address: null, tags: ['vip'] },
    });
    expect(patched.body).toMatchObject({ phone: null, address: null, tags: ['vip'] });
    expect((await call('updateCustomer', 'PATCH', `/v1/customers/${id}`, { body: {} })).status).toBe(400);
    expect(
      (await call('updateCustomer', 'PATCH', `/v1/customers/${id}`, { body: { email: page2.body.data[0].email } }))
        .status,
    ).toBe(409);
    expect(
      (await call('updateCustomer', 'PATCH', `/v1/customers/${MISSING}`, { body: { name: 'Ghost' } })).status,
    ).toBe(404);
    expect(
      (
        await call('updateCustomer', 'PATCH', `/v1/customers/${id}`, {
          rawBody: 'name=x',
          headers: { 'content-type': 'text/plain' },
        })
      ).status,
    ).toBe(415);
    expect(
      (await call('updateCustomer', 'PATCH', `/v1/customers/${id}`, { body: { name: 'x'.repeat(300_000) } })).status,
    ).toBe(413);

    await call('createJob', 'POST', '/v1/jobs', {
      body: { customerId: id, title: 'Fix', scheduledStart: START, scheduledEnd: END },
    });
    expect((await call('deleteCustomer', 'DELETE', `/v1/customers/${id}`)).status).toBe(409);
    const other = await customer('Leaving');
    expect((await call('deleteCustomer', 'DELETE', `/v1/customers/${other.id}`)).status).toBe(204);
    expect((await call('deleteCustomer', 'DELETE', `/v1/customers/${other.id}`)).status).toBe(404);
    expect((await call('deleteCustomer', 'DELETE', '/v1/customers/nope')).status).toBe(400);
  });

  it.skipIf(!available)('manages notes under a customer, and deletes them with it', async () => {
    const c = await customer();
    const note = await call('createCustomerNote', 'POST', `/v1/customers/${c.id}/notes`, {
      body: { body: 'Gate code is 4411.' },
    });
    expect(note.status).toBe(201);
    expect(
      (await call('createCustomerNote', 'POST', `/v1/customers/${c.id}/notes`, { body: { body: '' } })).status,
    ).toBe(400);
    expect(
      (await call('createCustomerNote', 'POST', `/v1/customers/${MISSING}/notes`, { body: { body: 'x' } })).status,
    ).toBe(404);
    expect(
      (
        await call('createCustomerNote', 'POST', `/v1/customers/${c.id}/notes`, {
          rawBody: 'x',
          headers: { 'content-type': 'text/plain' },
        })
      ).status,
    ).toBe(415);
    expect(
      (await call('createCustomerNote', 'POST', `/v1/customers/${c.id}/notes`, { body: { body: 'x'.repeat(300_000) } }))
        .status,
    ).toBe(413);
    expect((await call('listCustomerNotes', 'GET', `/v1/customers/${c.id}/notes`)).body.data).toHaveLength(1);
    expect((await call('listCustomerNotes', 'GET', `/v1/customers/${MISSING}/notes`)).status).toBe(404);
    expect((await call('listCustomerNotes', 'GET', `/v1/customers/${c.id}/notes?limit=abc`)).status).toBe(400);
    expect((await call('getCustomerNote', 'GET', `/v1/customers/${c.id}/notes/${note.body.id}`)).body).toEqual(
      note.body,
    );
    expect((await call('getCustomerNote', 'GET', `/v1/customers/${c.id}/notes/${MISSING}`)).status).toBe(404);
    expect((await call('getCustomerNote', 'GET', `/v1/customers/${c.id}/notes/bad`)).status).toBe(400);
    expect((await call('deleteCustomerNote', 'DELETE', `/v1/customers/${c.id}/notes/${note.body.id}`)).status).toBe(
      204,
    );
    expect((await call('deleteCustomerNote', 'DELETE', `/v1/customers/${c.id}/notes/${note.body.id}`)).status).toBe(
      404,
    );
    expect((await call('deleteCustomerNote', 'DELETE', `/v1/customers/${c.id}/notes/x`)).status).toBe(400);
    await call('createCustomerNote', 'POST', `/v1/customers/${c.id}/notes`, { body: { body: 'second' } });
    expect((await call('deleteCustomer', 'DELETE', `/v1/customers/${c.id}`)).status).toBe(204);
  });

  it.skipIf(!available)('schedules jobs and enforces the time rules', async () => {
    const c = await customer();
    const job = await call('createJob', 'POST', '/v1/jobs', {
      body: {
        customerId: c.id,
        title: 'Replace water heater',
        description: 'Basement',
        scheduledStart: START,
        scheduledEnd: END,
        assignedTo: 'Sam',
        status: 'scheduled',
      },
    });
    expect(job.status).toBe(201);
    expect(job.body.customer).toEqual({ id: c.id, name: c.name });
    expect(
      (
        await call('createJob', 'POST', '/v1/jobs', {
          body: { customerId: c.id, title: 'Backwards', scheduledStart: END, scheduledEnd: START },
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await call('createJob', 'POST', '/v1/jobs', {
          body: { customerId: MISSING, title: 'Ghost', scheduledStart: START, scheduledEnd: END },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call('createJob', 'POST', '/v1/jobs', {
          body: { customerId: c.id, title: 'Bad date', scheduledStart: 'tomorrow', scheduledEnd: END },
        })
      ).status,
    ).toBe(400);
    expect(
      (await call('createJob', 'POST', '/v1/jobs', { rawBody: 'x', headers: { 'content-type': 'text/plain' } })).status,
    ).toBe(415);
    expect(
      (
        await call('createJob', 'POST', '/v1/jobs', {
          body: { customerId: c.id, title: 'x'.repeat(300_000), scheduledStart: START, scheduledEnd: END },
        })
      ).status,
    ).toBe(413);
    expect(
      (
        await call('createJob', 'POST', '/v1/jobs', {
          body: { customerId: c.id, title: 'Conflict', scheduledStart: START, scheduledEnd: END },
          headers: { 'idempotency-key': 'j1' },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await call('createJob', 'POST', '/v1/jobs', {
          body: { customerId: c.id, title: 'Different', scheduledStart: START, scheduledEnd: END },
          headers: { 'idempotency-key': 'j1' },
        })
      ).status,
    ).toBe(422);

    expect((await call('listJobs', 'GET', `/v1/jobs?status=scheduled&customerId=${c.id}`)).body.data).toHaveLength(2);
    expect((await call('listJobs', 'GET', '/v1/jobs?status=done')).status).toBe(400);
    expect((await call('getJob', 'GET', `/v1/jobs/${job.body.id}`)).body).toEqual(job.body);
    expect((await call('getJob', 'GET', `/v1/jobs/${MISSING}`)).status).toBe(404);
    expect((await call('getJob', 'GET', '/v1/jobs/1')).status).toBe(400);
    const moved = await call('updateJob', 'PATCH', `/v1/jobs/${job.body.id}`, {
      body: { status: 'in_progress', description: null, assignedTo: null },
    });
    expect(moved.body).toMatchObject({ status: 'in_progress', description: null, assignedTo: null });
    expect(
      (await call('updateJob', 'PATCH', `/v1/jobs/${job.body.id}`, { body: { scheduledEnd: '2026-03-01T00:00:00Z' } }))
        .status,
    ).toBe(422);
    expect((await call('updateJob', 'PATCH', `/v1/jobs/${job.body.id}`, { body: { customerId: c.id } })).status).toBe(
      400,
    );
    expect((await call('updateJob', 'PATCH', `/v1/jobs/${MISSING}`, { body: { title: 'x' } })).status).toBe(404);
    expect(
      (
        await call('updateJob', 'PATCH', `/v1/jobs/${job.body.id}`, {
          rawBody: 'x',
          headers: { 'content-type': 'text/plain' },
        })
      ).status,
    ).toBe(415);
    expect(
      (await call('updateJob', 'PATCH', `/v1/jobs/${job.body.id}`, { body: { title: 'x'.repeat(300_000) } })).status,
    ).toBe(413);

    const schedule = await call(
      'getSchedule',
      'GET',
      '/v1/schedule?from=2026-03-01T00:00:00Z&to=2026-03-08T00:00:00Z&assignedTo=Sam',
    );
    expect(schedule.body.data).toHaveLength(0);
    const all = await call('getSchedule', 'GET', '/v1/schedule?from=2026-03-01T00:00:00Z&to=2026-03-08T00:00:00Z');
    expect(all.body.data).toHaveLength(2);
    expect(
      (await call('getSchedule', 'GET', '/v1/schedule?from=2026-03-08T00:00:00Z&to=2026-03-01T00:00:00Z')).status,
    ).toBe(422);
    expect(
      (await call('getSchedule', 'GET', '/v1/schedule?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z')).status,
    ).toBe(422);
    expect((await call('getSchedule', 'GET', '/v1/schedule?from=2026-01-01T00:00:00Z')).status).toBe(400);

    expect((await call('deleteJob', 'DELETE', `/v1/jobs/${job.body.id}`)).status).toBe(204);
    expect((await call('deleteJob', 'DELETE', `/v1/jobs/${job.body.id}`)).status).toBe(404);
    expect((await call('deleteJob', 'DELETE', '/v1/jobs/x')).status).toBe(400);
  });

  it.skipIf(!available)('moves quotes through accept and convert, with the state rules', async () => {
    const c = await customer();
    const lineItems = [
      { description: '50 gal water heater', quantity: 1, unitPriceCents: 89900 },
      { description: 'Labour (hours)', quantity: 3, unitPriceCents: 9500 },
    ];
    const quote = await call('createQuote', 'POST', '/v1/quotes', {
      body: { customerId: c.id, lineItems, validUntil: '2026-04-01', notes: 'Includes haul-away' },
    });
    expect(quote.status).toBe(201);
    expect(quote.body).toMatchObject({ status: 'draft', totalCents: 118400, validUntil: '2026-04-01' });
    expect(
      (await call('createQuote', 'POST', '/v1/quotes', { body: { customerId: c.id, lineItems: [] } })).status,
    ).toBe(400);
    expect((await call('createQuote', 'POST', '/v1/quotes', { body: { customerId: MISSING, lineItems } })).status).toBe(
      404,
    );
    expect(
      (await call('createQuote', 'POST', '/v1/quotes', { rawBody: 'x', headers: { 'content-type': 'text/plain' } }))
        .status,
    ).toBe(415);
    expect(
      (
        await call('createQuote', 'POST', '/v1/quotes', {
          body: { customerId: c.id, lineItems, notes: 'x'.repeat(300_000) },
        })
      ).status,
    ).toBe(413);
    const key = { 'idempotency-key': 'q-1' };
    const once = await call('createQuote', 'POST', '/v1/quotes', {
      body: { customerId: c.id, lineItems },
      headers: key,
    });
    const twice = await call('createQuote', 'POST', '/v1/quotes', {
      body: { customerId: c.id, lineItems },
      headers: key,
    });
    expect(twice.body.id).toBe(once.body.id);
    expect(
      (
        await call('createQuote', 'POST', '/v1/quotes', {
          body: { customerId: c.id, lineItems: lineItems.slice(1) },
          headers: key,
        })
      ).status,
    ).toBe(422);

    expect((await call('listQuotes', 'GET', `/v1/quotes?status=draft&customerId=${c.id}`)).body.data).toHaveLength(2);
    expect((await call('listQuotes', 'GET', '/v1/quotes?customerId=abc')).status).toBe(400);
    expect((await call('getQuote', 'GET', `/v1/quotes/${quote.body.id}`)).body).toEqual(quote.body);
    expect((await call('getQuote', 'GET', `/v1/quotes/${MISSING}`)).status).toBe(404);
    expect((await call('getQuote', 'GET', '/v1/quotes/q')).status).toBe(400);
    const sent = await call('updateQuote', 'PATCH', `/v1/quotes/${quote.body.id}`, {
      body: { status: 'sent', lineItems: lineItems.slice(0, 1), notes: null },
    });
    expect(sent.body).toMatchObject({ status: 'sent', totalCents: 89900, notes: null });
    expect(
      (await call('updateQuote', 'PATCH', `/v1/quotes/${quote.body.id}`, { body: { status: 'accepted' } })).status,
    ).toBe(400);
    expect((await call('updateQuote', 'PATCH', `/v1/quotes/${MISSING}`, { body: { notes: 'x' } })).status).toBe(404);
    expect(
      (
        await call('updateQuote', 'PATCH', `/v1/quotes/${quote.body.id}`, {
          rawBody: 'x',
          headers: { 'content-type': 'text/plain' },
        })
      ).status,
    ).toBe(415);
    expect(
      (await call('updateQuote', 'PATCH', `/v1/quotes/${quote.body.id}`, { body: { notes: 'x'.repeat(300_000) } }))
        .status,
    ).toBe(413);

    expect((await call('convertQuote', 'POST', `/v1/quotes/${quote.body.id}/convert`)).status).toBe(409);
    const accepted = await call('acceptQuote', 'POST', `/v1/quotes/${quote.body.id}/accept`);
    expect(accepted.body.status).toBe('accepted');
    expect(accepted.body.acceptedAt).toBeTruthy();
    expect((await call('acceptQuote', 'POST', `/v1/quotes/${quote.body.id}/accept`)).status).toBe(409);
    expect((await call('acceptQuote', 'POST', `/v1/quotes/${MISSING}/accept`)).status).toBe(404);
    expect((await call('acceptQuote', 'POST', '/v1/quotes/x/accept')).status).toBe(400);
    expect(
      (await call('updateQuote', 'PATCH', `/v1/quotes/${quote.body.id}`, { body: { notes: 'late' } })).status,
    ).toBe(409);
    expect(
      (await call('convertQuote', 'POST', `/v1/quotes/${quote.body.id}/convert`, { body: { dueDate: 'soon' } })).status,
    ).toBe(400);
    expect(
      (
        await call('convertQuote', 'POST', `/v1/quotes/${quote.body.id}/convert`, {
          rawBody: 'x',
          headers: { 'content-type': 'text/plain' },
        })
      ).status,
    ).toBe(415);
    expect(
      (
        await call('convertQuote', 'POST', `/v1/quotes/${quote.body.id}/convert`, {
          body: { dueDate: '2026-04-30', pad: 'x'.repeat(300_000) },
        })
      ).status,
    ).toBe(413);
    const invoice = await call('convertQuote', 'POST', `/v1/quotes/${quote.body.id}/convert`, {
      body: { dueDate: '2026-04-30' },
    });
    expect(invoice.status).toBe(201);
    expect(invoice.body).toMatchObject({
      quoteId: quote.body.id,
      customerId: c.id,
      totalCents: 89900,
      dueDate: '2026-04-30',
      status: 'open',
      lineItems: sent.body.lineItems,
    });
    const converted = await call('getQuote', 'GET', `/v1/quotes/${quote.body.id}`);
    expect(converted.body).toMatchObject({ status: 'converted', invoiceId: invoice.body.id });
    expect((await call('convertQuote', 'POST', `/v1/quotes/${quote.body.id}/convert`)).status).toBe(409);
    expect((await call('convertQuote', 'POST', `/v1/quotes/${MISSING}/convert`)).status).toBe(404);
    expect((await call('deleteQuote', 'DELETE', `/v1/quotes/${quote.body.id}`)).status).toBe(409);
    expect((await call('deleteQuote', 'DELETE', `/v1/quotes/${once.body.id}`)).status).toBe(204);
    expect((await call('deleteQuote', 'DELETE', `/v1/quotes/${once.body.id}`)).status).toBe(404);
    expect((await call('deleteQuote', 'DELETE', '/v1/quotes/x')).status).toBe(400);
  });

  it.skipIf(!available)(
    'invoices take payments up to the balance, become paid, and refuse voiding once paid',
    async () => {
      const c = await customer();
      const body = {
        customerId: c.id,
        lineItems: [{ description: 'Drain cleaning', quantity: 1, unitPriceCents: 18000 }],
        dueDate: '2026-03-31',
      };
      const invoice = await call('createInvoice', 'POST', '/v1/invoices', { body });
      expect(invoice.status).toBe(201);
      expect(invoice.body).toMatchObject({
        status: 'open',
        totalCents: 18000,
        paidCents: 0,
        balanceCents: 18000,
        quoteId: null,
      });
      expect(
        (await call('createInvoice', 'POST', '/v1/invoices', { body: { ...body, dueDate: '31/03/2026' } })).status,
      ).toBe(400);
      expect(
        (await call('createInvoice', 'POST', '/v1/invoices', { body: { ...body, customerId: MISSING } })).status,
      ).toBe(404);
      expect(
        (
          await call('createInvoice', 'POST', '/v1/invoices', {
            rawBody: 'x',
            headers: { 'content-type': 'text/plain' },
          })
        ).status,
      ).toBe(415);
      expect(
        (await call('createInvoice', 'POST', '/v1/invoices', { body: { ...body, pad: 'x'.repeat(300_000) } })).status,
      ).toBe(413);
      await call('createInvoice', 'POST', '/v1/invoices', { body, headers: { 'idempotency-key': 'i1' } });
      expect(
        (
          await call('createInvoice', 'POST', '/v1/invoices', {
            body: { ...body, dueDate: '2026-04-01' },
            headers: { 'idempotency-key': 'i1' },
          })
        ).status,
      ).toBe(422);
      const id = invoice.body.id as string;

      expect(
        (await call('listInvoices', 'GET', `/v1/invoices?status=open&customerId=${c.id}&limit=1`)).body.nextCursor,
      ).toEqual(expect.any(String));
      expect((await call('listInvoices', 'GET', '/v1/invoices?status=late')).status).toBe(400);
      expect((await call('getInvoice', 'GET', `/v1/invoices/${id}`)).body).toEqual(invoice.body);
      expect((await call('getInvoice', 'GET', `/v1/invoices/${MISSING}`)).status).toBe(404);
      expect((await call('getInvoice', 'GET', '/v1/invoices/x')).status).toBe(400);
      expect(
        (await call('updateInvoice', 'PATCH', `/v1/invoices/${id}`, { body: { dueDate: '2026-05-15' } })).body.dueDate,
      ).toBe('2026-05-15');
      expect((await call('updateInvoice', 'PATCH', `/v1/invoices/${id}`, { body: { status: 'paid' } })).status).toBe(
        400,
      );
      expect(
        (await call('updateInvoice', 'PATCH', `/v1/invoices/${MISSING}`, { body: { dueDate: '2026-05-15' } })).status,
      ).toBe(404);
      expect(
        (
          await call('updateInvoice', 'PATCH', `/v1/invoices/${id}`, {
            rawBody: 'x',
            headers: { 'content-type': 'text/plain' },
          })
        ).status,
      ).toBe(415);
      expect(
        (
          await call('updateInvoice', 'PATCH', `/v1/invoices/${id}`, {
            body: { dueDate: '2026-05-15', pad: 'x'.repeat(300_000) },
          })
        ).status,
      ).toBe(413);

      expect(
        (
          await call('createPayment', 'POST', `/v1/invoices/${id}/payments`, {
            body: { amountCents: 18001, method: 'card' },
          })
        ).status,
      ).toBe(422);
      expect(
        (
          await call('createPayment', 'POST', `/v1/invoices/${id}/payments`, {
            body: { amountCents: 0, method: 'card' },
          })
        ).status,
      ).toBe(400);
      expect(
        (
          await call('createPayment', 'POST', `/v1/invoices/${MISSING}/payments`, {
            body: { amountCents: 1, method: 'card' },
          })
        ).status,
      ).toBe(404);
      expect(
        (
          await call('createPayment', 'POST', `/v1/invoices/${id}/payments`, {
            rawBody: 'x',
            headers: { 'content-type': 'text/plain' },
          })
        ).status,
      ).toBe(415);
      expect(
        (
          await call('createPayment', 'POST', `/v1/invoices/${id}/payments`, {
            body: { amountCents: 1, method: 'card', reference: 'x'.repeat(300_000) },
          })
        ).status,
      ).toBe(413);
      const part = await call('createPayment', 'POST', `/v1/invoices/${id}/payments`, {
        body: { amountCents: 8000, method: 'cash', reference: 'ch_3Nc9', receivedAt: '2026-03-03T10:00:00Z' },
        headers: { 'idempotency-key': 'p1' },
      });
      expect(part.status).toBe(201);
      const replay = await call('createPayment', 'POST', `/v1/invoices/${id}/payments`, {
        body: { amountCents: 8000, method: 'cash', reference: 'ch_3Nc9', receivedAt: '2026-03-03T10:00:00Z' },
        headers: { 'idempotency-key': 'p1' },
      });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(part.body);
      expect(
        (
          await call('createPayment', 'POST', `/v1/invoices/${id}/payments`, {
            body: { amountCents: 10, method: 'cash' },
            headers: { 'idempotency-key': 'p1' },
          })
        ).status,
      ).toBe(422);
      expect((await call('getInvoice', 'GET', `/v1/invoices/${id}`)).body).toMatchObject({
        paidCents: 8000,
        balanceCents: 10000,
        status: 'open',
      });
      expect((await call('updateInvoice', 'PATCH', `/v1/invoices/${id}`, { body: { status: 'void' } })).status).toBe(
        409,
      );
      await call('createPayment', 'POST', `/v1/invoices/${id}/payments`, {
        body: { amountCents: 10000, method: 'card' },
      });
      expect((await call('getInvoice', 'GET', `/v1/invoices/${id}`)).body).toMatchObject({
        paidCents: 18000,
        balanceCents: 0,
        status: 'paid',
      });
      const payments = await call('listPayments', 'GET', `/v1/invoices/${id}/payments`);
      expect(payments.body.data).toHaveLength(2);
      expect((await call('listPayments', 'GET', `/v1/invoices/${MISSING}/payments`)).status).toBe(404);
      expect((await call('listPayments', 'GET', `/v1/invoices/${id}/payments?limit=1000`)).status).toBe(400);

      const second = await call('createInvoice', 'POST', '/v1/invoices', { body });
      const voided = await call('updateInvoice', 'PATCH', `/v1/invoices/${second.body.id}`, {
        body: { status: 'void' },
      });
      expect(voided.body).toMatchObject({ status: 'void', balanceCents: 0 });
      expect(
        (
          await call('createPayment', 'POST', `/v1/invoices/${second.body.id}/payments`, {
            body: { amountCents: 1, method: 'card' },
          })
        ).status,
      ).toBe(409);
    },
  );

  it.skipIf(!available)('searches, summarises, exports and lists the audit log', async () => {
    const c = await customer("Zed O'Hara", 'zed@ohara.example');
    await call('createJob', 'POST', '/v1/jobs', {
      body: { customerId: c.id, title: 'Boiler 100% service', scheduledStart: START, scheduledEnd: END },
    });
    const quote = await call('createQuote', 'POST', '/v1/quotes', {
      body: {
        customerId: c.id,
        lineItems: [{ description: 'Boiler valve', quantity: 2, unitPriceCents: 1500 }],
        notes: 'Needs a ladder',
      },
    });
    const declined = await call('createQuote', 'POST', '/v1/quotes', {
      body: { customerId: c.id, lineItems: [{ description: 'Gold taps', quantity: 1, unitPriceCents: 99900 }] },
    });
    await call('updateQuote', 'PATCH', `/v1/quotes/${declined.body.id}`, { body: { status: 'declined' } });
    const inv = await call('createInvoice', 'POST', '/v1/invoices', {
      body: {
        customerId: c.id,
        lineItems: [{ description: 'Boiler flush', quantity: 1, unitPriceCents: 20000 }],
        dueDate: '2026-03-31',
      },
    });
    await call('createPayment', 'POST', `/v1/invoices/${inv.body.id}/payments`, {
      body: { amountCents: 5000, method: 'card' },
    });
    const voidInv = await call('createInvoice', 'POST', '/v1/invoices', {
      body: {
        customerId: c.id,
        lineItems: [{ description: 'Mistake', quantity: 1, unitPriceCents: 700 }],
        dueDate: '2026-03-31',
      },
    });
    await call('updateInvoice', 'PATCH', `/v1/invoices/${voidInv.body.id}`, { body: { status: 'void' } });

    const boiler = await call('search', 'GET', '/v1/search?q=boiler');
    expect(boiler.body.data.map((r: { type: string }) => r.type).sort()).toEqual(['invoice', 'job', 'quote']);
    expect((await call('search', 'GET', '/v1/search?q=LADDER')).body.data).toEqual([
      expect.objectContaining({ type: 'quote', id: quote.body.id }),
    ]);
    expect((await call('search', 'GET', '/v1/search?q=100%25')).body.data).toHaveLength(1);
    expect((await call('search', 'GET', '/v1/search?q=_')).body.data).toHaveLength(0);
    expect((await call('search', 'GET', '/v1/search?q=boiler&type=job&limit=1')).body.data).toHaveLength(1);
    expect((await call('search', 'GET', '/v1/search?q=')).status).toBe(400);
    expect((await call('search', 'GET', '/v1/search?q=x&type=note')).status).toBe(400);

    const summary = await call('getReportSummary', 'GET', '/v1/reports/summary');
    expect(summary.body).toEqual({
      customers: 1,
      jobs: 1,
      quotes: 2,
      invoices: 2,
      quotedCents: 3000,
      invoicedCents: 20000,
      paidCents: 5000,
      outstandingCents: 15000,
    });

    const spec = defaultSpec();
    for (const resource of ['customers', 'jobs', 'quotes', 'invoices'] as const) {
      const ndjson = await call('exportRecords', 'GET', `/v1/export?resource=${resource}`);
      expect(ndjson.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      const schemaName = { customers: 'Customer', jobs: 'Job', quotes: 'Quote', invoices: 'Invoice' }[resource];
      const lines = ndjson.text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown);
      for (const line of lines) expect(schemaErrors(spec.schema(schemaName), line)).toBeUndefined();
      const csv = await call('exportRecords', 'GET', `/v1/export?resource=${resource}&format=csv`);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(csv.text.split('\r\n')[0]).toMatch(/^id,/);
      expect(csv.text.trim().split('\r\n')).toHaveLength(lines.length + 1);
    }
    const invoices = (await call('exportRecords', 'GET', '/v1/export?resource=invoices')).text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string });
    expect(invoices.map((i) => i.id)).toEqual([inv.body.id, voidInv.body.id]);
    expect((await call('exportRecords', 'GET', '/v1/export?resource=notes')).status).toBe(400);
    expect((await call('exportRecords', 'GET', '/v1/export')).status).toBe(400);

    const marker = await call('getCustomer', 'GET', `/v1/customers/${c.id}`);
    const events = await call(
      'listAuditEvents',
      'GET',
      `/v1/audit-events?requestId=${marker.headers.get('x-request-id')}`,
    );
    expect(events.body.data).toEqual([
      expect.objectContaining({
        tenantId: tenant.tenantId,
        method: 'GET',
        route: '/v1/customers/:customerId',
        status: 200,
        recordIds: [c.id],
      }),
    ]);
    const page = await call('listAuditEvents', 'GET', '/v1/audit-events?limit=3');
    expect(page.body.data).toHaveLength(3);
    expect(
      (
        await call(
          'listAuditEvents',
          'GET',
          `/v1/audit-events?limit=3&cursor=${encodeURIComponent(page.body.nextCursor)}`,
        )
      ).body.data,
    ).toHaveLength(3);
    expect((await call('listAuditEvents', 'GET', '/v1/audit-events?requestId=')).status).toBe(400);
  });

  it.skipIf(!available)('runs concurrent retries with one Idempotency-Key once', async () => {
    const body = { name: 'Once Only', email: 'once@example.com' };
    const responses = await Promise.all(
      [1, 2, 3].map(() =>
        call('createCustomer', 'POST', '/v1/customers', { body, headers: { 'idempotency-key': 'race-1' } }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(2);
    expect((await call('listCustomers', 'GET', '/v1/customers')).body.data).toHaveLength(1);
  });

  it.skipIf(!available)('answers unknown routes and methods with problem+json', async () => {
    const request = api(crm, tenant.apiKey);
    for (const [method, path, status] of [
      ['GET', '/v1/nope', 404],
      ['DELETE', '/v1/customers', 405],
      ['PUT', `/v1/jobs/${MISSING}`, 405],
    ] as const) {
      const res = await request(method, path);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('x-request-id')).toBeTruthy();
      expect(schemaErrors(problemSchema, res.body)).toBeUndefined();
    }
  });

  it.skipIf(!available)('rate limits per tenant with 429 and Retry-After, without starving other tenants', async () => {
    const limited = await tdb.start({ rateLimit: { requestsPerSecond: 1, burst: 3 } });
    const noisy = await createTenant(limited);
    const quiet = await createTenant(limited);
    const noisyCall = contractClient(limited, noisy.apiKey);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await noisyCall('getMe', 'GET', '/v1/me')).status);
    expect(statuses).toContain(429);
    const limitedResponse = await noisyCall('listCustomers', 'GET', '/v1/customers');
    expect(limitedResponse.status).toBe(429);
    expect(Number(limitedResponse.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await contractClient(limited, quiet.apiKey)('getMe', 'GET', '/v1/me')).status).toBe(200);
    const me = await api(limited, quiet.apiKey)('GET', '/v1/me');
    expectContract('getMe', me);
    expect(me.body.rateLimit).toEqual({ requestsPerSecond: 1, burst: 3 });
    await limited.close();
  });

  it.skipIf(!available)('has exercised every operation in the spec', () => {
    const missing = allOperationIds().filter((id) => !exercised.has(id));
    expect(missing).toEqual([]);
    for (const status of [400, 401, 404, 409, 413, 415, 422, 429]) {
      expect(
        [...exercised.values()].some((statuses) => statuses.has(status)),
        `status ${status} exercised`,
      ).toBe(true);
    }
  });
});
