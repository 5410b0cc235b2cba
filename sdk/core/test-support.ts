/** Shared msw plumbing for the SDK's unit tests (test-only; excluded from the import-boundary check). */
import { setupServer } from 'msw/node';
import { CrmClient, type CrmClientOptions } from '../client.ts';

export const BASE = 'http://crm.test';
export const API_KEY = 'tpk_unit_test_key_0123456789abcdef';

export function createTestServer() {
  return setupServer();
}

/** A client that never really sleeps between retries; the requested delays are recorded. */
export function testClient(options: CrmClientOptions = {}): { crm: CrmClient; delays: number[] } {
  const delays: number[] = [];
  const crm = new CrmClient({
    apiKey: API_KEY,
    baseURL: BASE,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...options,
  });
  return { crm, delays };
}

export const problemHeaders = { 'Content-Type': 'application/problem+json', 'X-Request-Id': 'req_test' };

export function problem(status: number, title = 'Problem', type = 'https://tenantproof.dev/problems/x') {
  return { type, title, status, detail: `status ${status}`, requestId: 'req_test' };
}

export const customer = (i = 0) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  name: `Customer ${i}`,
  email: `c${i}@example.com`,
  phone: null,
  address: null,
  tags: [],
  createdAt: '2026-01-05T09:30:00Z',
  updatedAt: '2026-01-05T09:30:00Z',
});
