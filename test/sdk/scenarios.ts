/**
 * One scenario suite, written once, run against the real CRM and against sdk/testing (the msw
 * fake). Each scenario drives the SDK as two tenants and returns observations that are normalised
 * (ids → labels by first appearance, timestamps, request ids and cursors → placeholders) so that the
 * two targets must produce exactly the same list.
 */
import { APIError, CrmError, type CrmAdminClient, type CrmClient } from '../../sdk/index.ts';

export interface ScenarioEnv {
  a: CrmClient;
  b: CrmClient;
  admin: CrmAdminClient;
  /** A client with a key no tenant owns. */
  stranger: CrmClient;
}

export type Observation = Record<string, unknown>;

export interface Scenario {
  name: string;
  run(env: ScenarioEnv, log: Observer): Promise<void>;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Timestamps the scenarios chose themselves are compared verbatim (normalisation is part of the contract). */
const FIXED_TIMES = new Set(['2026-03-03T06:00:00.000Z', '2026-03-03T09:00:00.000Z']);
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Records observations, normalising them as they come. */
export class Observer {
  readonly observations: Observation[] = [];
  private readonly labels = new Map<string, string>();

  private label(id: string): string {
    const key = id.toLowerCase();
    let label = this.labels.get(key);
    if (!label) {
      label = `<id${this.labels.size + 1}>`;
      this.labels.set(key, label);
    }
    return label;
  }

  normalise(value: unknown, key = ''): unknown {
    if (typeof value === 'string') {
      if (key === 'requestId') return '<request-id>';
      if (key === 'nextCursor' || key === 'cursor') return '<cursor>';
      if (key === 'apiKey') return '<api-key>';
      if (key === 'detail') return '<detail>';
      if (TIMESTAMP.test(value) && !FIXED_TIMES.has(value)) return '<timestamp>';
      // Search titles carry an id prefix ("Quote 92286979").
      return value.replace(UUID, (id) => this.label(id)).replace(/^(Quote|Invoice) [0-9a-f]{8}$/, '$1 <prefix>');
    }
    if (Array.isArray(value)) return value.map((v) => this.normalise(v, key));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(value).sort()) {
        if (k === 'errors') continue; // validation messages differ in wording (ajv vs zod); status/type/title must match
        out[k] = this.normalise((value as Record<string, unknown>)[k], k);
      }
      return out;
    }
    return value;
  }

  /** A successful result (optionally projected) or the error it raised. */
  async call<T>(step: string, promise: Promise<T>, project: (v: T) => unknown = (v) => v): Promise<T | undefined> {
    try {
      const value = await promise;
      this.observations.push({ step, ok: this.normalise(project(value)) });
      return value;
    } catch (error) {
      this.observations.push({ step, error: describeError(error) });
      return undefined;
    }
  }

  note(step: string, value: unknown): void {
    this.observations.push({ step, value: this.normalise(value) });
  }
}

function describeError(error: unknown): Observation {
  if (error instanceof APIError)
    return {
      class: error.name,
      status: error.status,
      type: error.problem?.type,
      title: error.problem?.title,
      hasRequestId: Boolean(error.requestId),
    };
  if (error instanceof CrmError) return { class: error.name };
  throw error;
}

const RANDOM_ID = '5f0b7c3e-2d4a-4b6c-8e9f-0a1b2c3d4e5f';
const line = (description: string, quantity: number, unitPriceCents: number) => ({
  description,
  quantity,
  unitPriceCents,
});
const ids = (page: { data: Array<{ id: string }> }) => page.data.map((x) => x.id);

export const SCENARIOS: Scenario[] = [
  {
    name: 'a customer is visible to its tenant only; foreign and missing ids get the same 404',
    async run({ a, b }, log) {
      const c = await log.call(
        'create',
        a.customers.create({
          name: 'Dana Whitfield',
          email: 'dana@whitfield.example',
          phone: '+1 555 010 2233',
          tags: ['residential'],
          address: { line1: '12 Elm Street', city: 'Springfield', postalCode: '62704', country: 'US' },
        }),
      );
      await log.call('get own', a.customers.get(c!.id));
      await log.call('get foreign', b.customers.get(c!.id));
      await log.call('get missing', b.customers.get(RANDOM_ID));
      await log.call('update foreign', b.customers.update(c!.id, { name: 'Mallory' }));
      await log.call('delete foreign', b.customers.delete(c!.id));
      await log.call('still intact', a.customers.get(c!.id), (x) => x.name);
      await log.call('B list', b.customers.list(), ids);
    },
  },
  {
    name: 'email is unique per tenant, case-insensitive',
    async run({ a, b }, log) {
      const first = await log.call('A create', a.customers.create({ name: 'Sam', email: 'sam@example.com' }));
      await log.call('A duplicate', a.customers.create({ name: 'Sam 2', email: 'SAM@example.com' }));
      await log.call('B same email', b.customers.create({ name: 'Sam B', email: 'sam@example.com' }), (x) => x.email);
      const other = await log.call('A other', a.customers.create({ name: 'Alex', email: 'alex@example.com' }));
      await log.call('A update to taken email', a.customers.update(other!.id, { email: 'Sam@Example.com' }));
      await log.call(
        'A update own email',
        a.customers.update(first!.id, { email: 'sam@example.com', phone: null }),
        (x) => [x.email, x.phone],
      );
    },
  },
  {
    name: 'lists paginate per tenant; a cursor is bound to its tenant and list',
    async run({ a, b }, log) {
      for (let i = 0; i < 5; i++) await a.customers.create({ name: `Customer ${i}`, email: `c${i}@a.example` });
      for (let i = 0; i < 2; i++) await b.customers.create({ name: `B ${i}`, email: `b${i}@b.example` });
      const pages: number[] = [];
      for await (const page of a.customers.list({ limit: 2 }).pages()) pages.push(page.data.length);
      log.note('A page sizes', pages);
      const names: string[] = [];
      for await (const c of a.customers.list({ limit: 2 })) names.push(c.name);
      log.note('A names newest first', names);
      log.note(
        'B names',
        (await b.customers.list({ limit: 100 }).toArray()).map((c) => c.name),
      );
      const first = await a.customers.list({ limit: 2 });
      await log.call('B uses A cursor', b.customers.list({ limit: 2, cursor: first.nextCursor! }));
      await log.call(
        'A cursor on another list',
        a.customers.list({ limit: 2, cursor: first.nextCursor!, q: 'Customer' }),
      );
      await log.call('A filter q', a.customers.list({ q: 'customer 3' }), (p) => p.data.map((c) => c.name));
      await log.call('forged cursor', a.customers.list({ cursor: 'eyJwb3NpdGlvbiI6MX0.forged' }));
    },
  },
  {
    name: 'idempotency keys replay within a tenant and are scoped to it',
    async run({ a, b }, log) {
      const body = { name: 'Idem', email: 'idem@example.com' };
      const first = await a.customers.create(body, { idempotencyKey: 'order-1' }).withResponse();
      const again = await a.customers.create(body, { idempotencyKey: 'order-1' }).withResponse();
      log.note('replay', {
        sameId: first.data.id === again.data.id,
        status: again.response.status,
        replayed: again.response.headers['idempotent-replayed'] ?? null,
        firstReplayed: first.response.headers['idempotent-replayed'] ?? null,
      });
      await log.call(
        'same key, other body',
        a.customers.create({ name: 'Other', email: 'other@example.com' }, { idempotencyKey: 'order-1' }),
      );
      const inB = await log.call('B same key', b.customers.create(body, { idempotencyKey: 'order-1' }));
      log.note('B got its own record', inB!.id !== first.data.id);
      await log.call('A list', a.customers.list(), (p) => p.data.length);
    },
  },
  {
    name: 'notes live under their customer',
    async run({ a, b }, log) {
      const c = (await a.customers.create({ name: 'Noted', email: 'noted@example.com' }))!;
      const n1 = await log.call('create', a.customers.notes.create(c.id, { body: 'Gate code is 4411.' }));
      await log.call('create 2', a.customers.notes.create(c.id, { body: 'Dog is friendly.' }));
      await log.call('list', a.customers.notes.list(c.id), (p) => p.data.map((n) => n.body));
      await log.call('get', a.customers.notes.get(c.id, n1!.id));
      await log.call('B get', b.customers.notes.get(c.id, n1!.id));
      await log.call('B list', b.customers.notes.list(c.id));
      await log.call('B create on foreign customer', b.customers.notes.create(c.id, { body: 'sneaky' }));
      await log.call('get under wrong customer', a.customers.notes.get(RANDOM_ID, n1!.id));
      await log.call('delete', a.customers.notes.delete(c.id, n1!.id));
      await log.call('get deleted', a.customers.notes.get(c.id, n1!.id));
      await log.call('empty body', a.customers.notes.create(c.id, { body: '' }));
    },
  },
  {
    name: 'jobs: scheduling rules, foreign parents and the schedule window',
    async run({ a, b }, log) {
      const c = (await a.customers.create({ name: 'Jobber', email: 'jobber@example.com' }))!;
      const foreign = (await b.customers.create({ name: 'B cust', email: 'bc@example.com' }))!;
      const j = await log.call(
        'create',
        a.jobs.create({
          customerId: c.id,
          title: 'Replace water heater',
          scheduledStart: '2026-03-02T14:00:00Z',
          scheduledEnd: '2026-03-02T17:00:00Z',
          assignedTo: 'Sam',
        }),
      );
      await log.call(
        'RFC 3339 variants are accepted and normalised',
        a.jobs.create({
          customerId: c.id,
          title: 'Odd clocks',
          scheduledStart: '2026-03-03t08:00:00+02:00',
          scheduledEnd: '2026-03-03 09:00:00z',
        }),
        (x) => [x.scheduledStart, x.scheduledEnd],
      );
      await log.call(
        'not RFC 3339 (no zone)',
        a.jobs.create({
          customerId: c.id,
          title: 'No zone',
          scheduledStart: '2026-03-03T08:00:00',
          scheduledEnd: '2026-03-03T09:00:00Z',
        }),
      );
      await log.call(
        'end before start',
        a.jobs.create({
          customerId: c.id,
          title: 'Bad',
          scheduledStart: '2026-03-02T17:00:00Z',
          scheduledEnd: '2026-03-02T14:00:00Z',
        }),
      );
      await log.call(
        'foreign customer',
        a.jobs.create({
          customerId: foreign.id,
          title: 'Sneaky',
          scheduledStart: '2026-03-02T14:00:00Z',
          scheduledEnd: '2026-03-02T17:00:00Z',
        }),
      );
      await log.call(
        'update status',
        a.jobs.update(j!.id, { status: 'in_progress', description: 'Bring the big wrench' }),
        (x) => [x.status, x.description],
      );
      await log.call('reschedule backwards', a.jobs.update(j!.id, { scheduledEnd: '2026-03-01T00:00:00Z' }));
      await log.call('list by status', a.jobs.list({ status: 'in_progress' }), ids);
      await log.call('list by other status', a.jobs.list({ status: 'completed' }), ids);
      await log.call('schedule', a.schedule.get({ from: '2026-03-01T00:00:00Z', to: '2026-03-05T00:00:00Z' }));
      await log.call(
        'schedule other assignee',
        a.schedule.get({ from: '2026-03-01T00:00:00Z', to: '2026-03-05T00:00:00Z', assignedTo: 'Kim' }),
        (s) => s.data.length,
      );
      await log.call('schedule too wide', a.schedule.get({ from: '2026-01-01T00:00:00Z', to: '2026-06-01T00:00:00Z' }));
      await log.call('schedule reversed', a.schedule.get({ from: '2026-03-05T00:00:00Z', to: '2026-03-01T00:00:00Z' }));
      await log.call(
        'B schedule',
        b.schedule.get({ from: '2026-03-01T00:00:00Z', to: '2026-03-05T00:00:00Z' }),
        (s) => s.data.length,
      );
      await log.call('B get job', b.jobs.get(j!.id));
      await log.call('customer with a job cannot be deleted', a.customers.delete(c.id));
      await log.call('delete job', a.jobs.delete(j!.id));
      await log.call('now the customer can go', a.customers.delete(c.id));
      await log.call('gone', a.customers.get(c.id));
    },
  },
  {
    name: 'quotes: draft → sent → accepted → converted, and what each state refuses',
    async run({ a, b }, log) {
      const c = (await a.customers.create({ name: 'Quoted', email: 'quoted@example.com' }))!;
      const q = await log.call(
        'create',
        a.quotes.create({
          customerId: c.id,
          lineItems: [line('50 gal water heater', 1, 89900), line('Labour (hours)', 3, 9500)],
          validUntil: '2026-04-01',
          notes: 'Includes disposal',
        }),
      );
      await log.call('send', a.quotes.update(q!.id, { status: 'sent' }), (x) => x.status);
      await log.call('convert before accept', a.quotes.convert(q!.id));
      await log.call('B accept', b.quotes.accept(q!.id));
      await log.call('accept', a.quotes.accept(q!.id), (x) => [x.status, typeof x.acceptedAt]);
      await log.call('accept again', a.quotes.accept(q!.id));
      await log.call('edit accepted', a.quotes.update(q!.id, { notes: 'changed' }));
      const inv = await log.call('convert', a.quotes.convert(q!.id, { dueDate: '2026-04-30' }));
      await log.call('quote after convert', a.quotes.get(q!.id), (x) => [x.status, x.invoiceId === inv!.id]);
      await log.call('convert again', a.quotes.convert(q!.id));
      await log.call('delete converted', a.quotes.delete(q!.id));
      const draft = (await a.quotes.create({ customerId: c.id, lineItems: [line('Inspection', 1, 5000)] }))!;
      await log.call('decline', a.quotes.update(draft.id, { status: 'declined' }), (x) => x.status);
      await log.call('list declined', a.quotes.list({ status: 'declined' }), ids);
      await log.call('delete declined', a.quotes.delete(draft.id));
      await log.call('list', a.quotes.list({ customerId: c.id }), ids);
      await log.call('no line items', a.quotes.create({ customerId: c.id, lineItems: [] }));
    },
  },
  {
    name: 'invoices and payments: balances, paid, void',
    async run({ a, b }, log) {
      const c = (await a.customers.create({ name: 'Billed', email: 'billed@example.com' }))!;
      const inv = await log.call(
        'create',
        a.invoices.create({
          customerId: c.id,
          lineItems: [line('Drain cleaning', 1, 18000), line('Parts', 2, 1000)],
          dueDate: '2026-03-31',
        }),
      );
      await log.call(
        'pay part',
        a.invoices.payments.create(inv!.id, { amountCents: 5000, method: 'card', reference: 'ch_1' }),
      );
      await log.call('overpay', a.invoices.payments.create(inv!.id, { amountCents: 999999, method: 'cash' }));
      await log.call('B pay', b.invoices.payments.create(inv!.id, { amountCents: 1, method: 'cash' }));
      await log.call('void with payments', a.invoices.update(inv!.id, { status: 'void' }));
      await log.call(
        'pay rest',
        a.invoices.payments.create(inv!.id, {
          amountCents: 15000,
          method: 'check',
          receivedAt: '2026-03-10T12:00:00Z',
        }),
      );
      await log.call('now paid', a.invoices.get(inv!.id), (x) => [x.status, x.paidCents, x.balanceCents]);
      await log.call('payments', a.invoices.payments.list(inv!.id), (p) =>
        p.data.map((x) => [x.amountCents, x.method, x.reference]),
      );
      await log.call('B payments', b.invoices.payments.list(inv!.id));
      const second = (await a.invoices.create({
        customerId: c.id,
        lineItems: [line('Callout', 1, 7500)],
        dueDate: '2026-04-15',
      }))!;
      await log.call('move due date', a.invoices.update(second.id, { dueDate: '2026-05-15' }), (x) => x.dueDate);
      await log.call('void', a.invoices.update(second.id, { status: 'void' }), (x) => x.status);
      await log.call('pay void', a.invoices.payments.create(second.id, { amountCents: 100, method: 'cash' }));
      await log.call('change void', a.invoices.update(second.id, { dueDate: '2026-06-01' }));
      await log.call('list void', a.invoices.list({ status: 'void' }), ids);
      await log.call('summary', a.reports.summary());
      await log.call('B summary', b.reports.summary());
    },
  },
  {
    name: 'search, export and the summary show only the tenant’s own data',
    async run({ a, b }, log) {
      const ca = (await a.customers.create({ name: 'Plumber Pat', email: 'pat@a.example' }))!;
      await b.customers.create({ name: 'Plumber Bea', email: 'bea@b.example' });
      await a.jobs.create({
        customerId: ca.id,
        title: 'Plumbing check',
        scheduledStart: '2026-03-02T14:00:00Z',
        scheduledEnd: '2026-03-02T15:00:00Z',
      });
      await a.quotes.create({ customerId: ca.id, lineItems: [line('Plumbing parts', 2, 1500)], notes: 'plumb' });
      await log.call('A search', a.search.query({ q: 'plumb' }), (r) =>
        r.data.map((x) => [x.type, x.title]).sort((p, q) => p[0]!.localeCompare(q[0]!)),
      );
      await log.call('A search jobs only', a.search.query({ q: 'plumb', type: 'job' }), (r) =>
        r.data.map((x) => x.type),
      );
      await log.call('B search', b.search.query({ q: 'plumb' }), (r) =>
        r.data.map((x) => [x.type, x.title]).sort((p, q) => p[0]!.localeCompare(q[0]!)),
      );
      await log.call('B search for A', b.search.query({ q: 'pat@a.example' }), (r) => r.data.length);
      const records: unknown[] = [];
      for await (const r of a.export.records({ resource: 'customers' })) records.push(r);
      log.note('A export customers', records);
      const jobs: string[] = [];
      for await (const r of a.export.records({ resource: 'jobs' })) jobs.push(r.title);
      log.note('A export jobs', jobs);
      const csv = await a.export.text({ resource: 'customers', format: 'csv' });
      const rows = csv.trim().split(/\r?\n/);
      log.note('A csv', { header: rows[0], rows: rows.length - 1, mentionsB: csv.includes('bea@b.example') });
      const stream = await b.export.stream({ resource: 'customers' });
      let text = '';
      for await (const chunk of stream) text += String(chunk);
      log.note(
        'B ndjson',
        text
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { email: string }).email),
      );
      await log.call('A summary', a.reports.summary());
      await log.call('bad export resource', a.export.text({ resource: 'payments' as 'customers' }));
    },
  },
  {
    name: 'request validation and credentials',
    async run({ a, admin, stranger }, log) {
      await log.call('bad email', a.customers.create({ name: 'X', email: 'not-an-email' }));
      await log.call(
        'unknown field',
        a.customers.create({ name: 'X', email: 'x@example.com', tenantId: RANDOM_ID } as never),
      );
      await log.call('missing field', a.customers.create({ name: 'X' } as never));
      await log.call('empty patch', a.customers.update(RANDOM_ID, {} as never));
      await log.call('bad path id', a.customers.get('not-a-uuid'));
      await log.call('limit 0', a.customers.list({ limit: 0 }));
      await log.call('limit 101', a.jobs.list({ limit: 101 }));
      await log.call('bad status filter', a.jobs.list({ status: 'sleeping' as 'scheduled' }));
      await log.call('search without q', a.search.query({ q: '' }));
      await log.call('stranger', stranger.me.get());
      await log.call('stranger list', stranger.customers.list());
      await log.call('me', a.me.get(), (m) => Object.keys(m).sort());
      await log.call('tenant with bad body', admin.tenants.create({ name: '' }));
      await log.call('tenant', admin.tenants.create({ name: 'Parity Tenant' }), (t) => ({
        name: t.tenant.name,
        keyLooksRight: t.apiKey.startsWith('tpk_'),
      }));
    },
  },
  {
    name: 'the audit log records the tenant’s own requests',
    async run({ a, b }, log) {
      const { data: c, response } = await a.customers
        .create({ name: 'Audited', email: 'audited@example.com' })
        .withResponse();
      await b.customers.get(c.id).catch(() => undefined);
      const mine = await a.auditEvents.list({ requestId: response.requestId! });
      log.note(
        'A event for the create',
        mine.data.map((e) => ({
          method: e.method,
          route: e.route,
          status: e.status,
          touchesCustomer: e.recordIds.includes(c.id),
        })),
      );
      const inB = await b.auditEvents.list({ requestId: response.requestId! });
      log.note('B cannot see it', inB.data.length);
      const bEvents = await b.auditEvents.list({ limit: 100 });
      log.note(
        'B log',
        bEvents.data.map((e) => [e.method, e.route, e.status]),
      );
    },
  },
];
