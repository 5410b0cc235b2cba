/**
 * Response shapes of the CRM, taken from the types generated from specs/crm.openapi.yaml (through @tenantproof/sdk), so the
 * implementation cannot drift from the contract (a change to the spec that the code does not
 * follow is a type error).
 */
import type { components } from '@tenantproof/sdk';

type Schemas = components['schemas'];
export type Address = Schemas['Address'];
export type Customer = Schemas['Customer'];
export type Note = Schemas['Note'];
export type JobStatus = Schemas['JobStatus'];
export type Job = Schemas['Job'];
export type LineItemInput = Schemas['LineItemInput'];
export type LineItem = Schemas['LineItem'];
export type QuoteStatus = Schemas['QuoteStatus'];
export type Quote = Schemas['Quote'];
export type InvoiceStatus = Schemas['InvoiceStatus'];
export type Invoice = Schemas['Invoice'];
export type PaymentMethod = Schemas['PaymentMethod'];
export type Payment = Schemas['Payment'];
export type SearchResult = Schemas['SearchResult'];
export type ReportSummary = Schemas['ReportSummary'];
export type AuditEvent = Schemas['AuditEvent'];

export function priceLineItems(items: readonly LineItemInput[]): { lineItems: LineItem[]; totalCents: number } {
  const lineItems = items.map((item) => ({
    description: item.description,
    quantity: item.quantity,
    unitPriceCents: item.unitPriceCents,
    amountCents: item.quantity * item.unitPriceCents,
  }));
  return { lineItems, totalCents: lineItems.reduce((sum, item) => sum + item.amountCents, 0) };
}
