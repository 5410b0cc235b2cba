/**
 * One tenant's records in the fake CRM, and the business rules of the reference CRM applied to
 * them (email uniqueness, referential 404s, quote states, invoice balances). A TenantData only ever
 * holds its own tenant's rows, so isolation in the fake is structural.
 */
import { randomUUID } from 'node:crypto';
import type {
  AuditEvent,
  Customer,
  CustomerCreate,
  CustomerUpdate,
  Invoice,
  InvoiceCreate,
  InvoiceUpdate,
  Job,
  JobCreate,
  JobUpdate,
  LineItem,
  LineItemInput,
  Note,
  Payment,
  PaymentCreate,
  Quote,
  QuoteCreate,
  QuoteUpdate,
  ReportSummary,
  SearchResult,
  SearchResultType,
} from '../types.ts';
import { problems } from './problems.ts';

/** Every stored row carries a sequence number: lists are newest first by it, exports oldest first. */
export type Stored<T> = T & { seq: number };

export interface PageRequest {
  limit: number;
  /** Rows with seq below this (the decoded cursor), or null for the first page. */
  after: number | null;
}

export interface PageResult<T> {
  items: Stored<T>[];
  /** The seq to continue after, when there is a next page. */
  nextPosition: number | null;
}

const EDITABLE_QUOTE_STATES = new Set(['draft', 'sent']);
export const MAX_SCHEDULE_WINDOW_DAYS = 92;

function now(): string {
  return new Date().toISOString();
}

/** RFC 3339 → canonical ISO, as PostgreSQL normalises it (a leap second rolls into the next minute). */
export function toIso(value: string): string {
  const direct = Date.parse(value);
  if (!Number.isNaN(direct)) return new Date(direct).toISOString();
  const leap = Date.parse(value.replace(/:60(?=[.zZ+-]|$)/, ':59'));
  if (!Number.isNaN(leap)) return new Date(leap + 1000).toISOString();
  return value;
}

function page<T>(
  rows: Iterable<Stored<T>>,
  request: PageRequest,
  filter: (row: Stored<T>) => boolean = () => true,
): PageResult<T> {
  const after = request.after ?? Number.MAX_SAFE_INTEGER;
  const sorted = [...rows].filter((r) => r.seq < after && filter(r)).sort((a, b) => b.seq - a.seq);
  const items = sorted.slice(0, request.limit);
  return { items, nextPosition: sorted.length > request.limit ? items[items.length - 1]!.seq : null };
}

export function strip<T>(row: Stored<T>): T {
  const { seq: _seq, ...rest } = row;
  return rest as T;
}

function price(items: readonly LineItemInput[]): { lineItems: LineItem[]; totalCents: number } {
  const lineItems = items.map((i) => ({
    description: i.description,
    quantity: i.quantity,
    unitPriceCents: i.unitPriceCents,
    amountCents: i.quantity * i.unitPriceCents,
  }));
  return { lineItems, totalCents: lineItems.reduce((sum, i) => sum + i.amountCents, 0) };
}

export class TenantData {
  readonly customers = new Map<string, Stored<Customer>>();
  readonly notes = new Map<string, Stored<Note>>();
  readonly jobs = new Map<string, Stored<Job>>();
  readonly quotes = new Map<string, Stored<Quote>>();
  readonly invoices = new Map<string, Stored<Invoice>>();
  readonly payments = new Map<string, Stored<Payment>>();
  readonly audit = new Map<string, Stored<AuditEvent>>();
  /** Idempotency-Key → the stored response of the first request that used it. */
  readonly idempotency = new Map<string, { hash: string; status: number; body: string }>();
  readonly createdAt = now();

  constructor(
    readonly tenantId: string,
    readonly name: string,
    private readonly nextSeq: () => number,
  ) {}

  // customers ----------------------------------------------------------------------------------
  private emailOwner(email: string, exceptId?: string): Customer | undefined {
    const wanted = email.toLowerCase();
    for (const c of this.customers.values()) if (c.email.toLowerCase() === wanted && c.id !== exceptId) return c;
    return undefined;
  }

  private emailConflict(owner: Customer) {
    return problems.conflict(`A customer with this email already exists: ${owner.name} (${owner.id}).`);
  }

  getCustomer(id: string): Stored<Customer> {
    const found = this.customers.get(id);
    if (!found) throw problems.notFound('customer');
    return found;
  }

  createCustomer(input: CustomerCreate): Customer {
    const owner = this.emailOwner(input.email);
    if (owner) throw this.emailConflict(owner);
    const at = now();
    const row: Stored<Customer> = {
      seq: this.nextSeq(),
      id: randomUUID(),
      name: input.name,
      email: input.email,
      phone: input.phone ?? null,
      address: input.address ?? null,
      tags: input.tags ?? [],
      createdAt: at,
      updatedAt: at,
    };
    this.customers.set(row.id, row);
    return strip(row);
  }

  listCustomers(request: PageRequest, q?: string): PageResult<Customer> {
    const needle = q?.toLowerCase();
    return page(
      this.customers.values(),
      request,
      (c) => needle === undefined || c.name.toLowerCase().includes(needle) || c.email.toLowerCase().includes(needle),
    );
  }

  updateCustomer(id: string, patch: CustomerUpdate): Customer {
    if (patch.email !== undefined) {
      const owner = this.emailOwner(patch.email, id);
      if (owner) throw this.emailConflict(owner);
    }
    const current = this.getCustomer(id);
    const next: Stored<Customer> = { ...current, ...definedOnly(patch), updatedAt: now() };
    this.customers.set(id, next);
    for (const job of this.jobs.values()) if (job.customerId === id) job.customer = { id, name: next.name };
    return strip(next);
  }

  deleteCustomer(id: string): void {
    this.getCustomer(id);
    const referenced = [...this.jobs.values(), ...this.quotes.values(), ...this.invoices.values()].some(
      (r) => r.customerId === id,
    );
    if (referenced) throw problems.conflict('The customer still has jobs, quotes or invoices.');
    this.customers.delete(id);
    for (const [noteId, note] of this.notes) if (note.customerId === id) this.notes.delete(noteId);
  }

  // notes --------------------------------------------------------------------------------------
  createNote(customerId: string, body: string): Note {
    this.getCustomer(customerId);
    const row: Stored<Note> = { seq: this.nextSeq(), id: randomUUID(), customerId, body, createdAt: now() };
    this.notes.set(row.id, row);
    return strip(row);
  }

  getNote(customerId: string, id: string): Note {
    const found = this.notes.get(id);
    if (!found || found.customerId !== customerId) throw problems.notFound('note');
    return strip(found);
  }

  listNotes(customerId: string, request: PageRequest): PageResult<Note> {
    this.getCustomer(customerId);
    return page(this.notes.values(), request, (n) => n.customerId === customerId);
  }

  deleteNote(customerId: string, id: string): void {
    this.getNote(customerId, id);
    this.notes.delete(id);
  }

  // jobs ---------------------------------------------------------------------------------------
  private assertWindow(start: string, end: string): void {
    if (Date.parse(toIso(end)) <= Date.parse(toIso(start)))
      throw problems.unprocessable('scheduledEnd must be after scheduledStart.');
  }

  getJob(id: string): Stored<Job> {
    const found = this.jobs.get(id);
    if (!found) throw problems.notFound('job');
    return found;
  }

  createJob(input: JobCreate): Job {
    this.assertWindow(input.scheduledStart, input.scheduledEnd);
    const customer = this.getCustomer(input.customerId);
    const at = now();
    const row: Stored<Job> = {
      seq: this.nextSeq(),
      id: randomUUID(),
      customerId: customer.id,
      customer: { id: customer.id, name: customer.name },
      title: input.title,
      description: input.description ?? null,
      status: input.status ?? 'scheduled',
      scheduledStart: toIso(input.scheduledStart),
      scheduledEnd: toIso(input.scheduledEnd),
      assignedTo: input.assignedTo ?? null,
      address: input.address ?? null,
      createdAt: at,
      updatedAt: at,
    };
    this.jobs.set(row.id, row);
    return strip(row);
  }

  listJobs(
    request: PageRequest,
    filter: { status?: string | undefined; customerId?: string | undefined },
  ): PageResult<Job> {
    return page(
      this.jobs.values(),
      request,
      (j) =>
        (filter.status === undefined || j.status === filter.status) &&
        (filter.customerId === undefined || j.customerId === filter.customerId),
    );
  }

  updateJob(id: string, patch: JobUpdate): Job {
    const current = this.getJob(id);
    this.assertWindow(patch.scheduledStart ?? current.scheduledStart, patch.scheduledEnd ?? current.scheduledEnd);
    const next: Stored<Job> = { ...current, ...definedOnly(patch), updatedAt: now() };
    if (patch.scheduledStart) next.scheduledStart = toIso(patch.scheduledStart);
    if (patch.scheduledEnd) next.scheduledEnd = toIso(patch.scheduledEnd);
    this.jobs.set(id, next);
    return strip(next);
  }

  deleteJob(id: string): void {
    this.getJob(id);
    this.jobs.delete(id);
  }

  schedule(from: string, to: string, assignedTo?: string): Job[] {
    const f = Date.parse(toIso(from));
    const t = Date.parse(toIso(to));
    if (!(f < t)) throw problems.unprocessable('from must be before to.');
    if (t - f > MAX_SCHEDULE_WINDOW_DAYS * 86_400_000)
      throw problems.unprocessable(`The window is at most ${MAX_SCHEDULE_WINDOW_DAYS} days.`);
    return [...this.jobs.values()]
      .filter(
        (j) =>
          Date.parse(j.scheduledStart) < t &&
          Date.parse(j.scheduledEnd) > f &&
          (assignedTo === undefined || j.assignedTo === assignedTo),
      )
      .sort((a, b) => Date.parse(a.scheduledStart) - Date.parse(b.scheduledStart) || a.seq - b.seq)
      .map(strip);
  }

  // quotes -------------------------------------------------------------------------------------
  getQuote(id: string): Stored<Quote> {
    const found = this.quotes.get(id);
    if (!found) throw problems.notFound('quote');
    return found;
  }

  createQuote(input: QuoteCreate): Quote {
    this.getCustomer(input.customerId);
    const at = now();
    const row: Stored<Quote> = {
      seq: this.nextSeq(),
      id: randomUUID(),
      customerId: input.customerId,
      status: 'draft',
      ...price(input.lineItems),
      validUntil: input.validUntil ?? null,
      notes: input.notes ?? null,
      invoiceId: null,
      acceptedAt: null,
      createdAt: at,
      updatedAt: at,
    };
    this.quotes.set(row.id, row);
    return strip(row);
  }

  listQuotes(
    request: PageRequest,
    filter: { status?: string | undefined; customerId?: string | undefined },
  ): PageResult<Quote> {
    return page(
      this.quotes.values(),
      request,
      (q) =>
        (filter.status === undefined || q.status === filter.status) &&
        (filter.customerId === undefined || q.customerId === filter.customerId),
    );
  }

  updateQuote(id: string, patch: QuoteUpdate): Quote {
    const current = this.getQuote(id);
    if (!EDITABLE_QUOTE_STATES.has(current.status))
      throw problems.conflict(`A ${current.status} quote cannot be changed.`);
    const { lineItems, ...rest } = patch;
    const next: Stored<Quote> = {
      ...current,
      ...definedOnly(rest),
      ...(lineItems ? price(lineItems) : {}),
      updatedAt: now(),
    };
    this.quotes.set(id, next);
    return strip(next);
  }

  deleteQuote(id: string): void {
    const current = this.getQuote(id);
    if (current.status === 'converted') throw problems.conflict('A converted quote cannot be deleted.');
    this.quotes.delete(id);
  }

  acceptQuote(id: string): Quote {
    const current = this.getQuote(id);
    if (!EDITABLE_QUOTE_STATES.has(current.status))
      throw problems.conflict(`A ${current.status} quote cannot be accepted.`);
    const at = now();
    const next: Stored<Quote> = { ...current, status: 'accepted', acceptedAt: at, updatedAt: at };
    this.quotes.set(id, next);
    return strip(next);
  }

  convertQuote(id: string, dueDate?: string): Invoice {
    const current = this.getQuote(id);
    if (current.status !== 'accepted')
      throw problems.conflict(`Only an accepted quote can be converted; this one is ${current.status}.`);
    const invoice = this.insertInvoice({
      customerId: current.customerId,
      quoteId: current.id,
      lineItems: current.lineItems,
      totalCents: current.totalCents,
      dueDate: dueDate ?? new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
    });
    this.quotes.set(id, { ...current, status: 'converted', invoiceId: invoice.id, updatedAt: now() });
    return invoice;
  }

  // invoices and payments ----------------------------------------------------------------------
  getInvoice(id: string): Stored<Invoice> {
    const found = this.invoices.get(id);
    if (!found) throw problems.notFound('invoice');
    return found;
  }

  private insertInvoice(input: {
    customerId: string;
    quoteId: string | null;
    lineItems: LineItem[];
    totalCents: number;
    dueDate: string;
  }): Invoice {
    const at = now();
    const row: Stored<Invoice> = {
      seq: this.nextSeq(),
      id: randomUUID(),
      ...input,
      status: 'open',
      paidCents: 0,
      balanceCents: input.totalCents,
      createdAt: at,
      updatedAt: at,
    };
    this.invoices.set(row.id, row);
    return strip(row);
  }

  createInvoice(input: InvoiceCreate): Invoice {
    this.getCustomer(input.customerId);
    return this.insertInvoice({
      customerId: input.customerId,
      quoteId: null,
      ...price(input.lineItems),
      dueDate: input.dueDate,
    });
  }

  listInvoices(
    request: PageRequest,
    filter: { status?: string | undefined; customerId?: string | undefined },
  ): PageResult<Invoice> {
    return page(
      this.invoices.values(),
      request,
      (i) =>
        (filter.status === undefined || i.status === filter.status) &&
        (filter.customerId === undefined || i.customerId === filter.customerId),
    );
  }

  updateInvoice(id: string, patch: InvoiceUpdate): Invoice {
    const current = this.getInvoice(id);
    if (patch.status === 'void' && current.status !== 'void' && current.paidCents > 0)
      throw problems.conflict('An invoice with payments cannot be voided.');
    if (current.status === 'void' && patch.dueDate !== undefined)
      throw problems.conflict('A void invoice cannot be changed.');
    const next: Stored<Invoice> = { ...current, ...definedOnly(patch), updatedAt: now() };
    this.invoices.set(id, next);
    return strip(next);
  }

  createPayment(invoiceId: string, input: PaymentCreate): Payment {
    const invoice = this.getInvoice(invoiceId);
    if (invoice.status === 'void') throw problems.conflict('A void invoice cannot take payments.');
    if (input.amountCents > invoice.balanceCents)
      throw problems.unprocessable(`The payment exceeds the balance of ${invoice.balanceCents} cents.`);
    const at = now();
    const row: Stored<Payment> = {
      seq: this.nextSeq(),
      id: randomUUID(),
      invoiceId,
      amountCents: input.amountCents,
      method: input.method,
      receivedAt: input.receivedAt ? toIso(input.receivedAt) : at,
      reference: input.reference ?? null,
      createdAt: at,
    };
    this.payments.set(row.id, row);
    const paidCents = invoice.paidCents + input.amountCents;
    this.invoices.set(invoiceId, {
      ...invoice,
      paidCents,
      balanceCents: invoice.totalCents - paidCents,
      ...(paidCents === invoice.totalCents ? { status: 'paid' as const } : {}),
      updatedAt: at,
    });
    return strip(row);
  }

  listPayments(invoiceId: string, request: PageRequest): PageResult<Payment> {
    this.getInvoice(invoiceId);
    return page(this.payments.values(), request, (p) => p.invoiceId === invoiceId);
  }

  // cross-resource views ----------------------------------------------------------------------
  search(q: string, type: SearchResultType | undefined, limit: number): SearchResult[] {
    const needle = q.toLowerCase();
    const docs: Array<SearchResult & { seq: number; haystack: string }> = [];
    const items = (lineItems: LineItem[], sep: string) => lineItems.map((i) => i.description).join(sep);
    for (const c of this.customers.values())
      docs.push({
        type: 'customer',
        id: c.id,
        seq: c.seq,
        title: c.name,
        snippet: c.email,
        haystack: `${c.name} ${c.email}`,
      });
    for (const j of this.jobs.values())
      docs.push({
        type: 'job',
        id: j.id,
        seq: j.seq,
        title: j.title,
        snippet: j.description ?? j.title,
        haystack: `${j.title} ${j.description ?? ''}`,
      });
    for (const x of this.quotes.values())
      docs.push({
        type: 'quote',
        id: x.id,
        seq: x.seq,
        title: `Quote ${x.id.slice(0, 8)}`,
        snippet: items(x.lineItems, '; '),
        haystack: `${items(x.lineItems, ' ')} ${x.notes ?? ''}`,
      });
    for (const i of this.invoices.values())
      docs.push({
        type: 'invoice',
        id: i.id,
        seq: i.seq,
        title: `Invoice ${i.id.slice(0, 8)}`,
        snippet: items(i.lineItems, '; '),
        haystack: items(i.lineItems, ' '),
      });
    return docs
      .filter((d) => d.haystack.toLowerCase().includes(needle) && (type === undefined || d.type === type))
      .sort(
        (a, b) =>
          Number(b.title.toLowerCase().includes(needle)) - Number(a.title.toLowerCase().includes(needle)) ||
          b.seq - a.seq,
      )
      .slice(0, limit)
      .map((d) => ({ type: d.type, id: d.id, title: d.title, snippet: d.snippet.slice(0, 200) }));
  }

  summary(): ReportSummary {
    const quotes = [...this.quotes.values()];
    const invoices = [...this.invoices.values()];
    const live = invoices.filter((i) => i.status !== 'void');
    const invoicedCents = live.reduce((s, i) => s + i.totalCents, 0);
    const paidCents = live.reduce((s, i) => s + i.paidCents, 0);
    return {
      customers: this.customers.size,
      jobs: this.jobs.size,
      quotes: quotes.length,
      invoices: invoices.length,
      quotedCents: quotes.filter((q) => q.status !== 'declined').reduce((s, q) => s + q.totalCents, 0),
      invoicedCents,
      paidCents,
      outstandingCents: invoicedCents - paidCents,
    };
  }

  /** Every record of one resource, oldest first. */
  exportRecords(resource: 'customers' | 'jobs' | 'quotes' | 'invoices'): object[] {
    const rows: Array<Stored<object>> = [...this[resource].values()];
    return rows.sort((a, b) => a.seq - b.seq).map(strip);
  }

  recordAudit(event: Omit<AuditEvent, 'id' | 'tenantId' | 'occurredAt'>): void {
    const row: Stored<AuditEvent> = {
      seq: this.nextSeq(),
      id: randomUUID(),
      tenantId: this.tenantId,
      occurredAt: now(),
      ...event,
    };
    this.audit.set(row.id, row);
  }

  listAudit(request: PageRequest, requestId?: string): PageResult<AuditEvent> {
    return page(this.audit.values(), request, (e) => requestId === undefined || e.requestId === requestId);
  }
}

/** A PATCH body without its undefined members (JSON never has them, but typed callers might). */
function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
