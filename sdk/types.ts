/** Friendly names for the generated openapi-typescript types: resources, bodies and list params. */
import type { components, operations } from './generated/types.ts';

type Schemas = components['schemas'];
type Query<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;

export type Problem = Schemas['Problem'];
export type Tenant = Schemas['Tenant'];
export type TenantCreate = Schemas['TenantCreate'];
export type TenantCreated = Schemas['TenantCreated'];
export type Me = Schemas['Me'];
export type Address = Schemas['Address'];
export type Customer = Schemas['Customer'];
export type CustomerCreate = Schemas['CustomerCreate'];
export type CustomerUpdate = Schemas['CustomerUpdate'];
export type Note = Schemas['Note'];
export type NoteCreate = Schemas['NoteCreate'];
export type Job = Schemas['Job'];
export type JobStatus = Schemas['JobStatus'];
export type JobCreate = Schemas['JobCreate'];
export type JobUpdate = Schemas['JobUpdate'];
export type Schedule = Schemas['Schedule'];
export type LineItem = Schemas['LineItem'];
export type LineItemInput = Schemas['LineItemInput'];
export type Quote = Schemas['Quote'];
export type QuoteStatus = Schemas['QuoteStatus'];
export type QuoteCreate = Schemas['QuoteCreate'];
export type QuoteUpdate = Schemas['QuoteUpdate'];
export type QuoteConvert = Schemas['QuoteConvert'];
export type Invoice = Schemas['Invoice'];
export type InvoiceStatus = Schemas['InvoiceStatus'];
export type InvoiceCreate = Schemas['InvoiceCreate'];
export type InvoiceUpdate = Schemas['InvoiceUpdate'];
export type Payment = Schemas['Payment'];
export type PaymentMethod = Schemas['PaymentMethod'];
export type PaymentCreate = Schemas['PaymentCreate'];
export type SearchResult = Schemas['SearchResult'];
export type SearchResultType = Schemas['SearchResultType'];
export type SearchResults = Schemas['SearchResults'];
export type ReportSummary = Schemas['ReportSummary'];
export type ExportResource = Schemas['ExportResource'];
export type AuditEvent = Schemas['AuditEvent'];

export type CustomerListParams = Query<'listCustomers'>;
export type NoteListParams = Query<'listCustomerNotes'>;
export type JobListParams = Query<'listJobs'>;
export type ScheduleParams = Query<'getSchedule'>;
export type QuoteListParams = Query<'listQuotes'>;
export type InvoiceListParams = Query<'listInvoices'>;
export type PaymentListParams = Query<'listPayments'>;
export type SearchParams = Query<'search'>;
export type ExportParams = Query<'exportRecords'>;
export type AuditEventListParams = Query<'listAuditEvents'>;

/** The record type each export resource yields. */
export interface ExportRecordMap {
  customers: Customer;
  jobs: Job;
  quotes: Quote;
  invoices: Invoice;
}

export type { components, operations };
