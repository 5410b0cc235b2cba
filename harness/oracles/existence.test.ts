import { describe, expect, it } from 'vitest';
import { checkExistence } from './existence.ts';
import { ex, ID_B1, MISSING } from './oracle-fixtures.test-support.ts';

const problem = (id: string, rid: string, detail = 'Customer not found') => ({
  type: 'about:blank',
  title: 'Not Found',
  status: 404,
  detail,
  instance: `/v1/customers/${id}`,
  requestId: rid,
});
const headers = (rid: string) => ({
  'content-type': 'application/problem+json',
  'x-request-id': rid,
  date: 'Thu, 26 Nov 2026 06:00:00 GMT',
  'content-length': '120',
});

describe('existence oracle', () => {
  it('is clean when the 404s differ only by request id and the probed id', () => {
    const foreign = ex({
      relation: 'foreign',
      victim: 'T2',
      path: `/v1/customers/${ID_B1}`,
      status: 404,
      headers: headers('req-aaaa'),
      body: problem(ID_B1, 'req-aaaa'),
    });
    const missing = ex({
      path: `/v1/customers/${MISSING}`,
      status: 404,
      headers: { ...headers('req-bbbbbb'), date: 'Thu, 26 Nov 2026 06:00:01 GMT' },
      body: problem(MISSING, 'req-bbbbbb'),
    });
    expect(checkExistence([{ foreign, missing }])).toEqual([]);
  });

  it('raises on a 403 for a foreign id against a 404 for a missing one', () => {
    const foreign = ex({
      relation: 'foreign',
      victim: 'T2',
      path: `/v1/customers/${ID_B1}`,
      status: 403,
      headers: headers('r1'),
      body: { ...problem(ID_B1, 'r1'), status: 403, title: 'Forbidden' },
    });
    const missing = ex({
      path: `/v1/customers/${MISSING}`,
      status: 404,
      headers: headers('r2'),
      body: problem(MISSING, 'r2'),
    });
    const [f] = checkExistence([{ foreign, missing }]);
    expect(f).toMatchObject({ oracle: 'existence', severity: 'high', attacker: 'T1', victim: 'T2' });
    expect((f!.evidence['differences'] as Array<{ aspect: string }>).map((d) => d.aspect)).toContain('status');
  });

  it('raises on a differing body text, header set or shape', () => {
    const foreign = ex({
      relation: 'foreign',
      victim: 'T2',
      path: `/v1/customers/${ID_B1}`,
      status: 404,
      headers: { ...headers('r1'), 'x-record-owner': 'another-account' },
      body: problem(ID_B1, 'r1', 'Customer belongs to another account'),
    });
    const missing = ex({
      path: `/v1/customers/${MISSING}`,
      status: 404,
      headers: headers('r2'),
      body: problem(MISSING, 'r2'),
    });
    const [f] = checkExistence([{ foreign, missing }]);
    expect((f!.evidence['differences'] as Array<{ aspect: string }>).map((d) => d.aspect)).toEqual([
      'header-set',
      'body-text',
    ]);
    const shaped = ex({
      relation: 'foreign',
      victim: 'T2',
      path: `/v1/customers/${ID_B1}`,
      status: 404,
      headers: headers('r1'),
      body: { error: 'nope' },
    });
    const [g] = checkExistence([{ foreign: shaped, missing }]);
    expect((g!.evidence['differences'] as Array<{ aspect: string }>).map((d) => d.aspect)).toEqual(['body-shape']);
  });
});

describe('existence: unique-value differentials', () => {
  const create = (status: number, body: unknown, victim?: string) =>
    ex({
      relation: victim ? 'foreign' : 'own',
      ...(victim ? { victim } : {}),
      method: 'POST',
      path: '/users',
      status,
      body,
    });

  it("fires when reusing the victim's unique value gets a bare 500 where a fresh value gets 201", () => {
    const [f] = checkExistence([
      {
        kind: 'unique-value',
        foreign: create(500, { statusCode: 500, message: 'Internal server error' }, 'T2'),
        missing: create(201, { id: 'u-1', email: 'fresh@t1.example' }),
      },
    ]);
    expect(f).toMatchObject({ oracle: 'existence', proof: 'difference', evidence: { kind: 'unique-value' } });
  });

  it('fires when the status is the same but the error differs (409 conflict vs 409 something else)', () => {
    const [f] = checkExistence([
      {
        kind: 'unique-value',
        foreign: create(409, { type: 'https://x/email-taken', title: 'Conflict' }, 'T2'),
        missing: create(409, { type: 'https://x/idempotency', title: 'Conflict' }),
      },
    ]);
    expect(f?.evidence['differences']).toEqual([expect.objectContaining({ aspect: 'error' })]);
  });

  it('does not fire when uniqueness is per tenant (both creates succeed, with different bodies)', () => {
    expect(
      checkExistence([
        {
          kind: 'unique-value',
          foreign: create(201, { id: 'u-1', email: 'tpt2abcdefghij@t2.example' }, 'T2'),
          missing: create(201, { id: 'u-2', email: 'fresh@t1.example' }),
        },
      ]),
    ).toEqual([]);
  });

  it('does not compare a throttled answer (429)', () => {
    expect(
      checkExistence([{ kind: 'unique-value', foreign: create(429, {}, 'T2'), missing: create(201, { id: 'u-2' }) }]),
    ).toEqual([]);
  });
});

describe('existence: quirky but correct foreign-id answers', () => {
  it('does not fire on 200 with an empty body for a foreign id and for a missing one', () => {
    const foreign = ex({
      relation: 'foreign',
      victim: 'T2',
      path: `/tickets/${ID_B1}`,
      status: 200,
      bodyText: '',
      headers: {},
    });
    const missing = ex({ path: `/tickets/${MISSING}`, status: 200, bodyText: '', headers: {} });
    expect(checkExistence([{ foreign, missing }])).toEqual([]);
  });

  it('does not fire on rate-limit headers that count down between the two requests', () => {
    const h = (left: string) => ({
      'content-type': 'application/json',
      'ratelimit-remaining': left,
      'ratelimit-reset': '41',
      'x-ratelimit-remaining': left,
    });
    const foreign = ex({
      relation: 'foreign',
      victim: 'T2',
      path: `/c/${ID_B1}`,
      status: 404,
      headers: h('57'),
      body: { message: 'Contact not found' },
    });
    const missing = ex({
      path: `/c/${MISSING}`,
      status: 404,
      headers: h('56'),
      body: { message: 'Contact not found' },
    });
    expect(checkExistence([{ foreign, missing }])).toEqual([]);
  });
  it('does not fire when a short integer id also occurs inside an echoed blob or as another number', () => {
    // The same hex blob (a debug echo of the caller's credential) in both answers, holding the
    // probed id's digit; and a page number equal to the missing id. Neither is a difference.
    const blob = '65794a68624763694f694a49557a493134e6949';
    const body = (extra: Record<string, unknown>) => ({ error: 'project not found', debug: blob, ...extra });
    const foreign = ex({
      relation: 'foreign',
      victim: 'T2',
      path: '/projects/1',
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: body({ page: 7 }),
    });
    const missing = ex({
      path: '/projects/7',
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: body({ page: 7 }),
    });
    expect(checkExistence([{ foreign, missing }])).toEqual([]);
    // The rule still fires on a real difference between the same two ids.
    const told = ex({
      relation: 'foreign',
      victim: 'T2',
      path: '/projects/1',
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: { ...body({ page: 7 }), error: 'project 1 belongs to another organisation' },
    });
    const [f] = checkExistence([{ foreign: told, missing }]);
    expect(f?.evidence['differences']).toEqual([
      expect.objectContaining({ aspect: 'body-text', foreign: expect.stringContaining('another organisation') }),
    ]);
  });

  it('never compares an answer cut short, mislabelled-and-broken, or throttled', () => {
    const missing = ex({
      path: `/v1/customers/${MISSING}`,
      status: 404,
      headers: headers('r2'),
      body: problem(MISSING, 'r2'),
    });
    const whole = JSON.stringify(problem(ID_B1, 'r1'));
    const cut = ex({
      relation: 'foreign',
      victim: 'T2',
      path: `/v1/customers/${ID_B1}`,
      status: 404,
      headers: { ...headers('r1'), 'content-type': 'text/html' },
      bodyText: whole.slice(0, whole.length / 2),
    });
    const throttled = ex({
      relation: 'foreign',
      victim: 'T2',
      path: `/v1/customers/${ID_B1}`,
      status: 429,
      headers: { 'retry-after': '3' },
      bodyText: 'slow down',
    });
    expect(checkExistence([{ foreign: cut, missing }])).toEqual([]);
    expect(checkExistence([{ foreign: throttled, missing }])).toEqual([]);
    // The same difference with a whole body is compared, and found.
    const whole403 = ex({
      ...{ relation: 'foreign' as const, victim: 'T2' },
      path: `/v1/customers/${ID_B1}`,
      status: 403,
      headers: headers('r1'),
      body: { ...problem(ID_B1, 'r1'), status: 403 },
    });
    expect(checkExistence([{ foreign: whole403, missing }])).toHaveLength(1);
  });
});
