/** /v1/quotes, with the accept and convert actions. */
import type { APIPromise } from '../core/api-promise.ts';
import type { PagePromise } from '../core/pagination.ts';
import { encodePath, type RequestOptions } from '../core/transport.ts';
import { InvoiceSchema, QuoteListSchema, QuoteSchema } from '../generated/zod.ts';
import type { Invoice, Quote, QuoteConvert, QuoteCreate, QuoteListParams, QuoteUpdate } from '../types.ts';
import { APIResource, asQuery } from './resource.ts';

export class Quotes extends APIResource {
  /** Creates a draft quote. */
  create(body: QuoteCreate, options?: RequestOptions): APIPromise<Quote> {
    return this.transport.request(
      { operation: 'createQuote', method: 'post', path: '/v1/quotes', body, schema: QuoteSchema, schemaName: 'Quote' },
      options,
    );
  }

  get(quoteId: string, options?: RequestOptions): APIPromise<Quote> {
    return this.transport.request(
      {
        operation: 'getQuote',
        method: 'get',
        path: encodePath('/v1/quotes/{quoteId}', { quoteId }),
        schema: QuoteSchema,
        schemaName: 'Quote',
      },
      options,
    );
  }

  /** Updates a draft or sent quote (409 once accepted or converted). */
  update(quoteId: string, body: QuoteUpdate, options?: RequestOptions): APIPromise<Quote> {
    return this.transport.request(
      {
        operation: 'updateQuote',
        method: 'patch',
        path: encodePath('/v1/quotes/{quoteId}', { quoteId }),
        body,
        schema: QuoteSchema,
        schemaName: 'Quote',
      },
      options,
    );
  }

  /** Deletes a quote that has not been converted. */
  delete(quoteId: string, options?: RequestOptions): APIPromise<void> {
    return this.transport.request(
      {
        operation: 'deleteQuote',
        method: 'delete',
        path: encodePath('/v1/quotes/{quoteId}', { quoteId }),
        responseType: 'none',
      },
      options,
    );
  }

  list(params?: QuoteListParams, options?: RequestOptions): PagePromise<Quote> {
    return this.paginate<Quote>('listQuotes', '/v1/quotes', asQuery(params), QuoteListSchema, 'QuoteList', options);
  }

  /** Marks a draft or sent quote as accepted by the customer. */
  accept(quoteId: string, options?: RequestOptions): APIPromise<Quote> {
    return this.transport.request(
      {
        operation: 'acceptQuote',
        method: 'post',
        path: encodePath('/v1/quotes/{quoteId}/accept', { quoteId }),
        schema: QuoteSchema,
        schemaName: 'Quote',
      },
      options,
    );
  }

  /** Converts an accepted quote into an invoice; the quote becomes `converted`. */
  convert(quoteId: string, body?: QuoteConvert, options?: RequestOptions): APIPromise<Invoice> {
    const path = encodePath('/v1/quotes/{quoteId}/convert', { quoteId });
    return this.transport.request(
      { operation: 'convertQuote', method: 'post', path, body, schema: InvoiceSchema, schemaName: 'Invoice' },
      options,
    );
  }
}
