/** The fake CRM's operation handlers, one per operationId of the spec. */
import type { OperationId } from '../generated/operations.ts';
import type {
  CustomerCreate,
  CustomerUpdate,
  ExportResource,
  InvoiceCreate,
  InvoiceUpdate,
  JobCreate,
  JobUpdate,
  PaymentCreate,
  QuoteConvert,
  QuoteCreate,
  QuoteUpdate,
  SearchResultType,
  TenantCreate,
} from '../types.ts';
import { toIso, type PageRequest, type PageResult, type TenantData } from './tenant-data.ts';

/** What the routes need of the fake CRM that serves them (FakeCrm implements it). */
export interface RouteHost {
  createTenant(name?: string): { tenantId: string; apiKey: string; name: string };
  tenant(tenantId: string): TenantData;
  readonly rateLimit: { requestsPerSecond: number; burst: number };
}

export interface RouteResult {
  status: number;
  body?: unknown;
  raw?: { contentType: string; text: string };
  /** Ids touched but not visible in `body` (export). */
  recordIds?: string[];
  replayed?: boolean;
}

export interface RouteContext {
  params: Record<string, string>;
  /** Validated query, with defaults applied. */
  query: Record<string, unknown>;
  /** Validated body (undefined when the operation has none). */
  body: unknown;
  /** The authenticated tenant (throws 401 for the admin route). */
  readonly tenant: TenantData;
  fake: RouteHost;
  operationId: OperationId;
  page<T>(list: string, fetch: (request: PageRequest) => PageResult<T>): RouteResult;
}

type Route = (ctx: RouteContext) => RouteResult;

const ok = (body: unknown): RouteResult => ({ status: 200, body });
const created = (body: unknown): RouteResult => ({ status: 201, body });
const noContent = (): RouteResult => ({ status: 204 });
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV columns: the resource's own field order, as the CRM writes them. */
const CSV_COLUMNS: Record<ExportResource, string[]> = {
  customers: ['id', 'name', 'email', 'phone', 'address', 'tags', 'createdAt', 'updatedAt'],
  jobs: [
    'id',
    'customerId',
    'customer',
    'title',
    'description',
    'status',
    'scheduledStart',
    'scheduledEnd',
    'assignedTo',
    'address',
    'createdAt',
    'updatedAt',
  ],
  quotes: [
    'id',
    'customerId',
    'status',
    'lineItems',
    'totalCents',
    'validUntil',
    'notes',
    'invoiceId',
    'acceptedAt',
    'createdAt',
    'updatedAt',
  ],
  invoices: [
    'id',
    'customerId',
    'quoteId',
    'status',
    'lineItems',
    'totalCents',
    'paidCents',
    'balanceCents',
    'dueDate',
    'createdAt',
    'updatedAt',
  ],
};

export const ROUTES: Record<OperationId, Route> = {
  createTenant: (ctx) => {
    const { name } = ctx.body as TenantCreate;
    const tenant = ctx.fake.createTenant(name);
    return created({
      tenant: { id: tenant.tenantId, name, createdAt: ctx.fake.tenant(tenant.tenantId).createdAt },
      apiKey: tenant.apiKey,
    });
  },
  getMe: (ctx) => ok({ tenantId: ctx.tenant.tenantId, tenantName: ctx.tenant.name, rateLimit: ctx.fake.rateLimit }),

  createCustomer: (ctx) => created(ctx.tenant.createCustomer(ctx.body as CustomerCreate)),
  listCustomers: (ctx) => {
    const q = str(ctx.query.q);
    return ctx.page(`customers?q=${q ?? ''}`, (r) => ctx.tenant.listCustomers(r, q));
  },
  getCustomer: (ctx) => ok(stripSeq(ctx.tenant.getCustomer(ctx.params.customerId!))),
  updateCustomer: (ctx) => ok(ctx.tenant.updateCustomer(ctx.params.customerId!, ctx.body as CustomerUpdate)),
  deleteCustomer: (ctx) => (ctx.tenant.deleteCustomer(ctx.params.customerId!), noContent()),

  createCustomerNote: (ctx) =>
    created(ctx.tenant.createNote(ctx.params.customerId!, (ctx.body as { body: string }).body)),
  listCustomerNotes: (ctx) =>
    ctx.page(`notes:${ctx.params.customerId}`, (r) => ctx.tenant.listNotes(ctx.params.customerId!, r)),
  getCustomerNote: (ctx) => ok(ctx.tenant.getNote(ctx.params.customerId!, ctx.params.noteId!)),
  deleteCustomerNote: (ctx) => (ctx.tenant.deleteNote(ctx.params.customerId!, ctx.params.noteId!), noContent()),

  createJob: (ctx) => created(ctx.tenant.createJob(ctx.body as JobCreate)),
  listJobs: (ctx) => {
    const filter = { status: str(ctx.query.status), customerId: str(ctx.query.customerId) };
    return ctx.page(`jobs?status=${filter.status ?? ''}&customerId=${filter.customerId ?? ''}`, (r) =>
      ctx.tenant.listJobs(r, filter),
    );
  },
  getJob: (ctx) => ok(stripSeq(ctx.tenant.getJob(ctx.params.jobId!))),
  updateJob: (ctx) => ok(ctx.tenant.updateJob(ctx.params.jobId!, ctx.body as JobUpdate)),
  deleteJob: (ctx) => (ctx.tenant.deleteJob(ctx.params.jobId!), noContent()),
  getSchedule: (ctx) => {
    const from = toIso(String(ctx.query.from));
    const to = toIso(String(ctx.query.to));
    return ok({ from, to, data: ctx.tenant.schedule(from, to, str(ctx.query.assignedTo)) });
  },

  createQuote: (ctx) => created(ctx.tenant.createQuote(ctx.body as QuoteCreate)),
  listQuotes: (ctx) => {
    const filter = { status: str(ctx.query.status), customerId: str(ctx.query.customerId) };
    return ctx.page(`quotes?status=${filter.status ?? ''}&customerId=${filter.customerId ?? ''}`, (r) =>
      ctx.tenant.listQuotes(r, filter),
    );
  },
  getQuote: (ctx) => ok(stripSeq(ctx.tenant.getQuote(ctx.params.quoteId!))),
  updateQuote: (ctx) => ok(ctx.tenant.updateQuote(ctx.params.quoteId!, ctx.body as QuoteUpdate)),
  deleteQuote: (ctx) => (ctx.tenant.deleteQuote(ctx.params.quoteId!), noContent()),
  acceptQuote: (ctx) => ok(ctx.tenant.acceptQuote(ctx.params.quoteId!)),
  convertQuote: (ctx) =>
    created(ctx.tenant.convertQuote(ctx.params.quoteId!, (ctx.body as QuoteConvert | undefined)?.dueDate)),

  createInvoice: (ctx) => created(ctx.tenant.createInvoice(ctx.body as InvoiceCreate)),
  listInvoices: (ctx) => {
    const filter = { status: str(ctx.query.status), customerId: str(ctx.query.customerId) };
    return ctx.page(`invoices?status=${filter.status ?? ''}&customerId=${filter.customerId ?? ''}`, (r) =>
      ctx.tenant.listInvoices(r, filter),
    );
  },
  getInvoice: (ctx) => ok(stripSeq(ctx.tenant.getInvoice(ctx.params.invoiceId!))),
  updateInvoice: (ctx) => ok(ctx.tenant.updateInvoice(ctx.params.invoiceId!, ctx.body as InvoiceUpdate)),
  createPayment: (ctx) => created(ctx.tenant.createPayment(ctx.params.invoiceId!, ctx.body as PaymentCreate)),
  listPayments: (ctx) =>
    ctx.page(`payments:${ctx.params.invoiceId}`, (r) => ctx.tenant.listPayments(ctx.params.invoiceId!, r)),

  search: (ctx) => {
    const q = String(ctx.query.q);
    return ok({
      q,
      data: ctx.tenant.search(q, str(ctx.query.type) as SearchResultType | undefined, Number(ctx.query.limit ?? 20)),
    });
  },
  getReportSummary: (ctx) => ok(ctx.tenant.summary()),
  exportRecords: (ctx) => {
    const resource = ctx.query.resource as ExportResource;
    const format = str(ctx.query.format) ?? 'ndjson';
    const records = ctx.tenant.exportRecords(resource) as Array<Record<string, unknown>>;
    const recordIds = records.map((r) => String(r.id));
    if (format === 'ndjson')
      return {
        status: 200,
        raw: { contentType: 'application/x-ndjson', text: records.map((r) => `${JSON.stringify(r)}\n`).join('') },
        recordIds,
      };
    const header = CSV_COLUMNS[resource];
    const lines = [header.join(','), ...records.map((r) => header.map((k) => csvCell(r[k])).join(','))];
    return { status: 200, raw: { contentType: 'text/csv', text: `${lines.join('\r\n')}\r\n` }, recordIds };
  },
  listAuditEvents: (ctx) => {
    const requestId = str(ctx.query.requestId);
    return ctx.page(`audit?requestId=${requestId ?? ''}`, (r) => ctx.tenant.listAudit(r, requestId));
  },
};

function stripSeq<T extends { seq: number }>(row: T): Omit<T, 'seq'> {
  const { seq: _seq, ...rest } = row;
  return rest;
}
