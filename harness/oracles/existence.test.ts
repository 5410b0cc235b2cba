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
      headers: { ...headers('r1'), 'x-cache': 'HIT' },
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
