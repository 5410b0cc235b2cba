/** Customers, notes, jobs, quotes, invoices and payments. */
import type { LineItemInput, PaymentMethod } from '../domain/types.ts';
import { canonicalInstant } from '../domain/instant.ts';
import type { CustomerCreate, CustomerPatch } from '../repositories/customers.ts';
import type { JobCreate, JobPatch } from '../repositories/jobs.ts';
import type { QuoteUpdateInput } from '../services/billing.ts';
import type { Handler } from './route-context.ts';

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export const customerHandlers: Record<string, Handler> = {
  createCustomer: async (ctx) => ({
    status: 201,
    body: await ctx.components.customers.create(ctx.scope, ctx.body as unknown as CustomerCreate),
  }),
  listCustomers: (ctx) => {
    const q = str(ctx.query.q);
    return ctx.page(`customers?q=${q ?? ''}`, (scope, request) =>
      ctx.components.customers.list(scope, { ...request, ...(q !== undefined ? { q } : {}) }),
    );
  },
  getCustomer: async (ctx) => ({
    status: 200,
    body: await ctx.components.customers.get(ctx.scope, ctx.params.customerId!),
  }),
  updateCustomer: async (ctx) => ({
    status: 200,
    body: await ctx.components.customers.update(ctx.scope, ctx.params.customerId!, ctx.body as CustomerPatch),
  }),
  deleteCustomer: async (ctx) => {
    await ctx.components.customers.remove(ctx.scope, ctx.params.customerId!);
    return { status: 204 };
  },
  createCustomerNote: async (ctx) => ({
    status: 201,
    body: await ctx.components.notes.create(ctx.scope, ctx.params.customerId!, String(ctx.body.body)),
  }),
  listCustomerNotes: (ctx) => {
    const customerId = ctx.params.customerId!;
    return ctx.page(`notes:${customerId}`, (scope, request) => ctx.components.notes.list(scope, customerId, request));
  },
  getCustomerNote: async (ctx) => ({
    status: 200,
    body: await ctx.components.notes.get(ctx.scope, ctx.params.customerId!, ctx.params.noteId!),
  }),
  deleteCustomerNote: async (ctx) => {
    await ctx.components.notes.remove(ctx.scope, ctx.params.customerId!, ctx.params.noteId!);
    return { status: 204 };
  },
};

export const jobHandlers: Record<string, Handler> = {
  createJob: async (ctx) => ({
    status: 201,
    body: await ctx.components.jobs.create(ctx.scope, ctx.body as unknown as JobCreate),
  }),
  listJobs: (ctx) => {
    const status = str(ctx.query.status);
    const customerId = str(ctx.query.customerId);
    return ctx.page(`jobs?status=${status ?? ''}&customerId=${customerId ?? ''}`, (scope, request) =>
      ctx.components.jobs.list(scope, {
        ...request,
        ...(status ? { status } : {}),
        ...(customerId ? { customerId } : {}),
      }),
    );
  },
  getJob: async (ctx) => ({ status: 200, body: await ctx.components.jobs.get(ctx.scope, ctx.params.jobId!) }),
  updateJob: async (ctx) => ({
    status: 200,
    body: await ctx.components.jobs.update(ctx.scope, ctx.params.jobId!, ctx.body as JobPatch),
  }),
  deleteJob: async (ctx) => {
    await ctx.components.jobs.remove(ctx.scope, ctx.params.jobId!);
    return { status: 204 };
  },
  getSchedule: async (ctx) => {
    const from = canonicalInstant(String(ctx.query.from));
    const to = canonicalInstant(String(ctx.query.to));
    const assignedTo = str(ctx.query.assignedTo);
    const data = await ctx.components.jobs.schedule(ctx.scope, { from, to, ...(assignedTo ? { assignedTo } : {}) });
    return { status: 200, body: { from, to, data } };
  },
};

export const billingHandlers: Record<string, Handler> = {
  createQuote: async (ctx) => ({
    status: 201,
    body: await ctx.components.quotes.create(ctx.scope, {
      customerId: String(ctx.body.customerId),
      lineItems: ctx.body.lineItems as LineItemInput[],
      ...(str(ctx.body.validUntil) ? { validUntil: str(ctx.body.validUntil)! } : {}),
      ...(str(ctx.body.notes) !== undefined ? { notes: str(ctx.body.notes)! } : {}),
    }),
  }),
  listQuotes: (ctx) => {
    const status = str(ctx.query.status);
    const customerId = str(ctx.query.customerId);
    return ctx.page(`quotes?status=${status ?? ''}&customerId=${customerId ?? ''}`, (scope, request) =>
      ctx.components.quotes.list(scope, {
        ...request,
        ...(status ? { status } : {}),
        ...(customerId ? { customerId } : {}),
      }),
    );
  },
  getQuote: async (ctx) => ({ status: 200, body: await ctx.components.quotes.get(ctx.scope, ctx.params.quoteId!) }),
  updateQuote: async (ctx) => ({
    status: 200,
    body: await ctx.components.quotes.update(ctx.scope, ctx.params.quoteId!, ctx.body as QuoteUpdateInput),
  }),
  deleteQuote: async (ctx) => {
    await ctx.components.quotes.remove(ctx.scope, ctx.params.quoteId!);
    return { status: 204 };
  },
  acceptQuote: async (ctx) => ({
    status: 200,
    body: await ctx.components.quotes.accept(ctx.scope, ctx.params.quoteId!),
  }),
  convertQuote: async (ctx) => {
    const dueDate = str(ctx.body.dueDate);
    return {
      status: 201,
      body: await ctx.components.quotes.convert(ctx.scope, ctx.params.quoteId!, dueDate ? { dueDate } : {}),
    };
  },
  createInvoice: async (ctx) => ({
    status: 201,
    body: await ctx.components.invoices.create(ctx.scope, {
      customerId: String(ctx.body.customerId),
      lineItems: ctx.body.lineItems as LineItemInput[],
      dueDate: String(ctx.body.dueDate),
    }),
  }),
  listInvoices: (ctx) => {
    const status = str(ctx.query.status);
    const customerId = str(ctx.query.customerId);
    return ctx.page(`invoices?status=${status ?? ''}&customerId=${customerId ?? ''}`, (scope, request) =>
      ctx.components.invoices.list(scope, {
        ...request,
        ...(status ? { status } : {}),
        ...(customerId ? { customerId } : {}),
      }),
    );
  },
  getInvoice: async (ctx) => ({
    status: 200,
    body: await ctx.components.invoices.get(ctx.scope, ctx.params.invoiceId!),
  }),
  updateInvoice: async (ctx) => ({
    status: 200,
    body: await ctx.components.invoices.update(
      ctx.scope,
      ctx.params.invoiceId!,
      ctx.body as { dueDate?: string; status?: 'void' },
    ),
  }),
  createPayment: async (ctx) => ({
    status: 201,
    body: await ctx.components.invoices.pay(ctx.scope, ctx.params.invoiceId!, {
      amountCents: Number(ctx.body.amountCents),
      method: ctx.body.method as PaymentMethod,
      ...(str(ctx.body.receivedAt) ? { receivedAt: str(ctx.body.receivedAt)! } : {}),
      ...(str(ctx.body.reference) ? { reference: str(ctx.body.reference)! } : {}),
    }),
  }),
  listPayments: (ctx) => {
    const invoiceId = ctx.params.invoiceId!;
    return ctx.page(`payments:${invoiceId}`, (scope, request) =>
      ctx.components.invoices.payments(scope, invoiceId, request),
    );
  },
};
