import { describe, expect, it } from 'vitest';
import type { Exchange } from '../model/exchange.ts';
import { findingRelation, relationOfProbe } from './finding-record.ts';
import { leakFinding, runExchanges } from './ledger-fixtures.test-support.ts';

describe('a finding’s relation', () => {
  it('is the relation of the exchange it was raised on, as the transcript records it', () => {
    const [, read] = runExchanges(true);
    const cited = new Map<number, Exchange>([[2, { ...read!, relation: 'injected' }]]);
    expect(findingRelation(leakFinding(), cited)).toBe('injected');
  });

  it('falls back on the probe when the transcript line is not there', () => {
    expect(findingRelation(leakFinding(), undefined)).toBe('foreign');
    expect(
      ['cross-tenant-delete', 'foreign-cursor', 'canary-search', 'header-injection', 'list-own', undefined].map(
        relationOfProbe,
      ),
    ).toEqual(['foreign', 'foreign', 'foreign', 'injected', 'own', 'own']);
  });
});
