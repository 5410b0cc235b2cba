import { describe, expect, it } from 'vitest';
import type { OracleName } from '../model/exchange.ts';
import type { ProbeName } from '../model/probe.ts';
import { ORACLES } from '../oracles/index.ts';
import { buildControlMapping, CONTROLS, verdictWithReason, type MappedFinding } from './controls.ts';

const passed = { outcome: 'passed', oracles: [] };
const judged = [{ oracle: 'foreign-data' as const, count: 40 }];
const facts = (o: Partial<Parameters<typeof verdictWithReason>[0]> = {}): Parameters<typeof verdictWithReason>[0] => ({
  findings: [],
  coverage: judged,
  negativeControl: passed,
  ...o,
});

describe('the verdict (controls.ts verdictWithReason)', () => {
  it('is LEAK for one confirmed finding among unconfirmed ones, whatever else went wrong', () => {
    for (const confirmation of ['self-proving', 'replay', undefined]) {
      const v = verdictWithReason(
        facts({
          findings: [
            { oracle: 'model', confirmation: 'unconfirmed' },
            { oracle: 'foreign-data', confirmation },
          ],
          negativeControl: { outcome: 'failed', oracles: [] },
          coverageGate: { ratio: 0.1, minimum: 0.8, detail: 'x' },
        }),
      );
      expect(v).toEqual({ verdict: 'leak' });
    }
  });

  it('is INCONCLUSIVE, saying why, for unconfirmed findings alone', () => {
    const v = verdictWithReason(facts({ findings: [{ oracle: 'existence', confirmation: 'unconfirmed' }] }));
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toMatch(/^1 unconfirmed finding\(s\): none proves itself/);
  });

  it('is INCONCLUSIVE when most answers were unusable (timeouts, truncated bodies), and names the causes', () => {
    const dead = verdictWithReason(
      facts({
        unusable: { count: 6, requests: 7, causes: 'TIMEOUT×5, truncated×1' },
        negativeControl: { outcome: 'skipped', oracles: [] },
      }),
    );
    expect(dead).toEqual({
      verdict: 'inconclusive',
      reason: expect.stringContaining('no usable answer to 6 of 7 requests (TIMEOUT×5, truncated×1)'),
    });
    // A few bad answers among many are data, not a dead target.
    expect(verdictWithReason(facts({ unusable: { count: 3, requests: 100, causes: 'TIMEOUT×3' } }))).toEqual({
      verdict: 'clean',
    });
    // A confirmed leak stays a leak, whatever else went wrong.
    expect(
      verdictWithReason(
        facts({
          findings: [{ oracle: 'foreign-data', confirmation: 'self-proving' }],
          unusable: { count: 9, requests: 10, causes: 'TIMEOUT×9' },
        }),
      ).verdict,
    ).toBe('leak');
  });

  it('is INCONCLUSIVE when most answers were throttled, or coverage is below the gate', () => {
    const throttled = verdictWithReason(facts({ throttling: { answers: 9291, throttled: 9196 } }));
    expect(throttled.verdict).toBe('inconclusive');
    expect(throttled.reason).toContain('throttled 9196 of 9291 answers');
    expect(verdictWithReason(facts({ throttling: { answers: 100, throttled: 50 } }))).toEqual({ verdict: 'clean' });
    const thin = verdictWithReason(facts({ coverageGate: { ratio: 3 / 12, minimum: 0.8, detail: 'not probed: …' } }));
    expect(thin).toEqual({
      verdict: 'inconclusive',
      reason: 'coverage 25% is below --min-coverage 80%: not probed: …',
    });
  });

  it('is INCONCLUSIVE when the negative control did not pass or nothing was judged', () => {
    expect(verdictWithReason(facts({ negativeControl: { outcome: 'failed', oracles: [] } })).verdict).toBe(
      'inconclusive',
    );
    expect(verdictWithReason(facts({ coverage: [{ oracle: 'model', count: 0 }] })).reason).toBe(
      'no oracle judged anything',
    );
  });

  it('is CLEAN at or above the gate', () => {
    expect(verdictWithReason(facts({ coverageGate: { ratio: 0.8, minimum: 0.8, detail: '' } }))).toEqual({
      verdict: 'clean',
    });
  });
});

describe('the control mapping, from the kinds of finding that bear on each control', () => {
  const judged = ORACLES.oracles.map((o) => ({ oracle: o.name, count: 5 }));
  const mapping = (findings: MappedFinding[]) =>
    Object.fromEntries(
      buildControlMapping({ findings, coverage: judged, negativeControl: { oracles: [] } }).map((c) => [c.id, c]),
    );

  it('a plain cross-tenant read by id (get-unscoped): V8.2.2 and AC-3 violated, V8.4.1 and SC-4 not', () => {
    const m = mapping([
      { id: 'F1', oracle: 'foreign-data', probe: 'cross-tenant-read' },
      { id: 'F2', oracle: 'cross-tenant-access', probe: 'cross-tenant-read' },
    ]);
    for (const id of ['V8.2.2', 'AC-3', 'API1:2023', 'A.8.3', 'AC-4', 'CC6.1'])
      expect(m[id], id).toMatchObject({ status: 'violated', findings: ['F1', 'F2'] });
    for (const id of ['V8.4.1', 'SC-4', 'API3:2023', 'API5:2023'])
      expect(m[id], id).toMatchObject({ status: 'tested-not-violated', findings: [] });
  });

  // Per control: finding kinds (oracle on probe) that must violate it, and some that must not.
  const TABLE: Record<string, { violate: [OracleName, ProbeName][]; not: [OracleName, ProbeName][] }> = {
    'CC6.1': {
      violate: [
        ['foreign-data', 'own-call'],
        ['audit', 'audit-check'],
        ['injection', 'header-injection'],
      ],
      not: [],
    },
    'A.8.3': {
      violate: [
        ['cross-tenant-access', 'cross-tenant-delete'],
        ['existence', 'foreign-unique-value'],
        ['injection', 'body-injection'],
      ],
      not: [
        ['non-interference', 'interleaved'],
        ['model', 'list-own'],
      ],
    },
    'IVS-06': {
      violate: [
        ['non-interference', 'own-call'],
        ['model', 'export-check'],
      ],
      not: [],
    },
    'V8.2.2': {
      violate: [
        ['cross-tenant-access', 'cross-tenant-update'],
        ['foreign-data', 'cross-tenant-action'],
        ['cross-tenant-access', 'foreign-reference'],
      ],
      not: [
        ['injection', 'header-injection'],
        ['model', 'list-own'],
        ['existence', 'foreign-unique-value'],
        ['foreign-data', 'own-call'],
      ],
    },
    'V8.4.1': {
      violate: [
        ['injection', 'query-injection'],
        ['model', 'canary-search'],
        ['audit', 'audit-check'],
        ['foreign-data', 'foreign-cursor'],
      ],
      not: [
        ['cross-tenant-access', 'cross-tenant-read'],
        ['non-interference', 'interleaved'],
        ['foreign-data', 'own-call'],
      ],
    },
    'API1:2023': { violate: [['existence', 'cross-tenant-read']], not: [['injection', 'body-injection']] },
    'API3:2023': {
      violate: [
        ['injection', 'body-injection'],
        ['foreign-data', 'list-own'],
      ],
      not: [
        ['cross-tenant-access', 'cross-tenant-read'],
        ['model', 'aggregate-check'],
      ],
    },
    'API5:2023': {
      violate: [
        ['model', 'export-check'],
        ['foreign-data', 'aggregate-check'],
        ['injection', 'header-injection'],
      ],
      not: [
        ['cross-tenant-access', 'cross-tenant-delete'],
        ['injection', 'body-injection'],
      ],
    },
    'AC-3': {
      violate: [
        ['cross-tenant-access', 'cross-tenant-read'],
        ['injection', 'body-injection'],
      ],
      not: [
        ['model', 'list-own'],
        ['non-interference', 'own-call'],
        ['audit', 'audit-check'],
      ],
    },
    'AC-4': {
      violate: [
        ['foreign-data', 'export-check'],
        ['model', 'aggregate-check'],
        ['existence', 'foreign-unique-value'],
      ],
      not: [
        ['audit', 'audit-check'],
        ['injection', 'header-injection'],
      ],
    },
    'SC-4': {
      violate: [
        ['non-interference', 'own-call'],
        ['foreign-data', 'own-call'],
        ['model', 'interleaved'],
      ],
      not: [
        ['foreign-data', 'cross-tenant-read'],
        ['injection', 'header-injection'],
        ['model', 'list-own'],
      ],
    },
  };

  it('covers every control', () => {
    expect(Object.keys(TABLE).sort()).toEqual(CONTROLS.map((c) => c.id).sort());
  });

  it.each(Object.entries(TABLE))('%s: violated by its kinds of finding, and only those', (id, { violate, not }) => {
    for (const [oracle, probe] of violate)
      expect(mapping([{ id: 'F1', oracle, probe }])[id]!.status, `${oracle} on ${probe}`).toBe('violated');
    for (const [oracle, probe] of not)
      expect(mapping([{ id: 'F1', oracle, probe }])[id]!.status, `${oracle} on ${probe}`).toBe('tested-not-violated');
  });

  it('is not-tested when none of its oracles judged anything, and inconclusive when the negative control failed for one', () => {
    const none = buildControlMapping({ findings: [], coverage: [], negativeControl: { oracles: [] } });
    expect(new Set(none.map((c) => c.status))).toEqual(new Set(['not-tested']));
    const failed = buildControlMapping({
      findings: [],
      coverage: judged,
      negativeControl: { oracles: [{ oracle: 'existence', outcome: 'failed' }] },
    });
    expect(failed.find((c) => c.id === 'A.8.3')!.status).toBe('inconclusive');
  });
});
