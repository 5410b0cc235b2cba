import { describe, expect, it } from 'vitest';
import { leakFinding, VICTIM_CANARY, VICTIM_EMAIL, VICTIM_ID } from './ledger-fixtures.test-support.ts';
import { leakedKinds, leakKindText } from './leaked-kinds.ts';

describe('leakedKinds', () => {
  it('keeps kinds, parts and source fields of the hits, and none of their values', () => {
    const kinds = leakedKinds(leakFinding());
    expect(kinds).toEqual([
      { kind: 'canary', part: 'body', field: 'createCustomer.request.body' },
      { kind: 'generated', part: 'body', field: 'createCustomer.request.body.email' },
    ]);
    expect(kinds.map(leakKindText)).toEqual([
      'canary in body (createCustomer.request.body)',
      'generated in body (createCustomer.request.body.email)',
    ]);
    const all = JSON.stringify(kinds);
    for (const v of [VICTIM_ID, VICTIM_CANARY, VICTIM_EMAIL]) expect(all).not.toContain(v);
  });

  it('reads the other oracles’ vocabulary, drops anything that is not a plain name, falls back on the proof', () => {
    expect(
      leakedKinds({
        evidence: {
          kind: 'foreign-id',
          differences: [{ aspect: 'status' }, { aspect: 'header:content-type' }, { aspect: `"${VICTIM_ID}"\n<x>` }],
          changes: [{ path: 'name' }],
        },
      }),
    ).toEqual([
      { kind: 'foreign-id' },
      { kind: 'differs-from-missing', field: 'status' },
      { kind: 'differs-from-missing', field: 'header:content-type' },
      { kind: 'differs-from-missing' },
      { kind: 'field-changed', field: 'name' },
    ]);
    expect(leakedKinds({ evidence: { kind: 'has spaces? and "quotes"' }, proof: 'victim-state-change' })).toEqual([
      { kind: 'victim-record-changed' },
    ]);
  });
});
