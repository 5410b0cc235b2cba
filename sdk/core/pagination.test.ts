/** Auto-pagination over several pages: `for await`, `.pages()`, the first page, and cursors passed back. */
import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BASE, createTestServer, customer, testClient } from './test-support.ts';

const server = createTestServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** 7 customers served 3 per page, newest first; the cursor is the next offset. */
function serveSeven() {
  const cursors: Array<string | null> = [];
  server.use(
    http.get(`${BASE}/v1/customers`, ({ request }) => {
      const url = new URL(request.url);
      const cursor = url.searchParams.get('cursor');
      cursors.push(cursor);
      const limit = Number(url.searchParams.get('limit') ?? 3);
      const start = cursor ? Number(cursor.replace('c', '')) : 0;
      const all = Array.from({ length: 7 }, (_, i) => customer(7 - i));
      const data = all.slice(start, start + limit);
      const next = start + limit < all.length ? `c${start + limit}` : null;
      return HttpResponse.json({ data, nextCursor: next });
    }),
  );
  return cursors;
}

describe('pagination', () => {
  it('for await iterates every item across pages', async () => {
    const cursors = serveSeven();
    const { crm } = testClient();
    const names: string[] = [];
    for await (const c of crm.customers.list({ limit: 3 })) names.push(c.name);
    expect(names).toEqual([7, 6, 5, 4, 3, 2, 1].map((i) => `Customer ${i}`));
    expect(cursors).toEqual([null, 'c3', 'c6']);
  });

  it('.pages() yields each page with its raw response', async () => {
    serveSeven();
    const { crm } = testClient();
    const sizes: number[] = [];
    const cursors: Array<string | null> = [];
    for await (const page of crm.customers.list({ limit: 3 }).pages()) {
      sizes.push(page.data.length);
      cursors.push(page.nextCursor);
      expect(page.response.status).toBe(200);
    }
    expect(sizes).toEqual([3, 3, 1]);
    expect(cursors).toEqual(['c3', 'c6', null]);
  });

  it('awaiting the list gives the first page, with getNextPage()', async () => {
    serveSeven();
    const { crm } = testClient();
    const first = await crm.customers.list({ limit: 3 });
    expect(first.data).toHaveLength(3);
    expect(first.hasNextPage()).toBe(true);
    const second = await first.getNextPage();
    expect(second.data[0]!.name).toBe('Customer 4');
    const third = await second.getNextPage();
    expect(third.hasNextPage()).toBe(false);
    await expect(third.getNextPage()).rejects.toThrow(/no next page/);
  });

  it('stops early on break and toArray(limit) caps the items', async () => {
    const cursors = serveSeven();
    const { crm } = testClient();
    for await (const c of crm.customers.list({ limit: 3 })) {
      expect(c.name).toBe('Customer 7');
      break;
    }
    expect(cursors).toEqual([null]);
    expect((await crm.customers.list({ limit: 3 }).toArray(4)).map((c) => c.name)).toEqual([
      'Customer 7',
      'Customer 6',
      'Customer 5',
      'Customer 4',
    ]);
  });

  it('.withResponse() works on a list too', async () => {
    serveSeven();
    const { crm } = testClient();
    const { data: page, response } = await crm.customers.list({ limit: 3 }).withResponse();
    expect(page.data).toHaveLength(3);
    expect(response.status).toBe(200);
  });
});
