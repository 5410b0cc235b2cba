/** /v1/customers and /v1/customers/{customerId}/notes */
import type { APIPromise } from '../core/api-promise.ts';
import type { PagePromise } from '../core/pagination.ts';
import { encodePath, type RequestOptions } from '../core/transport.ts';
import { CustomerListSchema, CustomerSchema, NoteListSchema, NoteSchema } from '../generated/zod.ts';
import type {
  Customer,
  CustomerCreate,
  CustomerListParams,
  CustomerUpdate,
  Note,
  NoteCreate,
  NoteListParams,
} from '../types.ts';
import { APIResource, asQuery } from './resource.ts';

export class CustomerNotes extends APIResource {
  /** Adds a note to a customer (404 if the customer is not yours). */
  create(customerId: string, body: NoteCreate, options?: RequestOptions): APIPromise<Note> {
    const path = encodePath('/v1/customers/{customerId}/notes', { customerId });
    return this.transport.request(
      { operation: 'createCustomerNote', method: 'post', path, body, schema: NoteSchema, schemaName: 'Note' },
      options,
    );
  }

  get(customerId: string, noteId: string, options?: RequestOptions): APIPromise<Note> {
    const path = encodePath('/v1/customers/{customerId}/notes/{noteId}', { customerId, noteId });
    return this.transport.request(
      { operation: 'getCustomerNote', method: 'get', path, schema: NoteSchema, schemaName: 'Note' },
      options,
    );
  }

  delete(customerId: string, noteId: string, options?: RequestOptions): APIPromise<void> {
    const path = encodePath('/v1/customers/{customerId}/notes/{noteId}', { customerId, noteId });
    return this.transport.request(
      { operation: 'deleteCustomerNote', method: 'delete', path, responseType: 'none' },
      options,
    );
  }

  /** A customer's notes, newest first. */
  list(customerId: string, params?: NoteListParams, options?: RequestOptions): PagePromise<Note> {
    const path = encodePath('/v1/customers/{customerId}/notes', { customerId });
    return this.paginate<Note>('listCustomerNotes', path, asQuery(params), NoteListSchema, 'NoteList', options);
  }
}

export class Customers extends APIResource {
  readonly notes = new CustomerNotes(this.transport);

  /** Creates a customer. The email is unique within your tenant (409 otherwise). */
  create(body: CustomerCreate, options?: RequestOptions): APIPromise<Customer> {
    return this.transport.request(
      {
        operation: 'createCustomer',
        method: 'post',
        path: '/v1/customers',
        body,
        schema: CustomerSchema,
        schemaName: 'Customer',
      },
      options,
    );
  }

  get(customerId: string, options?: RequestOptions): APIPromise<Customer> {
    const path = encodePath('/v1/customers/{customerId}', { customerId });
    return this.transport.request(
      { operation: 'getCustomer', method: 'get', path, schema: CustomerSchema, schemaName: 'Customer' },
      options,
    );
  }

  update(customerId: string, body: CustomerUpdate, options?: RequestOptions): APIPromise<Customer> {
    const path = encodePath('/v1/customers/{customerId}', { customerId });
    return this.transport.request(
      { operation: 'updateCustomer', method: 'patch', path, body, schema: CustomerSchema, schemaName: 'Customer' },
      options,
    );
  }

  /** Deletes a customer and its notes; 409 while jobs, quotes or invoices reference it. */
  delete(customerId: string, options?: RequestOptions): APIPromise<void> {
    const path = encodePath('/v1/customers/{customerId}', { customerId });
    return this.transport.request(
      { operation: 'deleteCustomer', method: 'delete', path, responseType: 'none' },
      options,
    );
  }

  /** Customers, newest first; `q` matches name or email. */
  list(params?: CustomerListParams, options?: RequestOptions): PagePromise<Customer> {
    return this.paginate<Customer>(
      'listCustomers',
      '/v1/customers',
      asQuery(params),
      CustomerListSchema,
      'CustomerList',
      options,
    );
  }
}
