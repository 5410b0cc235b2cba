import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import type { ApiModel } from '../openapi/api-model.ts';
import { commandMenu } from '../model/command-menu.ts';
import type { CommandSpec } from '../model/command-spec.ts';
import { buildPlan, type CampaignPlan } from '../model/plan.ts';
import { specValueSource } from '../model/spec-value-source.ts';
import { createsParentsFirst, sweepAgenda, type SweepOptions } from './directed-sweep.ts';

const spec = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'specs', 'crm.openapi.yaml');
let model: ApiModel;
let plan: CampaignPlan;
beforeAll(async () => {
  model = await analyzeSpecFile(spec);
  plan = buildPlan(model);
});

const options = (tenants: number, seed = 7): SweepOptions => ({
  plan,
  labels: Array.from({ length: tenants }, (_, i) => `T${i + 1}`),
  values: specValueSource(model, 'sweep-test'),
  seed,
  maxBatch: 4,
  pageSize: 2,
});

const describeItem = (s: CommandSpec): string =>
  s.kind === 'own'
    ? `own ${s.action} ${s.operationId} by ${s.tenant}`
    : s.kind === 'probe'
      ? `${s.probe} ${s.operationId} by ${s.tenant}`
      : s.kind;

describe('the directed sweep', () => {
  it('orders creates parents first', () => {
    const order = createsParentsFirst(plan).map((c) => c.op.operationId);
    expect(order.indexOf('createCustomer')).toBeLessThan(order.indexOf('createJob'));
    expect(order.indexOf('createInvoice')).toBeLessThan(order.indexOf('createPayment'));
    expect(new Set(order)).toEqual(new Set(plan.creates.map((c) => c.op.operationId)));
  });

  it('aims every probe the campaign may send at least once, and sends each at most once', () => {
    const agenda = sweepAgenda(options(4));
    const probeKeys = agenda.flatMap((i) => (i.spec.kind === 'probe' ? [i.once!] : []));
    const menuKeys = commandMenu(plan)
      .filter((e) => e.command.kind === 'probe')
      .map((e) => `${e.command.kind === 'probe' ? e.command.probe : ''}|${e.planned.op.operationId}`);
    // Injection probes are listed once each; record probes may be listed twice (before and after the
    // attacker has parents of its own) under the same once-key.
    expect(new Set(probeKeys)).toEqual(new Set(menuKeys));
  });

  it('starts with the victim’s first record and, from a third tenant, the replay of its idempotency key', () => {
    const [first, second, third] = sweepAgenda(options(4)).map((i) => describeItem(i.spec));
    expect(first).toBe('own create createCustomer by 0');
    expect(second).toBe('foreign-idempotency-key createCustomer by 2');
    expect(third).toMatch(/^foreign-reference \w+ by 1$/);
  });

  it('with two tenants, the attacker sends the victim’s own values only after its reads of that record', () => {
    const agenda = sweepAgenda(options(2)).map((i) => describeItem(i.spec));
    const read = agenda.indexOf('cross-tenant-read getCustomer by 1');
    const echo = agenda.indexOf('foreign-idempotency-key createCustomer by 1');
    expect(read).toBeGreaterThan(0);
    expect(echo).toBeGreaterThan(read);
  });

  it('calls each read-only view as the victim and then identically as the attacker, before a checkpoint', () => {
    const agenda = sweepAgenda(options(4)).map((i) => i.spec);
    const checkpoint = agenda.findIndex((s) => s.kind === 'checkpoint');
    const summary = agenda.findIndex((s) => s.kind === 'own' && s.operationId === 'getReportSummary');
    expect(summary).toBeGreaterThan(0);
    expect(summary).toBeLessThan(checkpoint);
    const [victim, attacker] = [agenda[summary]!, agenda[summary + 1]!];
    expect(victim.kind === 'own' && attacker.kind === 'own').toBe(true);
    if (victim.kind === 'own' && attacker.kind === 'own') {
      expect([victim.tenant, attacker.tenant]).toEqual([0, 1]);
      expect(attacker.values).toEqual(victim.values);
    }
  });

  it('aims deletes at the victim only after the checkpoint, and is the same for the same seed', () => {
    const agenda = sweepAgenda(options(4)).map((i) => i.spec);
    const checkpoint = agenda.findIndex((s) => s.kind === 'checkpoint');
    const deletes = agenda.flatMap((s, i) => (s.kind === 'probe' && s.probe === 'cross-tenant-delete' ? [i] : []));
    expect(deletes.length).toBeGreaterThan(0);
    expect(Math.min(...deletes)).toBeGreaterThan(checkpoint);
    expect(sweepAgenda(options(4, 3))).toEqual(sweepAgenda(options(4, 3)));
    expect(sweepAgenda(options(4, 3))).not.toEqual(sweepAgenda(options(4, 4)));
  });

  it('has nothing to sweep with a single tenant', () => {
    expect(sweepAgenda(options(1))).toEqual([]);
  });
});
