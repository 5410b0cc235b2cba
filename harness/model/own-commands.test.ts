import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import type { ApiModel } from '../openapi/api-model.ts';
import type { OwnCommandSpec } from './command-spec.ts';
import {
  commandSpecArbitrary,
  MAX_REPEAT,
  MAX_WALK_PAGE_SIZE,
  MAX_WALK_PAGES,
  runOwnCommand,
  type CommandRunner,
} from './commands.ts';
import { buildPlan, type CampaignPlan } from './plan.ts';
import { specValueSource } from './spec-value-source.ts';
import type { Step } from './step.ts';
import { World } from './world.ts';

const spec = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'specs', 'crm.openapi.yaml');
let model: ApiModel;
let plan: CampaignPlan;
beforeAll(async () => {
  model = await analyzeSpecFile(spec);
  plan = buildPlan(model);
});

/**
 * A runner over a scripted server: `answer(step, n)` is the JSON of the n-th request (0-based). It
 * numbers and records steps as the executor does, so references resolve against `world.responses`.
 */
function scriptedRunner(answer: (step: Step, n: number) => unknown): CommandRunner & { sent: Step[] } {
  const world = new World(['T1', 'T2']);
  world.tenant('T1').records.push({ resource: 'customer', id: 'c1', createdBy: 0, idField: 'id', alive: true });
  world.steps.push({} as Step); // step 0 made the customer
  const sent: Step[] = [];
  return {
    world,
    sent,
    builder: { plan, world, labels: ['T1', 'T2'], pageSize: 2 },
    async runStep(step) {
      step.index = world.steps.length;
      world.steps.push(step);
      world.responses.set(step.index, { status: 200, json: answer(step, sent.length), headers: {} });
      sent.push(step);
    },
    async runBatch() {},
    async checkpoint() {},
    canContinue: () => true,
  };
}

const own = (extra: Partial<OwnCommandSpec>): OwnCommandSpec => ({
  kind: 'own',
  action: 'list',
  operationId: 'listCustomers',
  tenant: 0,
  selector: 0,
  values: { query: {}, nonce: 'n0nce0000000' },
  ...extra,
});

describe('a page walk', () => {
  it('sends each page as a step whose cursor refers to the page before, to the last page', async () => {
    const runner = scriptedRunner((_s, n) => ({ data: [{ id: `r${n}` }], nextCursor: n < 2 ? `cur${n}` : null }));
    await runOwnCommand(runner, own({ paginate: { pageSize: 1 } }));
    expect(runner.sent.map((s) => s.query)).toEqual([
      { limit: 1 },
      { limit: 1, cursor: { $from: 1, path: 'nextCursor' } },
      { limit: 1, cursor: { $from: 2, path: 'nextCursor' } },
    ]);
    expect(runner.sent.every((s) => s.action === 'list' && s.relation === 'own' && s.tenant === 'T1')).toBe(true);
  });

  it('stops on a cursor it saw before, and after MAX_WALK_PAGES pages', async () => {
    const loops = scriptedRunner(() => ({ data: [{ id: 'x' }], nextCursor: 'same' }));
    await runOwnCommand(loops, own({ paginate: { pageSize: 1 } }));
    expect(loops.sent).toHaveLength(2);
    const endless = scriptedRunner((_s, n) => ({ data: [{ id: 'x' }], nextCursor: `c${n}` }));
    await runOwnCommand(endless, own({ paginate: { pageSize: 1 } }));
    expect(endless.sent).toHaveLength(MAX_WALK_PAGES);
  });

  it('walks again from the first page when repeated, and a repeated read sends the same request k times', async () => {
    const runner = scriptedRunner((s) => ({ data: [], nextCursor: s.query['cursor'] ? null : 'c' }));
    await runOwnCommand(runner, own({ paginate: { pageSize: 2 }, repeat: 2 }));
    expect(runner.sent.map((s) => s.query['cursor'] === undefined)).toEqual([true, false, true, false]);
    const reads = scriptedRunner(() => ({ id: 'c1' }));
    await runOwnCommand(reads, own({ action: 'read', operationId: 'getCustomer', repeat: 5 }));
    expect(reads.sent).toHaveLength(5);
    expect(new Set(reads.sent.map((s) => JSON.stringify({ ...s, index: 0 })))).toHaveProperty('size', 1);
    expect(reads.sent.map((s) => s.index)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('page walks and repeated reads in the generated commands', () => {
  it('are drawn with small page sizes and 2..MAX_REPEAT repeats, and never join a concurrent batch', () => {
    const samples = fc.sample(
      commandSpecArbitrary({ plan, labels: ['T1', 'T2'], values: specValueSource(model, 'run-test'), maxBatch: 3 }),
      { seed: 9, numRuns: 1500 },
    );
    const singles = samples.filter((c): c is OwnCommandSpec => c.kind === 'own');
    const walks = singles.filter((c) => c.paginate);
    const repeats = singles.filter((c) => c.repeat !== undefined);
    expect(walks.length).toBeGreaterThan(5);
    expect(repeats.length).toBeGreaterThan(5);
    for (const w of walks) {
      expect(w.paginate!.pageSize).toBeGreaterThanOrEqual(1);
      expect(w.paginate!.pageSize).toBeLessThanOrEqual(MAX_WALK_PAGE_SIZE);
      expect(plan.byId.get(w.operationId)!.op.pagination?.param).toBeDefined();
    }
    for (const r of repeats) {
      expect(r.repeat).toBeGreaterThanOrEqual(2);
      expect(r.repeat).toBeLessThanOrEqual(MAX_REPEAT);
      expect(plan.byId.get(r.operationId)!.op.method).toBe('get');
    }
    const members = samples.flatMap((c) => (c.kind === 'batch' ? c.members : []));
    expect(members.length).toBeGreaterThan(50);
    expect(members.some((m) => m.kind === 'own' && (m.paginate || m.repeat))).toBe(false);
    expect(singles.some((c) => c.queryMode === 'shared-word')).toBe(true);
  });
});
