import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Exchange } from '../model/exchange.ts';
import { buildPlan, type CampaignPlan } from '../model/plan.ts';
import type { Step } from '../model/step.ts';
import { World } from '../model/world.ts';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import { checkNonInterference, listKeyOf, nonInterference, type NonInterferenceInput } from './non-interference.ts';
import { countHeaders, isCountHeader, isVolatileKey, listTotals } from './non-interference-numbers.ts';
import { ex, ID_A1, ID_A2 } from './oracle-fixtures.test-support.ts';
import type { JudgeContext, Moment, OraclePort } from './oracle.ts';

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
      // Only a number differs (the list's total), and the finding names it.
      evidence: { index: 3, aspect: 'number', numbers: [{ at: '/total', alone: 2, together: 5 }] },
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

/** The same request by T1 twice: `first` alone, `second` while T2 was active. */
const twice = (first: Exchange, second: Exchange, extra: Partial<NonInterferenceInput> = {}): NonInterferenceInput => ({
  tenant: 'T1',
  alone: [first],
  together: [second],
  others: ['T2'],
  ...extra,
});

const list = (o: Parameters<typeof ex>[0]) => ex({ op: 'listCustomers', path: '/v1/customers?limit=2', ...o });
const page = (items: number) => Array.from({ length: items }, (_, i) => ({ id: i % 2 === 0 ? ID_A1 : ID_A2 }));

describe('non-interference on numbers and headers: a quirky but correct API', () => {
  it('never compares per-request times, a global serverTime, latencies, request ids or random cursor text', () => {
    const answer = (t: number, took: number, cursor: string) =>
      list({
        headers: { 'content-length': String(200 + took), 'x-request-id': `req-${t}` },
        body: {
          data: page(2),
          total: 7,
          nextCursor: cursor,
          serverTime: 1_764_138_000 + t,
          generatedAt: 1_764_138_000_123 + t,
          servedAt: `2026-11-26T06:00:0${t}Z`,
          meta: { took, requestId: `req-${t}`, region: t % 2 === 0 ? 'eu-1' : 'eu-2', now: t },
          rateLimit: { remaining: 60 - t, reset: 30 - t, limit: 60 },
        },
      });
    expect(checkNonInterference([twice(answer(1, 4, 'c-aaaa'), answer(2, 17, 'c-zzzz'))])).toEqual([]);
  });

  it('never compares Date, ETag, rate-limit, request-id, Server-Timing or Content-Length headers', () => {
    const answer = (n: number) =>
      list({
        headers: {
          date: `Thu, 26 Nov 2026 06:00:0${n} GMT`,
          etag: `"v${n}"`,
          'x-ratelimit-remaining': String(100 - n),
          'ratelimit-remaining': String(100 - n),
          'x-rate-limit-remaining': String(100 - n),
          'x-request-id': `r${n}`,
          'server-timing': `db;dur=${n * 3}`,
          'content-length': String(300 + n),
          // counters that are not counts of the caller's records
          'x-request-count': String(n),
          'x-api-call-count': String(n * 10),
          'x-total-time': String(n * 7),
          'x-cache-hit-count': String(n),
          'x-total-count': '7',
        },
        body: { data: page(2) },
      });
    expect(checkNonInterference([twice(answer(1), answer(2))])).toEqual([]);
  });

  it('takes a page count for what it is: a "total" equal to each page’s own item count', () => {
    const p1 = list({ path: '/v1/customers?limit=3', body: { data: page(3), total: 3 } });
    const p2 = list({ path: '/v1/customers?limit=3&cursor=abc', body: { data: page(2), total: 2 } });
    expect(checkNonInterference([twice(p1, p2, { compare: 'totals', itemsField: 'data' })])).toEqual([]);
  });

  it('is clean when pages of one list agree on their total, whatever their page size', () => {
    const p1 = list({
      path: '/v1/customers?limit=2',
      headers: { 'x-total-count': '5', 'content-range': 'items 0-1/5' },
      body: { data: page(2), meta: { totalCount: 5, totalPages: 3 } },
    });
    const p2 = list({
      path: '/v1/customers?limit=4&cursor=abc',
      headers: { 'x-total-count': '5', 'content-range': 'items 2-4/5' },
      body: { data: page(3), meta: { totalCount: 5, totalPages: 2 } },
    });
    expect(checkNonInterference([twice(p1, p2, { compare: 'totals', itemsField: 'data' })])).toEqual([]);
  });

  it('tells count headers from other counters, and reads Content-Range totals', () => {
    for (const name of ['X-Total-Count', 'x-total', 'Total-Count', 'X-Result-Count', 'X-Pagination-Total-Count'])
      expect(isCountHeader(name), name).toBe(true);
    for (const name of [
      'X-RateLimit-Remaining',
      'X-Request-Count',
      'X-Total-Time',
      'X-Api-Call-Count',
      'X-Retry-Count',
      'X-Cache-Hit-Count',
      'Content-Length',
      'ETag',
      'Date',
    ])
      expect(isCountHeader(name), name).toBe(false);
    const res = list({ headers: { 'content-range': 'items 0-9/42', 'x-total-count': '42', 'x-count': 'many' } });
    expect(countHeaders(res.response!)).toEqual({ 'content-range': 42, 'x-total-count': 42 });
    expect(countHeaders(list({ headers: { 'content-range': 'items 0-9/*' } }).response!)).toEqual({});
  });

  it('masks volatile keys by their words, and only scalars', () => {
    for (const key of ['serverTime', 'generated_at', 'took', 'latencyMs', 'requestId', 'x_ratelimit_remaining', 'etag'])
      expect(isVolatileKey(key, 1), key).toBe(true);
    for (const key of ['total', 'totalCount', 'count', 'customers', 'quotedCents', 'format', 'page', 'status'])
      expect(isVolatileKey(key, 1), key).toBe(false);
    expect(isVolatileKey('nextCursor', 'abc')).toBe(true);
    expect(isVolatileKey('nextCursor', null)).toBe(false);
    expect(
      listTotals({ data: [{ total: 9 }], total: 4, totalCents: 100, meta: { total_items: 4, totalPages: 2 } }, 'data'),
    ).toEqual({
      total: 4,
      'meta.total_items': 4,
    });
  });
});

describe('non-interference on numbers and headers: a leak', () => {
  it('raises when a total in the body counts another tenant’s records, naming the number', () => {
    const [f, ...rest] = checkNonInterference([
      twice(
        ex({
          op: 'getReportSummary',
          path: '/v1/reports/summary',
          body: { customers: 2, quotedCents: 500, serverTime: 1 },
        }),
        ex({
          op: 'getReportSummary',
          path: '/v1/reports/summary',
          body: { customers: 5, quotedCents: 500, serverTime: 2 },
        }),
      ),
    ]);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      oracle: 'non-interference',
      operationId: 'getReportSummary',
      victim: 'T2',
      evidence: { aspect: 'number', numbers: [{ at: '/customers', alone: 2, together: 5 }] },
    });
    expect(f!.summary).toContain('/customers 2 → 5');
  });

  it('raises when X-Total-Count counts another tenant’s records on the same request', () => {
    const answer = (total: string) => list({ headers: { 'x-total-count': total }, body: { data: page(2) } });
    const [f] = checkNonInterference([twice(answer('2'), answer('3'))]);
    expect(f).toMatchObject({
      evidence: { aspect: 'header', numbers: [{ at: 'header:x-total-count', alone: 2, together: 3 }] },
    });
  });

  it('raises when later pages of one list report a different total (a body field or Content-Range)', () => {
    const p1 = list({ path: '/v1/customers?limit=2', body: { data: page(2), total: 3 } });
    const p2 = list({ path: '/v1/customers?limit=2&cursor=abc', body: { data: page(1), total: 4 } });
    const [f] = checkNonInterference([twice(p1, p2, { compare: 'totals', itemsField: 'data' })]);
    expect(f).toMatchObject({
      evidence: { aspect: 'total', numbers: [{ at: 'total', alone: 3, together: 4 }] },
      exchanges: [p1.seq, p2.seq],
    });
    const r1 = list({ path: '/v1/customers?offset=0', headers: { 'content-range': 'items 0-1/3' }, body: page(2) });
    const r2 = list({ path: '/v1/customers?offset=2', headers: { 'content-range': 'items 2-2/9' }, body: page(1) });
    expect(checkNonInterference([twice(r1, r2, { compare: 'totals' })])[0]).toMatchObject({
      evidence: { aspect: 'total', numbers: [{ at: 'header:content-range', alone: 3, together: 9 }] },
    });
  });
});

describe('non-interference: which reads are compared', () => {
  const spec = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'specs', 'crm.openapi.yaml');
  let plan: CampaignPlan;
  beforeAll(async () => {
    plan = buildPlan(await analyzeSpecFile(spec));
  });

  const step = (tenant: string, method = 'GET', extra: Partial<Step> = {}): Step => ({
    index: 0,
    tenant,
    operationId: 'listCustomers',
    action: 'list',
    relation: 'own',
    method,
    path: '/v1/customers',
    pathParams: {},
    query: {},
    headers: {},
    ...extra,
  });

  /** Runs the bound oracle over a script of moments: reads by T1, and writes that change counters in between. */
  async function judgedInputs(
    script: (run: {
      read: (path: string, body: unknown, concurrent?: boolean) => void;
      ownWrite: () => void;
      probeAimedAtT1: () => void;
    }) => void,
  ): Promise<NonInterferenceInput[]> {
    const world = new World(['T1', 'T2']);
    // The port is a stand-in: gather reads only `world` and `plan`.
    const port = { world, plan } as unknown as OraclePort;
    const bound = nonInterference.bind();
    const judged: NonInterferenceInput[] = [];
    const pending: Promise<void>[] = [];
    script({
      read(p, body, concurrent = false) {
        const moment: Moment = {
          kind: 'exchange',
          step: step('T1'),
          exchange: list({ path: p, body }),
          probe: 'list-own',
          concurrent,
          ownWritesBefore: world.tenant('T1').writes,
        };
        pending.push(
          bound.examine(moment, port, {} as JudgeContext).then((r) => {
            judged.push(...r.judged.map((j) => j.input as NonInterferenceInput));
          }),
        );
      },
      ownWrite() {
        world.noteSent(step('T1', 'POST', { action: 'create' }), [], 'POST');
        world.noteAnswered(step('T1', 'POST', { action: 'create' }), 'POST');
      },
      probeAimedAtT1() {
        const s = step('T2', 'PATCH', {
          action: 'update',
          relation: 'foreign',
          probe: 'cross-tenant-update',
          victim: 'T1',
        });
        world.noteSent(s, [], 'PATCH');
        world.noteAnswered(s, 'PATCH');
      },
    });
    await Promise.all(pending);
    return judged;
  }

  it('compares a repeated request, and pages of one list by their totals, while T1 is unchanged', async () => {
    const inputs = await judgedInputs(({ read }) => {
      read('/v1/customers?limit=2', { data: page(2), nextCursor: 'c1' });
      read('/v1/customers?limit=2&cursor=c1', { data: page(1), nextCursor: null });
      read('/v1/customers?limit=2', { data: page(2), nextCursor: 'c1' });
    });
    expect(inputs.map((i) => i.compare ?? 'answer')).toEqual(['totals', 'answer', 'totals']);
    expect(inputs[1]!.alone[0]!.request.path).toBe('/v1/customers?limit=2');
  });

  it('compares nothing across a write of T1’s own, another tenant’s write aimed at T1, or inside a batch', async () => {
    const inputs = await judgedInputs(({ read, ownWrite, probeAimedAtT1 }) => {
      read('/v1/customers?limit=2', { data: page(2) });
      ownWrite();
      read('/v1/customers?limit=2', { data: page(2) });
      probeAimedAtT1();
      read('/v1/customers?limit=2', { data: page(2) });
      read('/v1/customers?limit=2', { data: page(2) }, true);
      read('/v1/customers?limit=2', { data: page(2), marker: 'last' });
    });
    // Only the last read is compared, with the one after the probe (the batch's read is skipped).
    expect(inputs).toHaveLength(1);
    expect(inputs[0]!.together[0]!.response!.json).toMatchObject({ marker: 'last' });
    expect(inputs[0]!.alone[0]!.response!.json).not.toHaveProperty('marker');
  });

  it('keys pages of one list by their request without cursor and page size', () => {
    const op = plan.byId.get('listCustomers')!.op;
    expect(listKeyOf('/v1/customers?limit=2&q=Maria&cursor=abc', op)).toBe('/v1/customers?q=Maria');
    expect(listKeyOf('/v1/customers?q=Maria&limit=4', op)).toBe('/v1/customers?q=Maria');
    expect(listKeyOf('/v1/reports/summary', plan.byId.get('getReportSummary')!.op)).toBeUndefined();
  });
});
