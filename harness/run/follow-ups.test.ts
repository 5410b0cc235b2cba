/**
 * The follow-up port's concurrency facts: a probe and its twin are compared only if they asked in
 * the same context (attackerBusy), and a victim's re-reads prove a change only if nothing else
 * touched the victim (victimBusy). The world counts writes as the executor notes them.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FingerprintRegistry } from '../generate/fingerprints.ts';
import { buildPlan, type CampaignPlan } from '../model/plan.ts';
import type { Step } from '../model/step.ts';
import { World } from '../model/world.ts';
import { analyzeSpecFile } from '../openapi/analyze.ts';
import { existence } from '../oracles/existence.ts';
import { ex } from '../oracles/oracle-fixtures.test-support.ts';
import { FingerprintScanner } from '../oracles/scan/fingerprint-scanner.ts';
import { FollowUps } from './follow-ups.ts';

const spec = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'specs', 'crm.openapi.yaml');
let plan: CampaignPlan;
beforeAll(async () => {
  plan = buildPlan(await analyzeSpecFile(spec));
});

const base = { index: 5, resource: 'customer', query: {}, headers: {}, pathParams: {} } as const;
/** T2 creates a customer reusing T1's email (a unique-value probe). */
const probe: Step = {
  ...base,
  tenant: 'T2',
  operationId: 'createCustomer',
  action: 'create',
  relation: 'foreign',
  probe: 'foreign-unique-value',
  victim: 'T1',
  method: 'POST',
  path: '/v1/customers',
  body: { name: 'x', email: 'tpt1abcdefghij.1@t1.example' },
  uniqueField: 'email',
};
const write = (tenant: string, relation: Step['relation'], victim?: string): Step => ({
  ...base,
  index: 9,
  tenant,
  operationId: 'deleteCustomer',
  action: 'delete',
  relation,
  ...(victim ? { victim } : {}),
  method: 'DELETE',
  path: '/v1/customers/c',
});

function setting() {
  const registry = new FingerprintRegistry();
  const world = new World(['T1', 'T2', 'T3'], {}, { plan, registry });
  const facts = { world, plan, registry, scanner: new FingerprintScanner(registry) };
  // As the executor does: the port is made before the probe is noted as sent.
  const port = new FollowUps(facts, probe, async () => undefined);
  world.noteSent(probe, [], probe.method);
  world.noteAnswered(probe, probe.method);
  return { world, port };
}

describe('follow-ups: attackerBusy', () => {
  it('is false when nothing but the probe itself was written, and for the victim’s own writes', () => {
    const { world, port } = setting();
    expect(port.attackerBusy()).toBe(false);
    world.noteSent(write('T1', 'own'), [], 'DELETE');
    expect(port.attackerBusy()).toBe(false);
  });

  it("is false after the port's own follow-up writes (a create's fresh-value twin)", async () => {
    const registry = new FingerprintRegistry();
    const world = new World(['T1', 'T2', 'T3'], {}, { plan, registry });
    const facts = { world, plan, registry, scanner: new FingerprintScanner(registry) };
    // The twin goes through the executor, which notes it like any request of the sender's.
    const port = new FollowUps(facts, probe, async (twin) => {
      world.noteSent(twin, [], twin.method);
      world.noteAnswered(twin, twin.method);
      return ex({ tenant: 'T2', op: 'createCustomer', method: 'POST', status: 201 });
    });
    world.noteSent(probe, [], probe.method);
    world.noteAnswered(probe, probe.method);
    expect(await port.freshValueTwin()).toBeDefined();
    expect(port.attackerBusy()).toBe(false);
    // Anything else the sender writes still counts.
    world.noteSent(write('T2', 'own'), [], 'DELETE');
    expect(port.attackerBusy()).toBe(true);
  });

  it('is true once the sender wrote anything else, and stays true after the answer', () => {
    const { world, port } = setting();
    const own = write('T2', 'own');
    world.noteSent(own, [], 'DELETE');
    world.noteAnswered(own, 'DELETE');
    expect(port.attackerBusy()).toBe(true);
  });

  it("is true when another tenant's probe aimed at the sender ran in between", () => {
    const { world, port } = setting();
    world.noteSent(write('T3', 'foreign', 'T2'), [], 'DELETE');
    expect(port.attackerBusy()).toBe(true);
  });
});

describe('existence gathers no pair across a change of the sender’s context', () => {
  const moment = {
    kind: 'exchange' as const,
    step: probe,
    probe: 'foreign-unique-value' as const,
    concurrent: true,
    exchange: ex({
      tenant: 'T2',
      relation: 'foreign',
      victim: 'T1',
      op: 'createCustomer',
      method: 'POST',
      status: 201,
    }),
  };
  const twin = ex({ tenant: 'T2', op: 'createCustomer', method: 'POST', status: 404 });
  const port = (busy: boolean) =>
    ({ freshValueTwin: async () => twin, attackerBusy: () => busy }) as unknown as FollowUps;

  it('compares the probe with its twin when the sender was idle, and not when it was busy', async () => {
    // The same 201-against-404 difference: a finding only if nothing else the sender did explains it.
    const examine = (busy: boolean) => existence.bind().examine(moment as never, port(busy), {} as never);
    const idle = await examine(false);
    expect(idle.judged).toHaveLength(1);
    expect(idle.findings.map((f) => f.oracle)).toEqual(['existence']);
    const busy = await examine(true);
    expect([busy.judged, busy.findings]).toEqual([[], []]);
  });
});
