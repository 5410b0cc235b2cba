/** Hand-written expectations for the reference CRM spec: every edge and every operation kind. */
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeSpecFile, type ApiModel, type OperationInfo } from './index.ts';
import { CRM_SPEC } from '../../test/support/paths.ts';

let model: ApiModel;
const op = (id: string): OperationInfo => {
  const found = model.operations.find((o) => o.operationId === id);
  if (!found) throw new Error(`no operation ${id}`);
  return found;
};
const edgeKey = (e: { resource: string; producer: string; consumer: string; in: string; name: string }) =>
  `${e.resource}: ${e.producer} -> ${e.consumer} (${e.in} ${e.name})`;

beforeAll(async () => {
  model = await analyzeSpecFile(CRM_SPEC);
});

describe('CRM spec inference', () => {
  it('finds every producer -> consumer edge, and no others', () => {
    const customerConsumers: [string, string, string][] = [
      ['getCustomer', 'path', 'customerId'],
      ['updateCustomer', 'path', 'customerId'],
      ['deleteCustomer', 'path', 'customerId'],
      ['createCustomerNote', 'path', 'customerId'],
      ['listCustomerNotes', 'path', 'customerId'],
      ['getCustomerNote', 'path', 'customerId'],
      ['deleteCustomerNote', 'path', 'customerId'],
      ['createJob', 'body', 'customerId'],
      ['listJobs', 'query', 'customerId'],
      ['createQuote', 'body', 'customerId'],
      ['listQuotes', 'query', 'customerId'],
      ['createInvoice', 'body', 'customerId'],
      ['listInvoices', 'query', 'customerId'],
    ];
    const expected = [
      ...customerConsumers.map(([c, where, name]) => `customer: createCustomer -> ${c} (${where} ${name})`),
      ...['getCustomerNote', 'deleteCustomerNote'].map((c) => `note: createCustomerNote -> ${c} (path noteId)`),
      ...['getJob', 'updateJob', 'deleteJob'].map((c) => `job: createJob -> ${c} (path jobId)`),
      ...['getQuote', 'updateQuote', 'deleteQuote', 'acceptQuote', 'convertQuote'].map(
        (c) => `quote: createQuote -> ${c} (path quoteId)`,
      ),
      ...['createInvoice', 'convertQuote'].flatMap((p) =>
        ['getInvoice', 'updateInvoice', 'createPayment', 'listPayments'].map(
          (c) => `invoice: ${p} -> ${c} (path invoiceId)`,
        ),
      ),
    ];
    expect(model.edges.map(edgeKey).sort()).toEqual(expected.sort());
  });

  it('names the producers of each resource and their id fields', () => {
    const producers = Object.fromEntries(
      model.resources
        .filter((r) => r.producers.length)
        .map((r) => [r.name, { producers: r.producers, idField: r.idField }]),
    );
    expect(producers).toEqual({
      customer: { producers: ['createCustomer'], idField: 'id' },
      invoice: { producers: ['convertQuote', 'createInvoice'], idField: 'id' },
      job: { producers: ['createJob'], idField: 'id' },
      note: { producers: ['createCustomerNote'], idField: 'id' },
      payment: { producers: ['createPayment'], idField: 'id' },
      quote: { producers: ['createQuote'], idField: 'id' },
      tenant: { producers: ['createTenant'], idField: 'id' },
    });
    expect(op('createTenant').produces).toEqual({
      resource: 'tenant',
      idField: 'id',
      envelope: 'tenant',
      status: '201',
    });
  });

  it('classifies every operation', () => {
    const kinds = Object.fromEntries(
      model.operations.map((o) => [
        o.operationId,
        [o.kind, o.itemAction ?? '', o.resource ?? '', o.parent?.resource ?? ''].join(' ').trim(),
      ]),
    );
    expect(kinds).toEqual({
      createTenant: 'create  tenant',
      getMe: 'singleton  me',
      listCustomers: 'collection  customer',
      createCustomer: 'create  customer',
      getCustomer: 'item read customer',
      updateCustomer: 'item update customer',
      deleteCustomer: 'item delete customer',
      createCustomerNote: 'create  note customer',
      listCustomerNotes: 'collection  note customer',
      getCustomerNote: 'item read note customer',
      deleteCustomerNote: 'item delete note customer',
      createJob: 'create  job',
      listJobs: 'collection  job',
      getJob: 'item read job',
      updateJob: 'item update job',
      deleteJob: 'item delete job',
      getSchedule: 'collection  job',
      createQuote: 'create  quote',
      listQuotes: 'collection  quote',
      getQuote: 'item read quote',
      updateQuote: 'item update quote',
      deleteQuote: 'item delete quote',
      acceptQuote: 'action  quote',
      convertQuote: 'action  quote',
      createInvoice: 'create  invoice',
      listInvoices: 'collection  invoice',
      getInvoice: 'item read invoice',
      updateInvoice: 'item update invoice',
      createPayment: 'create  payment invoice',
      listPayments: 'collection  payment invoice',
      search: 'search',
      getReportSummary: 'aggregate',
      exportRecords: 'export',
      listAuditEvents: 'audit  audit-event',
    });
  });

  it('treats every operation but provisioning as tenant-owned', () => {
    expect(model.operations.filter((o) => !o.tenantOwned).map((o) => [o.operationId, o.tenantOwnedReason])).toEqual([
      ['createTenant', 'admin security scheme adminToken'],
    ]);
  });

  it('detects cursor pagination, items, search parameters and idempotency headers', () => {
    expect(op('listCustomers').pagination).toEqual({
      style: 'cursor',
      param: 'cursor',
      limitParam: 'limit',
      nextField: 'nextCursor',
    });
    expect(op('listCustomers').itemsField).toBe('data');
    expect(op('listCustomers').searchParam).toBe('q');
    expect(op('search').searchParam).toBe('q');
    expect(op('getSchedule').pagination?.style).toBe('none');
    expect(op('createCustomer').idempotencyHeader).toBe('Idempotency-Key');
  });

  it('chooses probes and oracles per operation', () => {
    expect(op('getCustomer').probes).toContain('cross-tenant-read');
    expect(op('updateCustomer').probes).toContain('cross-tenant-update');
    expect(op('deleteCustomer').probes).toContain('cross-tenant-delete');
    expect(op('acceptQuote').probes).toContain('cross-tenant-action');
    expect(op('createJob').probes).toEqual(
      expect.arrayContaining(['foreign-reference', 'body-injection', 'foreign-idempotency-key']),
    );
    expect(op('createJob').probes).not.toContain('foreign-unique-value');
    expect(op('createCustomer').uniqueFields).toEqual(['email']);
    expect(op('createCustomer').probes).toContain('foreign-unique-value');
    expect(op('updateCustomer').probes).toContain('foreign-unique-value');
    expect(op('listJobs').probes).toEqual(expect.arrayContaining(['foreign-cursor', 'list-own']));
    // A foreign reference is probed where the request makes something: a note under a victim's
    // customer, a job for a victim's customer. On reads and lists a 2xx proves nothing.
    expect(op('createCustomerNote').probes).toContain('foreign-reference');
    expect(op('createJob').probes).toContain('foreign-reference');
    for (const id of ['listJobs', 'getCustomer', 'getCustomerNote'])
      expect(op(id).probes, id).not.toContain('foreign-reference');
    expect(op('search').probes).toContain('canary-search');
    expect(op('listCustomers').probes).toContain('canary-search');
    expect(op('getReportSummary').probes).toContain('aggregate-check');
    expect(op('exportRecords').probes).toContain('export-check');
    expect(op('listAuditEvents').probes).toContain('audit-check');
    expect(op('getMe').probes).toEqual(expect.arrayContaining(['header-injection', 'query-injection']));
    expect(op('createTenant').probes).toEqual([]);
    for (const o of model.operations.filter((x) => x.tenantOwned)) {
      // Every tenant-owned operation is called as its own tenant and with a tenant override.
      expect(o.probes, o.operationId).toEqual(expect.arrayContaining(['own-call', 'header-injection']));
    }
  });
});
