import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { coverageGate, mergeCoverage } from '../evidence/coverage-gate.ts';
import type { CoverageCell } from '../evidence/evidence-schema.ts';
import { buildPlan, type CampaignPlan } from '../model/plan.ts';
import { campaignScope, type CampaignScope } from '../model/scope.ts';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import { coverageSummary, type RunFacts } from './coverage-summary.ts';

/** Deskly: a framework-generated spec with no response schemas (ids are learned from answers). */
const SPEC = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'examples',
  'framework-style',
  'openapi.json',
);
let plan: CampaignPlan;
let scope: CampaignScope;
beforeAll(async () => {
  const model = await analyzeSpecFile(SPEC);
  plan = buildPlan(model);
  scope = campaignScope(model, plan);
});

const facts = (answers: Record<string, Record<number, number>>, tenantIdsKnown = true): RunFacts => ({
  answers: new Map(
    Object.entries(answers).map(([op, s]) => [op, new Map(Object.entries(s).map(([k, v]) => [Number(k), v]))]),
  ),
  tenantIdsKnown,
});
const foreign = (operationId: string, count = 1): CoverageCell => ({
  operationId,
  oracle: 'cross-tenant-access',
  relation: 'foreign',
  count,
});
const reasonOf = (s: ReturnType<typeof coverageSummary>, op: string) => s.notProbed.find((n) => n.operationId === op);

describe('coverage summary', () => {
  it('counts an operation only when a judged request named another tenant', () => {
    const all = scope.operations.map((o) => foreign(o.operationId));
    const s = coverageSummary(plan, scope, all, facts({}), 0.8);
    expect(s).toMatchObject({ tenantOwned: 12, probed: 12, ratio: 1, notProbed: [] });
    // Own calls and cells that judged nothing do not count.
    const none = coverageSummary(
      plan,
      scope,
      [
        { operationId: 'TicketsController_findOne', oracle: 'foreign-data', relation: 'own', count: 9 },
        foreign('TicketsController_remove', 0),
      ],
      facts({}),
      0.8,
    );
    expect(none.probed).toBe(0);
  });

  it('says a create was never reached, and to raise the budget', () => {
    const s = coverageSummary(plan, scope, [], facts({}), 0.8);
    expect(reasonOf(s, 'TicketsController_findOne')).toEqual({
      operationId: 'TicketsController_findOne',
      reason: 'no ticket was created to aim at: TicketsController_create not reached within the budget',
      fix: 'raise --budget (or --runs)',
    });
  });

  it('says a create never succeeded, with its answers', () => {
    const s = coverageSummary(plan, scope, [], facts({ TicketsController_create: { 400: 7, 429: 2 } }), 0.8);
    expect(reasonOf(s, 'TicketsController_findOne')!.reason).toBe(
      'no ticket was created to aim at: TicketsController_create answered 400×7, 429×2',
    );
    expect(reasonOf(s, 'TicketsController_findOne')!.fix).toMatch(/^make TicketsController_create succeed/);
  });

  it('blames a target that never answered readably, not the budget', () => {
    const dead: RunFacts = {
      ...facts({}),
      unusable: new Map([['TicketsController_create', new Map([['TIMEOUT', 3]])]]),
    };
    const s = coverageSummary(plan, scope, [], dead, 0.8);
    expect(reasonOf(s, 'TicketsController_findOne')).toEqual({
      operationId: 'TicketsController_findOne',
      reason: 'no ticket was created to aim at: TicketsController_create gave no usable answer (TIMEOUT×3)',
      fix: expect.stringMatching(/--request-timeout and under --max-response-size/),
    });
    // An operation that was itself sent, but every answer was truncated, says so.
    const cut: RunFacts = {
      ...facts({ TicketsController_create: { 201: 2 } }),
      unusable: new Map([['TicketsController_findAll', new Map([['truncated', 4]])]]),
    };
    const t = coverageSummary(plan, scope, [], cut, 0.8);
    expect(reasonOf(t, 'TicketsController_findAll')?.reason).toBe(
      'probed, but never answered readably: TicketsController_findAll gave no usable answer (truncated×4)',
    );
    // One readable answer is enough: the budget, not the target, is then the reason.
    const some: RunFacts = {
      ...facts({ TicketsController_create: { 201: 2 }, TicketsController_findAll: { 200: 1 } }),
      unusable: new Map([['TicketsController_findAll', new Map([['TIMEOUT', 1]])]]),
    };
    expect(reasonOf(coverageSummary(plan, scope, [], some, 0.8), 'TicketsController_findAll')?.reason).not.toMatch(
      /no usable answer/,
    );
  });

  it('says ids could not be read from undocumented answers, and to add a response schema', () => {
    const s = coverageSummary(plan, scope, [], facts({ TicketsController_create: { 201: 4 } }), 0.8);
    expect(reasonOf(s, 'TicketsController_findOne')!.fix).toBe(
      'add a response schema with an id to TicketsController_create, or `x-tenantproof-id-field: <field>`',
    );
  });

  it('says override probes need the tenants’ real ids', () => {
    const s = coverageSummary(plan, scope, [], facts({}, false), 0.8);
    expect(reasonOf(s, 'ReportsController_summary')!.fix).toMatch(/return `id` \(the tenant's real id\)/);
  });

  it('gates CLEAN with the list of fixes, and merges shards by union', () => {
    const half = scope.operations.slice(0, 6).map((o) => foreign(o.operationId));
    const a = coverageSummary(plan, scope, half, facts({}), 0.8);
    expect(a).toMatchObject({ probed: 6, ratio: 0.5 });
    const gate = coverageGate(a);
    expect(gate.ratio).toBeLessThan(gate.minimum);
    expect(gate.detail).toContain('6 of 12 tenant-owned operations probed cross-tenant (50%; --min-coverage 80%)');
    expect(gate.detail).toContain('(fix: raise --budget (or --runs))');
    const other = scope.operations.slice(6).map((o) => foreign(o.operationId));
    const b = coverageSummary(plan, scope, other, facts({}), 0.8);
    expect(mergeCoverage([a, b])).toMatchObject({ probed: 12, ratio: 1, notProbed: [] });
    expect(mergeCoverage([a, undefined])).toBeUndefined();
  });
});
