/** Export rows → NDJSON (objects in the resource's own schema) or CSV with a header row. */
import { toCustomer } from '../repositories/customers.ts';
import { toInvoice } from '../repositories/invoices.ts';
import type { ExportResource } from '../repositories/insights.ts';
import { toJob } from '../repositories/jobs.ts';
import { toQuote } from '../repositories/quotes.ts';

const MAPPERS: Record<ExportResource, (row: Record<string, unknown>) => object> = {
  customers: toCustomer,
  jobs: toJob,
  quotes: toQuote,
  invoices: toInvoice,
};

export const EXPORT_CONTENT_TYPES = { ndjson: 'application/x-ndjson', csv: 'text/csv' } as const;

function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatExport(
  resource: ExportResource,
  format: 'ndjson' | 'csv',
  rows: Record<string, unknown>[],
): { contentType: string; text: string } {
  const objects = rows.map((row) => MAPPERS[resource](row) as Record<string, unknown>);
  if (format === 'ndjson') {
    return { contentType: EXPORT_CONTENT_TYPES.ndjson, text: objects.map((o) => JSON.stringify(o) + '\n').join('') };
  }
  const header = Object.keys(MAPPERS[resource](SAMPLE_ROWS[resource]));
  const lines = [header.join(','), ...objects.map((o) => header.map((key) => csvCell(o[key])).join(','))];
  return { contentType: EXPORT_CONTENT_TYPES.csv, text: lines.join('\r\n') + '\r\n' };
}

const COMMON = { id: '', customer_id: '', created_at: new Date(0), updated_at: new Date(0) };
/** One placeholder row per resource, only to derive the CSV header even when there are no rows. */
const SAMPLE_ROWS: Record<ExportResource, Record<string, unknown>> = {
  customers: { ...COMMON, name: '', email: '', phone: null, address: null, tags: [] },
  jobs: {
    ...COMMON,
    customer_name: '',
    title: '',
    description: null,
    status: '',
    scheduled_start: new Date(0),
    scheduled_end: new Date(0),
    assigned_to: null,
    address: null,
  },
  quotes: {
    ...COMMON,
    status: '',
    line_items: [],
    total_cents: 0,
    valid_until: null,
    notes: null,
    invoice_id: null,
    accepted_at: null,
  },
  invoices: { ...COMMON, quote_id: null, status: '', line_items: [], total_cents: 0, paid_cents: 0, due_date: '' },
};
