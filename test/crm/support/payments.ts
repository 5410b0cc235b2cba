/** Every payment id of an invoice, following the cursor to the last page. */
import { expect } from 'vitest';
import type { ApiClient } from '../../support/crm-fixture.ts';

export async function paymentIds(A: ApiClient, invoiceId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await A('GET', `/v1/invoices/${invoiceId}/payments?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status, page.text).toBe(200);
    ids.push(...(page.body.data as { id: string }[]).map((p) => p.id));
    cursor = page.body.nextCursor as string | null;
  } while (cursor);
  return ids;
}
