/** Response shapes, exactly as in specs/crm.openapi.yaml. */
export interface Address {
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  country: string;
}

export interface Customer {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  address: Address | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

export interface Note {
  id: string;
  customerId: string;
  body: string;
  createdAt: string;
}

export type JobStatus = 'scheduled' | 'in_progress' | 'completed' | 'cancelled';

export interface Job {
  id: string;
  customerId: string;
  customer: { id: string; name: string };
  title: string;
  description: string | null;
  status: JobStatus;
  scheduledStart: string;
  scheduledEnd: string;
  assignedTo: string | null;
  address: Address | null;
  createdAt: string;
  updatedAt: string;
}

export interface LineItemInput {
  description: string;
  quantity: number;
  unitPriceCents: number;
}

export interface LineItem extends LineItemInput {
  amountCents: number;
}

export type QuoteStatus = 'draft' | 'sent' | 'accepted' | 'declined' | 'converted';

export interface Quote {
  id: string;
  customerId: string;
  status: QuoteStatus;
  lineItems: LineItem[];
  totalCents: number;
  validUntil: string | null;
  notes: string | null;
  invoiceId: string | null;
  acceptedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type InvoiceStatus = 'open' | 'paid' | 'void';

export interface Invoice {
  id: string;
  customerId: string;
  quoteId: string | null;
  status: InvoiceStatus;
  lineItems: LineItem[];
  totalCents: number;
  paidCents: number;
  balanceCents: number;
  dueDate: string;
  createdAt: string;
  updatedAt: string;
}

export type PaymentMethod = 'card' | 'cash' | 'check' | 'bank_transfer';

export interface Payment {
  id: string;
  invoiceId: string;
  amountCents: number;
  method: PaymentMethod;
  receivedAt: string;
  reference: string | null;
  createdAt: string;
}

export interface SearchResult {
  type: 'customer' | 'job' | 'quote' | 'invoice';
  id: string;
  title: string;
  snippet: string;
}

export interface ReportSummary {
  customers: number;
  jobs: number;
  quotes: number;
  invoices: number;
  quotedCents: number;
  invoicedCents: number;
  paidCents: number;
  outstandingCents: number;
}

export interface AuditEvent {
  id: string;
  tenantId: string;
  requestId: string;
  method: string;
  route: string;
  status: number;
  recordIds: string[];
  occurredAt: string;
}

export function priceLineItems(items: readonly LineItemInput[]): { lineItems: LineItem[]; totalCents: number } {
  const lineItems = items.map((item) => ({
    description: item.description,
    quantity: item.quantity,
    unitPriceCents: item.unitPriceCents,
    amountCents: item.quantity * item.unitPriceCents,
  }));
  return { lineItems, totalCents: lineItems.reduce((sum, item) => sum + item.amountCents, 0) };
}
