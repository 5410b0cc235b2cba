/**
 * The cross-tenant-access proof rule, both ways: a finding needs victim-owned data in the answer, a
 * victim state change, or (for a reference) acceptance where a missing id is refused. Quirky but
 * correct APIs (2xx with an empty body for any id, 204 deletes of nothing) give observations.
 */
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../model/exchange.ts';
import { checkCrossTenantAccess } from './cross-tenant-access.ts';
import { ex, ID_B1, MISSING } from './oracle-fixtures.test-support.ts';

const probe = (status: number, method = 'GET', body: unknown = status < 400 ? { id: ID_B1 } : { title: 'Not Found' }) =>
  ex({ relation: 'foreign', victim: 'T2', method, path: `/v1/customers/${ID_B1}`, status, body });
const missing = (status = 404, body: unknown = { title: 'Not Found' }) =>
  ex({ relation: 'own', path: `/v1/customers/${MISSING}`, status, body });
const reread = (body: unknown, status = 200) => ex({ tenant: 'T2', path: `/v1/customers/${ID_B1}`, status, body });
/** Victim-owned values: here, any canary of T2's in the body. */
const ctx = { victimValues: (e: Exchange) => e.response?.bodyText.match(/tpT2[a-z0-9]{10}/g) ?? [] };
const emptyOk = (status: number, method = 'GET') =>
  ex({ relation: 'foreign', victim: 'T2', method, path: `/v1/tickets/${ID_B1}`, status, bodyText: '', headers: {} });
const emptyMissing = (status: number, method = 'GET') =>
  ex({ method, path: `/v1/tickets/${MISSING}`, status, bodyText: '', headers: {} });

describe('cross-tenant-access: must fire', () => {
  it("on a foreign read whose answer carries the victim's data", () => {
    const { findings } = checkCrossTenantAccess(
      [{ probe: probe(200, 'GET', { id: ID_B1, name: 'tpT2abcdefghij' }), missing: missing() }],
      ctx,
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      oracle: 'cross-tenant-access',
      proof: 'victim-data',
      attacker: 'T1',
      victim: 'T2',
      evidence: { kind: 'foreign-answer-carries-victim-data', values: ['tpT2abcdefghij'] },
    });
  });

  it("when the victim's record changed after a foreign update, naming the field", () => {
    const { findings } = checkCrossTenantAccess(
      [
        {
          probe: probe(404, 'PATCH'),
          before: reread({ id: ID_B1, name: 'Old', requestId: 'r1' }),
          after: reread({ id: ID_B1, name: 'New', requestId: 'r2' }),
        },
      ],
      ctx,
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      proof: 'victim-state-change',
      evidence: { kind: 'victim-record-changed', changes: [{ path: '/name', before: 'Old', after: 'New' }] },
    });
  });

  it("when the victim's record disappeared after a foreign delete answered like a missing id", () => {
    const { findings } = checkCrossTenantAccess(
      [
        {
          probe: emptyOk(204, 'DELETE'),
          missing: emptyMissing(204, 'DELETE'),
          before: reread({ id: ID_B1 }),
          after: reread({ title: 'Not Found' }, 404),
        },
      ],
      ctx,
    );
    expect(findings.map((f) => f.evidence['kind'])).toEqual(['victim-record-gone']);
  });

  it('when a create referencing the victim succeeds where a missing reference is refused (a difference, to confirm by replay)', () => {
    const ref = ex({
      relation: 'foreign',
      victim: 'T2',
      method: 'POST',
      path: '/v1/jobs',
      status: 201,
      body: { id: 'job-1' },
    });
    const twin = ex({ method: 'POST', path: '/v1/jobs', status: 404, body: { title: 'Customer not found' } });
    const { findings } = checkCrossTenantAccess([{ probe: ref, reference: true, missing: twin }], ctx);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ proof: 'difference', evidence: { kind: 'foreign-reference-accepted' } });
  });
});

describe('cross-tenant-access: must not fire', () => {
  it('on a framework that answers 200 with an empty body for any id, foreign or missing (an observation instead)', () => {
    const { findings, observations } = checkCrossTenantAccess(
      [{ probe: emptyOk(200), missing: emptyMissing(200) }],
      ctx,
    );
    expect(findings).toEqual([]);
    expect(observations).toHaveLength(1);
    expect(observations[0]).toMatchObject({ kind: 'answers-2xx-for-unheld-ids' });
  });

  it("on a 204 delete of a foreign id that deleted nothing (the victim's record is unchanged)", () => {
    const { findings } = checkCrossTenantAccess(
      [
        {
          probe: emptyOk(204, 'DELETE'),
          missing: emptyMissing(204, 'DELETE'),
          before: reread({ id: ID_B1, name: 'Same' }),
          after: reread({ id: ID_B1, name: 'Same' }),
        },
      ],
      ctx,
    );
    expect(findings).toEqual([]);
  });

  it('when the probe fails like a missing id and the record is unchanged', () => {
    const { findings } = checkCrossTenantAccess(
      [
        {
          probe: probe(404, 'PATCH'),
          missing: missing(),
          before: reread({ id: ID_B1, name: 'Same', requestId: 'a' }),
          after: reread({ id: ID_B1, name: 'Same', requestId: 'b' }),
        },
      ],
      ctx,
    );
    expect(findings).toEqual([]);
  });

  it('on throttled or failing answers (429, 5xx), which are not observations', () => {
    const { findings, observations } = checkCrossTenantAccess(
      [
        { probe: probe(429), missing: missing() },
        { probe: probe(503), before: reread({ id: ID_B1 }), after: reread({}, 503) },
      ],
      ctx,
    );
    expect(findings).toEqual([]);
    expect(observations).toEqual([]);
  });

  it('on a create referencing the victim that succeeds exactly as one referencing nothing (an observation)', () => {
    const ref = ex({
      relation: 'foreign',
      victim: 'T2',
      method: 'POST',
      path: '/v1/jobs',
      status: 201,
      body: { id: 'job-1' },
    });
    const twin = ex({ method: 'POST', path: '/v1/jobs', status: 201, body: { id: 'job-2' } });
    const { findings, observations } = checkCrossTenantAccess([{ probe: ref, reference: true, missing: twin }], ctx);
    expect(findings).toEqual([]);
    expect(observations.map((o) => o.kind)).toEqual(['references-not-checked']);
  });
});
