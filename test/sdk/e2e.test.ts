/**
 * End to end against the real reference CRM over loopback: every resource method of the SDK, with
 * strict response validation on, and a check that together they cover every operation of the spec.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCrm } from '../../crm/server.ts';
import { operations } from '../../sdk/generated/operations.ts';
import {
  AuthenticationError,
  ConflictError,
  CrmAdminClient,
  CrmClient,
  NotFoundError,
  UnprocessableEntityError,
  type Customer,
  type RequestEvent,
} from '../../sdk/index.ts';
import { createTenant } from '../support/crm-fixture.ts';

type RunningCrm = Awaited<ReturnType<typeof startCrm>>;

describe('SDK against the reference CRM', () => {
  let crm: RunningCrm;
  let a: CrmClient;
  let b: CrmClient;
  let admin: CrmAdminClient;
  const seen = new Set<string>();
  const hooks = { onRequest: (e: RequestEvent) => seen.add(e.operation) };

  beforeAll(async () => {
    crm = await startCrm({ port: 0 });
    const [ta, tb] = [await createTenant(crm, 'E2E A'), await createTenant(crm, 'E2E B')];
    a = new CrmClient({ apiKey: ta.apiKey, baseURL: crm.url, hooks, validation: 'strict' });
    b = new CrmClient({ apiKey: tb.apiKey, baseURL: crm.url, hooks, validation: 'strict' });
    admin = new CrmAdminClient({ adminToken: crm.adminToken, baseURL: crm.url, hooks });
  });

  afterAll(async () => {
    await crm?.close();
  });

  let customer: Customer;

  it('tenants.create and me.get', async () => {
    const created = await admin.tenants.create({ name: 'Provisioned by the SDK' });
    expect(created.apiKey).toMatch(/^tpk_/);
    const fresh = new CrmClient({ apiKey: created.apiKey, baseURL: crm.url, hooks });
    const me = await fresh.me.get();
    expect(me).toMatchObject({ tenantId: created.tenant.id, tenantName: 'Provisioned by the SDK' });
    await expect(
      new CrmAdminClient({ adminToken: 'wrong', baseURL: crm.url }).tenants.create({ name: 'x' }),
    ).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('customers: create, get, update, list (auto-paginated), delete', async () => {
    customer = await a.customers.create({
      name: 'Dana Whitfield',
      email: 'dana@whitfield.example',
      tags: ['residential'],
    });
    expect(await a.customers.get(customer.id)).toEqual(customer);
    const updated = await a.customers.update(customer.id, {
      phone: '+1 555 010 9999',
      tags: ['residential', 'priority'],
    });
    expect(updated.phone).toBe('+1 555 010 9999');
    for (let i = 0; i < 4; i++) await a.customers.create({ name: `Filler ${i}`, email: `filler${i}@example.com` });
    const all: string[] = [];
    let pages = 0;
    for await (const page of a.customers.list({ limit: 2 }).pages()) {
      pages++;
      all.push(...page.data.map((c) => c.id));
    }
    expect(pages).toBe(3);
    expect(all).toHaveLength(5);
    const viaIterator: string[] = [];
    for await (const c of a.customers.list({ limit: 2 })) viaIterator.push(c.id);
    expect(viaIterator).toEqual(all);
    const doomed = await a.customers.create({ name: 'Doomed', email: 'doomed@example.com' });
    await a.customers.delete(doomed.id);
    await expect(a.customers.get(doomed.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(b.customers.get(customer.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(a.customers.create({ name: 'Dup', email: 'DANA@whitfield.example' })).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('customers.notes: create, get, list, delete', async () => {
    const note = await a.customers.notes.create(customer.id, { body: 'Gate code is 4411.' });
    expect(await a.customers.notes.get(customer.id, note.id)).toEqual(note);
    expect((await a.customers.notes.list(customer.id)).data.map((n) => n.id)).toEqual([note.id]);
    await a.customers.notes.delete(customer.id, note.id);
    await expect(a.customers.notes.get(customer.id, note.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('jobs and schedule', async () => {
    const job = await a.jobs.create({
      customerId: customer.id,
      title: 'Replace water heater',
      scheduledStart: '2026-03-02T14:00:00Z',
      scheduledEnd: '2026-03-02T17:00:00Z',
      assignedTo: 'Sam',
    });
    expect(job.customer).toEqual({ id: customer.id, name: customer.name });
    expect((await a.jobs.get(job.id)).title).toBe('Replace water heater');
    expect((await a.jobs.update(job.id, { status: 'completed' })).status).toBe('completed');
    expect((await a.jobs.list({ customerId: customer.id })).data.map((j) => j.id)).toEqual([job.id]);
    const schedule = await a.schedule.get({
      from: '2026-03-01T00:00:00Z',
      to: '2026-03-08T00:00:00Z',
      assignedTo: 'Sam',
    });
    expect(schedule.data.map((j) => j.id)).toEqual([job.id]);
    await expect(
      a.jobs.create({
        customerId: customer.id,
        title: 'Backwards',
        scheduledStart: '2026-03-02T17:00:00Z',
        scheduledEnd: '2026-03-02T14:00:00Z',
      }),
    ).rejects.toBeInstanceOf(UnprocessableEntityError);
    await a.jobs.delete(job.id);
    await expect(a.jobs.get(job.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('quotes: create, get, update, list, accept, convert, delete', async () => {
    const quote = await a.quotes.create({
      customerId: customer.id,
      lineItems: [
        { description: 'Water heater', quantity: 1, unitPriceCents: 89900 },
        { description: 'Labour', quantity: 3, unitPriceCents: 9500 },
      ],
    });
    expect(quote.totalCents).toBe(89900 + 3 * 9500);
    expect((await a.quotes.get(quote.id)).status).toBe('draft');
    expect((await a.quotes.update(quote.id, { status: 'sent' })).status).toBe('sent');
    expect((await a.quotes.list({ status: 'sent' })).data.map((q) => q.id)).toEqual([quote.id]);
    expect((await a.quotes.accept(quote.id)).status).toBe('accepted');
    const invoice = await a.quotes.convert(quote.id, { dueDate: '2026-04-30' });
    expect(invoice).toMatchObject({
      quoteId: quote.id,
      totalCents: quote.totalCents,
      status: 'open',
      dueDate: '2026-04-30',
    });
    await expect(a.quotes.delete(quote.id)).rejects.toBeInstanceOf(ConflictError);
    const scrap = await a.quotes.create({
      customerId: customer.id,
      lineItems: [{ description: 'Scrap', quantity: 1, unitPriceCents: 1 }],
    });
    await a.quotes.delete(scrap.id);
    await expect(a.quotes.get(scrap.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('invoices and payments', async () => {
    const invoice = await a.invoices.create({
      customerId: customer.id,
      lineItems: [{ description: 'Drain cleaning', quantity: 1, unitPriceCents: 18000 }],
      dueDate: '2026-03-31',
    });
    expect((await a.invoices.get(invoice.id)).balanceCents).toBe(18000);
    expect((await a.invoices.update(invoice.id, { dueDate: '2026-05-15' })).dueDate).toBe('2026-05-15');
    const payment = await a.invoices.payments.create(invoice.id, {
      amountCents: 18000,
      method: 'card',
      reference: 'ch_3Nc9',
    });
    expect((await a.invoices.payments.list(invoice.id)).data).toEqual([payment]);
    expect((await a.invoices.get(invoice.id)).status).toBe('paid');
    expect((await a.invoices.list({ status: 'paid' })).data.map((i) => i.id)).toContain(invoice.id);
    await expect(b.invoices.payments.list(invoice.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('search, reports, export (stream, records, csv) and audit events', async () => {
    const results = await a.search.query({ q: 'whitfield' });
    expect(results.data.map((r) => r.id)).toContain(customer.id);
    expect((await b.search.query({ q: 'whitfield' })).data).toEqual([]);
    const summary = await a.reports.summary();
    expect(summary.customers).toBe(5);
    expect(summary.outstandingCents).toBe(summary.invoicedCents - summary.paidCents);
    const records: string[] = [];
    for await (const c of a.export.records({ resource: 'customers' })) records.push(c.email);
    expect(records).toHaveLength(5);
    expect(records[0]).toBe('dana@whitfield.example');
    const stream = await a.export.stream({ resource: 'invoices' });
    let ndjson = '';
    for await (const chunk of stream) ndjson += String(chunk);
    expect(ndjson.trim().split('\n')).toHaveLength(2);
    const csv = await a.export.text({ resource: 'customers', format: 'csv' });
    expect(csv.split(/\r?\n/)[0]).toBe('id,name,email,phone,address,tags,createdAt,updatedAt');
    const { response } = await a.me.get().withResponse();
    expect(response.requestId).toMatch(/^req_/);
    const events = await a.auditEvents.list({ requestId: response.requestId! });
    expect(events.data).toEqual([
      expect.objectContaining({ requestId: response.requestId, method: 'GET', route: '/v1/me', status: 200 }),
    ]);
    let total = 0;
    for await (const _event of a.auditEvents.list({ limit: 50 })) total++;
    expect(total).toBeGreaterThan(30);
  });

  it('idempotency: a retried POST with the same key returns the stored response', async () => {
    const first = await a.customers
      .create({ name: 'Once', email: 'once@example.com' }, { idempotencyKey: 'e2e-once' })
      .withResponse();
    const second = await a.customers
      .create({ name: 'Once', email: 'once@example.com' }, { idempotencyKey: 'e2e-once' })
      .withResponse();
    expect(second.data.id).toBe(first.data.id);
    expect(second.response.headers['idempotent-replayed']).toBe('true');
  });

  it('covered every operation of the spec', () => {
    expect([...seen].sort()).toEqual(Object.keys(operations).sort());
  });
});
