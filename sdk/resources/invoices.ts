/** /v1/invoices and /v1/invoices/{invoiceId}/payments */
import type { APIPromise } from '../core/api-promise.ts';
import type { PagePromise } from '../core/pagination.ts';
import { encodePath, type RequestOptions } from '../core/transport.ts';
import { InvoiceListSchema, InvoiceSchema, PaymentListSchema, PaymentSchema } from '../generated/zod.ts';
import type {
  Invoice,
  InvoiceCreate,
  InvoiceListParams,
  InvoiceUpdate,
  Payment,
  PaymentCreate,
  PaymentListParams,
} from '../types.ts';
import { APIResource, asQuery } from './resource.ts';

export class InvoicePayments extends APIResource {
  /** Records a payment; 422 if it exceeds the balance, 409 if the invoice is void. */
  create(invoiceId: string, body: PaymentCreate, options?: RequestOptions): APIPromise<Payment> {
    const path = encodePath('/v1/invoices/{invoiceId}/payments', { invoiceId });
    return this.transport.request(
      { operation: 'createPayment', method: 'post', path, body, schema: PaymentSchema, schemaName: 'Payment' },
      options,
    );
  }

  list(invoiceId: string, params?: PaymentListParams, options?: RequestOptions): PagePromise<Payment> {
    const path = encodePath('/v1/invoices/{invoiceId}/payments', { invoiceId });
    return this.paginate<Payment>('listPayments', path, asQuery(params), PaymentListSchema, 'PaymentList', options);
  }
}

export class Invoices extends APIResource {
  readonly payments = new InvoicePayments(this.transport);

  create(body: InvoiceCreate, options?: RequestOptions): APIPromise<Invoice> {
    return this.transport.request(
      {
        operation: 'createInvoice',
        method: 'post',
        path: '/v1/invoices',
        body,
        schema: InvoiceSchema,
        schemaName: 'Invoice',
      },
      options,
    );
  }

  get(invoiceId: string, options?: RequestOptions): APIPromise<Invoice> {
    return this.transport.request(
      {
        operation: 'getInvoice',
        method: 'get',
        path: encodePath('/v1/invoices/{invoiceId}', { invoiceId }),
        schema: InvoiceSchema,
        schemaName: 'Invoice',
      },
      options,
    );
  }

  /** Changes the due date, or voids the invoice (`{ status: 'void' }`). */
  update(invoiceId: string, body: InvoiceUpdate, options?: RequestOptions): APIPromise<Invoice> {
    return this.transport.request(
      {
        operation: 'updateInvoice',
        method: 'patch',
        path: encodePath('/v1/invoices/{invoiceId}', { invoiceId }),
        body,
        schema: InvoiceSchema,
        schemaName: 'Invoice',
      },
      options,
    );
  }

  list(params?: InvoiceListParams, options?: RequestOptions): PagePromise<Invoice> {
    return this.paginate<Invoice>(
      'listInvoices',
      '/v1/invoices',
      asQuery(params),
      InvoiceListSchema,
      'InvoiceList',
      options,
    );
  }
}
