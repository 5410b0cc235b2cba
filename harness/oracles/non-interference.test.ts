import { describe, expect, it } from 'vitest';
import { checkNonInterference } from './non-interference.ts';
import { ex } from './oracle-fixtures.test-support.ts';

const run = (ids: [string, string], listTotal: number, at: string) => [
  ex({
    op: 'createCustomer',
    method: 'POST',
    status: 201,
    body: { id: ids[0], name: 'Acme tpT1aaaa0001', createdAt: at },
    headers: { 'x-request-id': `r-${at}` },
  }),
  ex({ op: 'createCustomer', method: 'POST', status: 201, body: { id: ids[1], name: 'Beta', createdAt: at } }),
  ex({ op: 'getCustomer', status: 200, body: { id: ids[0], name: 'Acme tpT1aaaa0001', updatedAt: at } }),
  ex({
    op: 'listCustomers',
    status: 200,
    body: { data: [{ id: ids[0] }, { id: ids[1] }], total: listTotal, requestId: at },
  }),
];

describe('non-interference oracle', () => {
  it('is clean when observations differ only in server ids and volatile fields', () => {
    const alone = run(
      ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002'],
      2,
      '2026-11-26T06:00:00.000Z',
    );
    const together = run(
      ['bbbbbbbb-0000-4000-8000-000000000009', 'bbbbbbbb-0000-4000-8000-000000000003'],
      2,
      '2026-11-26T07:11:11.111Z',
    );
    expect(checkNonInterference([{ tenant: 'T1', alone, together, others: ['T2'] }])).toEqual([]);
  });

  it("raises at the first divergence when B's activity shows up in A's list", () => {
    const alone = run(
      ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002'],
      2,
      '2026-11-26T06:00:00.000Z',
    );
    const together = run(
      ['bbbbbbbb-0000-4000-8000-000000000009', 'bbbbbbbb-0000-4000-8000-000000000003'],
      5,
      '2026-11-26T07:00:00.000Z',
    );
    const [f, ...rest] = checkNonInterference([{ tenant: 'T1', alone, together, others: ['T2'] }]);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      oracle: 'non-interference',
      attacker: 'T1',
      victim: 'T2',
      operationId: 'listCustomers',
      evidence: { index: 3, aspect: 'body' },
    });
    expect(f!.exchanges).toEqual([alone[3]!.seq, together[3]!.seq]);
  });

  it('raises on a positional id mismatch (the read returned the other record)', () => {
    const ids: [string, string] = ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002'];
    const alone = run(ids, 2, '2026-11-26T06:00:00.000Z');
    const together = run(
      ['cccccccc-0000-4000-8000-000000000001', 'cccccccc-0000-4000-8000-000000000002'],
      2,
      '2026-11-26T06:00:00.000Z',
    );
    together[2] = ex({
      op: 'getCustomer',
      status: 200,
      body: { id: 'cccccccc-0000-4000-8000-000000000002', name: 'Acme tpT1aaaa0001' },
    });
    const fs = checkNonInterference([{ tenant: 'T1', alone, together, others: ['T2', 'T3'] }]);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.victim).toBeUndefined();
    expect(fs[0]!.evidence).toMatchObject({ index: 2, aspect: 'body' });
  });
  it('never compares a throttled, failed, unanswered or cut-short observation', () => {
    const ids: [string, string] = ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002'];
    const alone = run(ids, 2, '2026-11-26T06:00:00.000Z');
    const list = (o: Parameters<typeof ex>[0]) => ex({ op: 'listCustomers', ...o });
    for (const odd of [
      list({ status: 429, headers: { 'retry-after': '55' }, body: { title: 'Too Many Requests' } }),
      list({ status: 503, body: { title: 'Unavailable' } }),
      list({ error: { code: 'ECONNRESET', message: 'socket hang up' } }),
      list({ status: 200, bodyText: '{"data":[{"id":"bbbb', headers: { 'content-type': 'text/html' } }),
    ]) {
      const together = [...run(ids, 2, '2026-11-26T07:00:00.000Z').slice(0, 3), odd];
      expect(checkNonInterference([{ tenant: 'T1', alone, together, others: ['T2'] }])).toEqual([]);
    }
    // A comparable answer that differs is still found.
    const differs = [...run(ids, 2, '2026-11-26T07:00:00.000Z').slice(0, 3), list({ body: { data: [], total: 9 } })];
    expect(checkNonInterference([{ tenant: 'T1', alone, together: differs, others: ['T2'] }])).toHaveLength(1);
  });
});
