import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import type { ApiModel } from '../openapi/api-model.ts';
import { commandSpecArbitrary, FOCUS_BOOST, singleCommandArbitraries } from './commands.ts';
import { buildPlan, type CampaignPlan } from './plan.ts';
import { specValueSource } from './spec-value-source.ts';

const spec = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'specs', 'crm.openapi.yaml');
let model: ApiModel;
let plan: CampaignPlan;
beforeAll(async () => {
  model = await analyzeSpecFile(spec);
  plan = buildPlan(model);
});

const options = (focus?: string[]) => ({
  plan,
  labels: ['T1', 'T2'],
  values: specValueSource(model, 'run-test'),
  maxBatch: 3,
  ...(focus ? { focus: new Set(focus) } : {}),
});

describe('a shard focus', () => {
  it('multiplies the weight of exactly the focused operations’ commands', () => {
    const plain = singleCommandArbitraries(options());
    const focused = singleCommandArbitraries(options(['getCustomer', 'search']));
    expect(focused.length).toBe(plain.length);
    const boosted = focused.filter((m, i) => m.weight !== plain[i]!.weight);
    expect(boosted.length).toBeGreaterThan(0);
    for (const [i, m] of focused.entries())
      expect([plain[i]!.weight, plain[i]!.weight * FOCUS_BOOST]).toContain(m.weight);
  });

  it('makes focused operations much more frequent in generated commands, without dropping the others', () => {
    const opsOf = (focus?: string[]): string[] =>
      fc
        .sample(commandSpecArbitrary(options(focus)), { seed: 11, numRuns: 600 })
        .flatMap((c) =>
          c.kind === 'batch' ? c.members.map((m) => m.operationId) : c.kind === 'checkpoint' ? [] : [c.operationId],
        );
    const share = (ops: string[], id: string): number => ops.filter((o) => o === id).length / ops.length;
    const plain = opsOf();
    const focused = opsOf(['getCustomer']);
    expect(share(focused, 'getCustomer')).toBeGreaterThan(1.8 * share(plain, 'getCustomer'));
    expect(new Set(focused).size).toBeGreaterThan(10);
  });
});

describe('--concurrency', () => {
  it('1 generates no concurrent batch; 3 generates batches of 2 to 3', () => {
    const kinds = (maxBatch: number) =>
      fc.sample(commandSpecArbitrary({ ...options(), maxBatch }), { seed: 3, numRuns: 400 });
    expect(kinds(1).some((c) => c.kind === 'batch')).toBe(false);
    const batches = kinds(3).filter((c) => c.kind === 'batch');
    expect(batches.length).toBeGreaterThan(0);
    for (const b of batches) {
      if (b.kind !== 'batch') continue;
      expect(b.members.length).toBeGreaterThanOrEqual(2);
      expect(b.members.length).toBeLessThanOrEqual(3);
    }
  });
});

describe('x-tenantproof-skip-probes: [interleaved]', () => {
  it('keeps the operation out of concurrent batches, and only out of them', () => {
    const skipped = 'getCustomer';
    const planned = plan.byId.get(skipped)!;
    const byId = new Map(plan.byId);
    byId.set(skipped, {
      ...planned,
      op: { ...planned.op, probes: planned.op.probes.filter((p) => p !== 'interleaved') },
    });
    const samples = fc.sample(commandSpecArbitrary({ ...options(), plan: { ...plan, byId } }), {
      seed: 5,
      numRuns: 1500,
    });
    const inBatches = samples.flatMap((c) => (c.kind === 'batch' ? c.members.map((m) => m.operationId) : []));
    const alone = samples.flatMap((c) => (c.kind === 'own' || c.kind === 'probe' ? [c.operationId] : []));
    expect(inBatches.length).toBeGreaterThan(100);
    expect(inBatches).not.toContain(skipped);
    expect(alone).toContain(skipped);
  });
});
