import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../model/exchange.ts';
import type { Step } from '../model/step.ts';
import type { CampaignState } from './campaign-state.ts';
import type { StepResult } from './run-context.ts';
import { closure, readsOf, remapCheckpoints, shrinkSteps, withDependents, type ShrunkSteps } from './step-shrink.ts';

const step = (index: number, tenant: string, action: Step['action'], extra: Partial<Step> = {}): Step => ({
  index,
  tenant,
  operationId: `${action}Thing`,
  action,
  relation: extra.probe ? 'foreign' : 'own',
  method: action === 'create' ? 'POST' : 'GET',
  path: '/things',
  pathParams: {},
  query: {},
  headers: {},
  ...extra,
});

describe('what a step reads', () => {
  it('finds ValueRefs anywhere in the request and the record it works on, not tenant ids', () => {
    const s = step(5, 'T2', 'read', {
      pathParams: { id: { $from: 1, path: 'id' } },
      query: { cursor: { $from: 3, path: 'nextCursor' }, org: { $tenantId: 'T1' } },
      body: { items: [{ parent: { $from: 2, path: 'id' } }] },
      recordFrom: 4,
    });
    expect([...readsOf(s)].sort()).toEqual([1, 2, 3, 4]);
  });

  it('keeps what kept steps read, transitively, and removes what reads removed steps', () => {
    const steps = [
      step(0, 'T1', 'create'),
      step(1, 'T1', 'create', { body: { parent: { $from: 0, path: 'id' } } }),
      step(2, 'T2', 'list'),
      step(3, 'T2', 'read', { probe: 'cross-tenant-read', pathParams: { id: { $from: 1, path: 'id' } } }),
    ];
    expect([...closure(steps, [3])].sort()).toEqual([0, 1, 3]);
    expect([...withDependents(steps, [0])].sort()).toEqual([0, 1, 3]);
    expect([...withDependents(steps, [2])]).toEqual([2]);
  });

  it('moves mid-run checkpoints with the steps kept, dropping those at either end', () => {
    expect(remapCheckpoints([2, 4], [0, 1, 3, 5])).toEqual([2, 3]);
    expect(remapCheckpoints([1], [2, 3])).toEqual([]);
  });
});

/**
 * A target model for the shrinker: the finding fires when the attacker reads a record of the victim
 * while the victim has at least `records` records (so the minimum is `records` creates + the read).
 */
function fakeState(records: number): { state: CampaignState; runs: () => number } {
  let runs = 0;
  const state = {
    o: { tenants: 4 },
    deadline: undefined as number | undefined,
    stopped: () => false,
    cleanup: async () => undefined,
    newRun: async () => {
      runs++;
      const primary: Step[] = [];
      const primaryResults: StepResult[] = [];
      const findings: Finding[] = [];
      let seq = 0;
      const created = new Set<number>();
      const runStep = async (s: Step): Promise<void> => {
        const sent = { ...s, index: primary.length };
        primary.push(sent);
        primaryResults.push({ seq: ++seq, status: 200 });
        if (s.action === 'create' && s.tenant === 'T1') created.add(sent.index);
        const target = s.pathParams['id'];
        if (s.probe === 'cross-tenant-read' && typeof target === 'object' && target !== null && '$from' in target)
          if (created.size >= records)
            findings.push({
              oracle: 'foreign-data',
              operationId: s.operationId,
              probe: 'cross-tenant-read',
              severity: 'critical',
              summary: 'leak',
              exchanges: [seq],
              proof: 'victim-data',
              evidence: {},
            } as unknown as Finding);
      };
      return {
        primary,
        primaryResults,
        findings,
        runStep,
        runBatch: async (steps: Step[]) => {
          for (const s of steps) await runStep(s);
        },
        checkpoint: async () => undefined,
        midRunCheckpoints: () => [],
      };
    },
  };
  // Only the members the shrinker uses are implemented.
  return { state: state as unknown as CampaignState, runs: () => runs };
}

describe('shrinking steps with the model', () => {
  it('shrinks any noisy run to the needed creates and the probe (property, fixed seed)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.boolean(), { minLength: 0, maxLength: 14 }),
        async (records, noise) => {
          // Victim creates interleaved with noise (attacker lists, extra victim creates), then the probe.
          const steps: Step[] = [];
          for (let r = 0; r < records; r++) steps.push(step(steps.length, 'T1', 'create'));
          for (const extraCreate of noise)
            steps.push(extraCreate ? step(steps.length, 'T1', 'create') : step(steps.length, 'T2', 'list'));
          steps.push(
            step(steps.length, 'T2', 'read', {
              probe: 'cross-tenant-read',
              pathParams: { id: { $from: 0, path: 'id' } },
            }),
          );
          const start: ShrunkSteps = {
            steps,
            results: steps.map((_, i) => ({ seq: i + 1, status: 200 })),
            findings: [{ oracle: 'foreign-data', exchanges: [steps.length] } as unknown as Finding],
            commands: [],
          };
          const { state } = fakeState(records);
          const out = await shrinkSteps(
            state,
            start,
            'foreign-data|readThing|cross-tenant-read',
            Number.MAX_SAFE_INTEGER,
          );
          expect(out.steps.filter((s) => s.action === 'create')).toHaveLength(records);
          expect(out.steps).toHaveLength(records + 1);
          expect(out.findings[0]!.oracle).toBe('foreign-data');
        },
      ),
      { seed: 16, numRuns: 25 },
    );
  });

  it('keeps the run as found when no smaller candidate reproduces', async () => {
    const steps = [
      step(0, 'T1', 'create'),
      step(1, 'T2', 'read', { probe: 'cross-tenant-read', pathParams: { id: { $from: 0, path: 'id' } } }),
    ];
    const start: ShrunkSteps = {
      steps,
      results: [
        { seq: 1, status: 201 },
        { seq: 2, status: 200 },
      ],
      findings: [{ oracle: 'foreign-data', exchanges: [2] } as unknown as Finding],
      commands: ['as found'],
    };
    const { state } = fakeState(5); // never fires with 1 record
    const out = await shrinkSteps(state, start, 'foreign-data|readThing|cross-tenant-read', Number.MAX_SAFE_INTEGER);
    expect(out).toBe(start);
  });

  it('stops at the deadline, keeping the best so far', async () => {
    const steps = Array.from({ length: 6 }, (_, i) => step(i, 'T1', 'create'));
    const start: ShrunkSteps = {
      steps,
      findings: [{ oracle: 'foreign-data', exchanges: [] } as unknown as Finding],
      commands: [],
    };
    const { state, runs } = fakeState(1);
    const out = await shrinkSteps(state, start, 'k', Date.now() - 1);
    expect(runs()).toBe(0);
    expect(out).toBe(start);
  });
});
