/** Quote, invoice and payment operations: the money rules. */
import { ConflictError, NotFoundError, UnprocessableError } from '../http/errors.ts';
import {
  priceLineItems,
  type Invoice,
  type LineItemInput,
  type Payment,
  type PaymentMethod,
  type Quote,
} from '../domain/types.ts';
import * as customers from '../repositories/customers.ts';
import * as invoices from '../repositories/invoices.ts';
import * as quotes from '../repositories/quotes.ts';
import type { Page } from '../repositories/rows.ts';
import type { TenantScope } from '../tenancy/tenant-scope.ts';
import { stripSeq, type ListRequest } from './paging.ts';

export interface QuoteCreateInput {
  customerId: string;
  lineItems: LineItemInput[];
  validUntil?: string;
  notes?: string;
}

export interface QuoteUpdateInput {
  lineItems?: LineItemInput[];
  validUntil?: string | null;
  notes?: string | null;
  status?: 'draft' | 'sent' | 'declined';
}

export interface QuoteOperations {
  create(scope: TenantScope, input: QuoteCreateInput): Promise<Quote>;
  get(scope: TenantScope, id: string): Promise<Quote>;
  list(scope: TenantScope, request: ListRequest & { status?: string; customerId?: string }): Promise<Page<Quote>>;
  update(scope: TenantScope, id: string, patch: QuoteUpdateInput): Promise<Quote>;
  remove(scope: TenantScope, id: string): Promise<void>;
  accept(scope: TenantScope, id: string): Promise<Quote>;
  convert(scope: TenantScope, id: string, input: { dueDate?: string }): Promise<Invoice>;
}

export interface InvoiceOperations {
  create(
    scope: TenantScope,
    input: { customerId: string; lineItems: LineItemInput[]; dueDate: string },
  ): Promise<Invoice>;
  get(scope: TenantScope, id: string): Promise<Invoice>;
  list(scope: TenantScope, request: ListRequest & { status?: string; customerId?: string }): Promise<Page<Invoice>>;
  update(scope: TenantScope, id: string, patch: { dueDate?: string; status?: 'void' }): Promise<Invoice>;
  pay(
    scope: TenantScope,
    id: string,
    input: { amountCents: number; method: PaymentMethod; receivedAt?: string; reference?: string },
  ): Promise<Payment>;
  payments(scope: TenantScope, id: string, request: ListRequest): Promise<Page<Payment>>;
}

const EDITABLE_QUOTE_STATES = new Set(['draft', 'sent']);

function defaultDueDate(): string {
  return new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
}

export function createQuoteOperations(): QuoteOperations {
  return {
    create: (scope, input) =>
      scope.run(async (tx) => {
        if (!(await customers.lockCustomer(tx, input.customerId))) throw new NotFoundError('customer');
        const priced = priceLineItems(input.lineItems);
        return quotes.insertQuote(tx, { ...input, ...priced });
      }),
    async get(scope, id) {
      const found = await scope.run((tx) => quotes.findQuote(tx, id));
      if (!found) throw new NotFoundError('quote');
      return found;
    },
    async list(scope, request) {
      return stripSeq(await scope.run((tx) => quotes.listQuotes(tx, request)));
    },
    update: (scope, id, patch) =>
      scope.run(async (tx) => {
        const current = await quotes.findQuote(tx, id, { forUpdate: true });
        if (!current) throw new NotFoundError('quote');
        if (!EDITABLE_QUOTE_STATES.has(current.status))
          throw new ConflictError(`A ${current.status} quote cannot be changed.`);
        const { lineItems, ...rest } = patch;
        const updated = await quotes.updateQuote(tx, id, { ...rest, ...(lineItems ? priceLineItems(lineItems) : {}) });
        if (!updated) throw new NotFoundError('quote');
        return updated;
      }),
    remove: (scope, id) =>
      scope.run(async (tx) => {
        const current = await quotes.findQuote(tx, id, { forUpdate: true });
        if (!current) throw new NotFoundError('quote');
        if (current.status === 'converted') throw new ConflictError('A converted quote cannot be deleted.');
        await quotes.deleteQuote(tx, id);
      }),
    accept: (scope, id) =>
      scope.run(async (tx) => {
        const current = await quotes.findQuote(tx, id, { forUpdate: true });
        if (!current) throw new NotFoundError('quote');
        if (!EDITABLE_QUOTE_STATES.has(current.status))
          throw new ConflictError(`A ${current.status} quote cannot be accepted.`);
        const updated = await quotes.updateQuote(tx, id, { status: 'accepted', acceptedAt: new Date().toISOString() });
        if (!updated) throw new NotFoundError('quote');
        return updated;
      }),
    convert: (scope, id, input) =>
      scope.run(async (tx) => {
        const current = await quotes.findQuote(tx, id, { forUpdate: true });
        if (!current) throw new NotFoundError('quote');
        if (current.status !== 'accepted')
          throw new ConflictError(`Only an accepted quote can be converted; this one is ${current.status}.`);
        const invoice = await invoices.insertInvoice(tx, {
          customerId: current.customerId,
          quoteId: current.id,
          lineItems: current.lineItems,
          totalCents: current.totalCents,
          dueDate: input.dueDate ?? defaultDueDate(),
        });
        await quotes.updateQuote(tx, id, { status: 'converted', invoiceId: invoice.id });
        return invoice;
      }),
  };
}

export function createInvoiceOperations(): InvoiceOperations {
  return {
    create: (scope, input) =>
      scope.run(async (tx) => {
        if (!(await customers.lockCustomer(tx, input.customerId))) throw new NotFoundError('customer');
        return invoices.insertInvoice(tx, {
          customerId: input.customerId,
          dueDate: input.dueDate,
          ...priceLineItems(input.lineItems),
        });
      }),
    async get(scope, id) {
      const found = await scope.run((tx) => invoices.findInvoice(tx, id));
      if (!found) throw new NotFoundError('invoice');
      return found;
    },
    async list(scope, request) {
      return stripSeq(await scope.run((tx) => invoices.listInvoices(tx, request)));
    },
    update: (scope, id, patch) =>
      scope.run(async (tx) => {
        const current = await invoices.findInvoice(tx, id, { forUpdate: true });
        if (!current) throw new NotFoundError('invoice');
        if (patch.status === 'void' && current.status !== 'void' && current.paidCents > 0) {
          throw new ConflictError('An invoice with payments cannot be voided.');
        }
        if (current.status === 'void' && patch.dueDate !== undefined)
          throw new ConflictError('A void invoice cannot be changed.');
        const updated = await invoices.updateInvoice(tx, id, patch);
        if (!updated) throw new NotFoundError('invoice');
        return updated;
      }),
    pay: (scope, id, input) =>
      scope.run(async (tx) => {
        const current = await invoices.findInvoice(tx, id, { forUpdate: true });
        if (!current) throw new NotFoundError('invoice');
        if (current.status === 'void') throw new ConflictError('A void invoice cannot take payments.');
        if (input.amountCents > current.balanceCents) {
          throw new UnprocessableError(`The payment exceeds the balance of ${current.balanceCents} cents.`);
        }
        const payment = await invoices.insertPayment(tx, { invoiceId: id, ...input });
        const paidCents = current.paidCents + input.amountCents;
        await invoices.updateInvoice(tx, id, {
          paidCents,
          ...(paidCents === current.totalCents ? { status: 'paid' as const } : {}),
        });
        return payment;
      }),
    payments: (scope, id, request) =>
      scope.run(async (tx) => {
        if (!(await invoices.findInvoice(tx, id))) throw new NotFoundError('invoice');
        return stripSeq(await invoices.listPayments(tx, id, request));
      }),
  };
}
