import { describe, expect, it } from 'vitest';
import { computeIncidents } from './incidents.ts';
import { runBody, runEntries } from './ledger-fixtures.test-support.ts';

const day = (n: number): string => new Date(Date.UTC(2026, 0, n, 2)).toISOString();
const leak = [{ oracle: 'foreign-data' }, { id: 'F2', oracle: 'cross-tenant-access', leaked: [] }];

describe('incidents', () => {
  it('first seen, seen again, fixed in the first clean run that covered it, reopened, with times to fix', () => {
    const runs = runEntries([
      runBody('r1', day(1), { version: 'v1' }),
      runBody('r2', day(2), { version: 'v2', findings: leak }),
      runBody('r3', day(3), { version: 'v3', findings: leak }),
      runBody('r4', day(5), { version: 'v4' }),
      runBody('r5', day(9), { version: 'v5', findings: [{ oracle: 'foreign-data' }] }),
    ]);
    const [inc, ...rest] = computeIncidents(runs);
    expect(rest).toEqual([]);
    expect(inc!.id).toBe('INC-1');
    expect(inc!.oracles).toEqual(['foreign-data', 'cross-tenant-access']);
    expect(inc!.firstSeen.targetVersion).toBe('v2');
    expect(inc!.lastSeen.targetVersion).toBe('v5');
    expect(inc!.fixes.map((r) => r.targetVersion)).toEqual(['v4']);
    expect(inc!.reopened.map((r) => r.targetVersion)).toEqual(['v5']);
    expect(inc!.status).toBe('open');
    expect(inc!.episodes[0]!.timeToFixMs).toBe(3 * 86_400_000);
    expect(inc!.events.map((e) => `${e.type}@${e.run.targetVersion}`)).toEqual([
      'first-seen@v2',
      'seen-again@v3',
      'fixed@v4',
      'reopened@v5',
    ]);
    expect(inc!.detection.run.runId).toBe('r2');
  });

  it('with grouping "oracle", each oracle is an incident of its own', () => {
    const runs = runEntries([runBody('r1', day(1), { findings: leak }), runBody('r2', day(2))]);
    const incs = computeIncidents(runs, 'oracle');
    expect(incs.map((i) => i.oracles)).toEqual([['foreign-data'], ['cross-tenant-access']]);
    expect(incs.every((i) => i.status === 'fixed')).toBe(true);
  });

  it('a run that did not cover the operation with every oracle that saw it does not fix it', () => {
    const runs = runEntries([
      runBody('r1', day(1), { findings: leak }),
      runBody('r2', day(2), { covered: [['getCustomer', 'foreign-data', 'foreign']] }),
      runBody('r3', day(3), {
        covered: [
          ['getCustomer', 'foreign-data', 'own'],
          ['getCustomer', 'cross-tenant-access', 'own'],
        ],
      }),
      runBody('r4', day(4)),
    ]);
    const [inc] = computeIncidents(runs);
    expect(inc!.fixes.map((r) => r.runId)).toEqual(['r4']);
  });

  it('an oracle whose negative control failed cannot vouch for a fix', () => {
    const runs = runEntries([
      runBody('r1', day(1), { findings: [{}] }),
      runBody('r2', day(2), { failedOracles: ['foreign-data'], verdict: 'inconclusive' }),
      runBody('r3', day(3)),
    ]);
    expect(computeIncidents(runs)[0]!.fixes.map((r) => r.runId)).toEqual(['r3']);
  });

  it('an unconfirmed finding neither opens, reopens nor fixes an incident', () => {
    const runs = runEntries([
      runBody('r1', day(1), { findings: [{ confirmation: 'unconfirmed', operationId: 'listCustomers' }] }),
      runBody('r2', day(2), { findings: [{}] }),
      runBody('r3', day(3), { findings: [{ confirmation: 'unconfirmed' }] }),
      runBody('r4', day(4)),
    ]);
    const incs = computeIncidents(runs);
    expect(incs).toHaveLength(1);
    expect(incs[0]!.events.map((e) => `${e.type}@${e.run.runId}`)).toEqual([
      'first-seen@r2',
      'unconfirmed@r3',
      'fixed@r4',
    ]);
  });

  it('orders runs by when they started, not by when they were added', () => {
    const runs = runEntries([runBody('late-clean', day(5)), runBody('early-leak', day(1), { findings: [{}] })]);
    const [inc] = computeIncidents(runs);
    expect(inc!.firstSeen.runId).toBe('early-leak');
    expect(inc!.fixes.map((r) => r.runId)).toEqual(['late-clean']);
  });

  it('the identity survives other seeds, tenants and ids: only oracle, operation, probe and relation count', () => {
    const runs = runEntries([
      runBody('r1', day(1), {
        findings: [{ repro: [{ tenant: 'T4', method: 'GET', path: '/v1/customers/{customerId}' }] }],
      }),
      runBody('r2', day(2), { findings: [{ id: 'F9', transcriptLines: [900] }] }),
      runBody('r3', day(3), { findings: [{ relation: 'injected', probe: 'header-injection' }] }),
    ]);
    const incs = computeIncidents(runs);
    expect(incs.map((i) => [i.probe, i.relation, i.sightings])).toEqual([
      ['cross-tenant-read', 'foreign', 2],
      ['header-injection', 'injected', 1],
    ]);
  });
});
