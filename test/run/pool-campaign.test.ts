/**
 * The long-lived tenant pool against the reference CRM (one PGlite for the file, a clean server and
 * a leaky one on it): a campaign with a pool tenant finds nothing on the clean CRM, its pool tenant
 * gathers records run after run and is retired after its lifetime; on a CRM whose customer read is
 * unscoped, a fresh tenant reading a pool tenant's customer created in an earlier run is a finding,
 * while the pool tenant reading its own old customer is not, and the finding's steps replay from
 * scratch on fresh tenants.
 */
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCrm } from '../../crm/server.ts';
import type { Exchange } from '../../harness/model/exchange.ts';
import { buildPlan, type CampaignPlan } from '../../harness/model/plan.ts';
import { specValueSource } from '../../harness/model/spec-value-source.ts';
import { buildOwnStep, buildProbeStep } from '../../harness/model/step-builder.ts';
import type { ValueSource } from '../../harness/model/value-source.ts';
import { analyzeSpecFile } from '../../harness/openapi/analyze.ts';
import { runCampaign } from '../../harness/run/campaign.ts';
import { CampaignState } from '../../harness/run/campaign-state.ts';
import type { CampaignOptions } from '../../harness/run/campaign-types.ts';
import { HttpClient } from '../../harness/run/http-client.ts';
import { provisionedTenant } from '../../harness/run/job-provisioner.ts';
import { replaySteps } from '../../harness/run/replay.ts';
import type { RunContext } from '../../harness/run/run-context.ts';
import { TenantPool } from '../../harness/run/tenant-pool.ts';
import { provisionTenants } from '../../harness/tenants/index.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { openTestDatabase, type TestDatabase } from '../support/crm-fixture.ts';

let tdb: TestDatabase;
let clean: RunningCrm;
let leaky: RunningCrm;
let leakyExport: RunningCrm;
let plan: CampaignPlan;
let values: ValueSource;
const clients: HttpClient[] = [];

beforeAll(async () => {
  tdb = await openTestDatabase({ name: 'pglite' });
  clean = await tdb.start();
  leaky = await tdb.start({ faults: ['get-unscoped'] });
  leakyExport = await tdb.start({ faults: ['export-unscoped'] });
  const model = await analyzeSpecFile(path.join(REPO_ROOT, 'specs', 'crm.openapi.yaml'));
  plan = buildPlan(model);
  values = specValueSource(model, 'pool-test');
});
afterAll(async () => {
  for (const c of clients) c.close();
  await tdb?.close();
});

function options(
  crm: RunningCrm,
  tag: string,
  o: Partial<CampaignOptions> & { tenants: number },
): CampaignOptions & { exchanges: Exchange[] } {
  const client = new HttpClient({
    baseURL: crm.url,
    timeoutMs: 30_000,
    maxBodyBytes: 4 << 20,
    maxThrottleRetries: 5,
    maxRetryAfterMs: 10_000,
  });
  clients.push(client);
  const exchanges: Exchange[] = [];
  return {
    plan,
    values,
    client,
    provision: async (count, run) =>
      (
        await provisionTenants('crm-admin', {
          count,
          baseUrl: crm.url,
          adminToken: crm.adminToken,
          runTag: `${tag}-r${run}`,
        })
      ).map(provisionedTenant),
    freshTenants: true,
    seed: 11,
    budgetMs: 600_000,
    shrinkBudgetMs: 60_000,
    maxCommands: 40,
    maxBatch: 1,
    pageSize: 2,
    replays: 1,
    replaySettleMs: 0,
    signal: new AbortController().signal,
    onExchange: (ex) => exchanges.push(ex),
    exchanges,
    ...o,
  };
}

describe('a campaign with a long-lived pool tenant, on the clean CRM', () => {
  it('finds nothing, while its pool tenant keeps its records across runs and retires after its lifetime', async () => {
    const pool = new TenantPool({ slots: 1, tenants: 4, lifetime: { runs: 10 } });
    const o = options(clean, 'pool-clean', { tenants: 4, maxRuns: 16, pool });
    // What the pool tenant brought into each run (read as the run provisions its fresh tenants).
    const carried: number[] = [];
    const provision = o.provision;
    o.provision = (count, run) => {
      carried.push(pool.live().reduce((n, m) => n + m.records.length, 0));
      return provision(count, run);
    };
    const result = await runCampaign(o);
    expect(result.findings.map((f) => f.finding.summary)).toEqual([]);
    expect(result.status).toBe('clean');
    expect(result.pool).toMatchObject({ tenantsPerRun: 1, labels: ['T4'], runs: 16, provisioned: 2, retired: 1 });
    const [first, second] = result.pool!.members;
    expect(first).toMatchObject({ label: 'T4', runs: 10, retired: true, retiredBecause: 'its lifetime of 10 runs' });
    expect(second).toMatchObject({ label: 'T4', runs: 6, retired: false });
    // Runs started with records the pool tenant had made in earlier runs…
    expect(Math.max(...carried)).toBeGreaterThan(0);
    // …and every write to it had a known effect (no concurrent batches, a clean target): the exact
    // model checks (its lists and counts equal to the model) applied in every run, and passed.
    expect(first!.incomplete).toBeUndefined();
    expect(second!.incomplete).toBeUndefined();
    // Its fingerprints went into every later run's registry first.
    expect(first!.fingerprints).toBeGreaterThan(0);
  });

  it('finds nothing with concurrent batches either (writes in flight together end exact checks on the pool tenant)', async () => {
    const pool = new TenantPool({ slots: 2, tenants: 4, lifetime: { runs: 5 } });
    const result = await runCampaign(
      options(clean, 'pool-batches', { tenants: 4, maxRuns: 8, maxBatch: 4, seed: 4, pool }),
    );
    expect(result.findings.map((f) => f.finding.summary)).toEqual([]);
    expect(result.batches).toBeGreaterThan(0);
    expect(result.pool).toMatchObject({ labels: ['T3', 'T4'], runs: 8, provisioned: 4, retired: 2 });
  });
});

/** T3 (the pool's) creates a customer in one run; the next run's tenants see it in their model. */
async function poolCustomerAcrossRuns(crm: RunningCrm, tag: string) {
  const o = options(crm, tag, { tenants: 3 });
  const pool = new TenantPool({ slots: 1, tenants: 3, lifetime: { runs: 10 } });
  const state = new CampaignState({ ...o, pool });
  const body = fc.sample(values.body(plan.byId.get('createCustomer')!.op, 'T3')!, { seed: 5, numRuns: 1 })[0];
  const run1 = await state.newRun();
  const create = buildOwnStep(run1.builder, {
    kind: 'own',
    action: 'create',
    operationId: 'createCustomer',
    tenant: 2,
    selector: 0,
    values: { body, query: {}, nonce: 'n0nce00001' },
  })!;
  await run1.runStep(create);
  // Enough reads that its audit log runs past the first pages a checkpoint reads (2, then 100).
  for (let i = 0; i < 110; i++) await run1.runStep(readOwnCustomer(run1));
  await run1.checkpoint();
  expect(run1.findings).toEqual([]);
  const customer = run1.world.alive('T3', 'customer')[0]!;
  await state.cleanup(run1);
  const run2 = await state.newRun();
  const firstSeqOfRun2 = o.exchanges.length + 1;
  return { state, pool, o, run2, customer, firstSeqOfRun2 };
}

function readOwnCustomer(run: RunContext) {
  return buildOwnStep(run.builder, {
    kind: 'own',
    action: 'read',
    operationId: 'getCustomer',
    tenant: 2,
    selector: 0,
    values: { query: {}, nonce: 'n0nce00002' },
  })!;
}

function readForeignCustomer(run: RunContext) {
  return buildProbeStep(run.builder, {
    kind: 'probe',
    probe: 'cross-tenant-read',
    operationId: 'getCustomer',
    tenant: 0,
    victim: 0,
    selector: 0,
    values: { query: {}, nonce: 'n0nce00003' },
  })!;
}

describe('a pool tenant across runs', () => {
  it('on the clean CRM: its customer of an earlier run is its own (read, listed, counted), and refused to others', async () => {
    const { run2, customer, state, pool, o } = await poolCustomerAcrossRuns(clean, 'pool-own');
    expect(run2.world.alive('T3', 'customer').map((r) => r.id)).toEqual([customer.id]);
    await run2.runStep(readOwnCustomer(run2));
    const probe = readForeignCustomer(run2);
    expect(probe.victim).toBe('T3');
    await run2.runStep(probe);
    const before = o.exchanges.length;
    await run2.checkpoint();
    expect(run2.findings).toEqual([]);
    // Its audit log holds both runs: the checkpoint read it until this run's requests were all there
    // and the last run's began (2 pages), not to its end (the first run's 110 reads and more).
    const auditPages = o.exchanges
      .slice(before)
      .filter((e) => e.tenant === 'T3' && e.operationId === 'listAuditEvents');
    expect(auditPages.map((e) => e.response?.status)).toEqual([200, 200]);
    expect(auditPages.at(-1)!.response!.json).toMatchObject({ nextCursor: expect.any(String) });
    await state.cleanup(run2);
    expect(pool.summary().members[0]).toMatchObject({ runs: 2, records: { customer: 1 } });
  });

  it("on a CRM whose customer read is unscoped: another tenant reading it is a finding, the pool tenant's own read is not", async () => {
    const { run2, customer, state, o, firstSeqOfRun2 } = await poolCustomerAcrossRuns(leaky, 'pool-leak');
    await run2.runStep(readOwnCustomer(run2));
    expect(run2.findings).toEqual([]);
    await run2.runStep(readForeignCustomer(run2));
    const leak = run2.findings.find((f) => f.victim === 'T3' && f.attacker === 'T1');
    expect(leak).toBeDefined();
    // The leaked customer came back in this run, and was created in the run before.
    const leakedIn = o.exchanges.filter((e) => leak!.exchanges.includes(e.seq) && e.tenant === 'T1');
    expect(leakedIn.some((e) => e.seq >= firstSeqOfRun2 && e.response?.bodyText.includes(customer.id))).toBe(true);
    expect(customer.seq).toBeLessThan(firstSeqOfRun2);
    // The run's counterexample starts with that earlier create, so it replays from scratch.
    expect(run2.primary[0]).toMatchObject({ tenant: 'T3', action: 'create', operationId: 'createCustomer' });
    expect(run2.primary[0]!.index).toBeLessThan(-1);
    expect(run2.primaryResults[0]).toEqual({ seq: customer.seq, status: 201 });
    const steps = run2.primary;
    await state.cleanup(run2);
    const replay = await state.newRun({ freshValues: true });
    expect(replay.poolLease).toBeUndefined();
    const findings = await replaySteps(replay, steps);
    expect(findings.some((f) => f.victim === 'T3' && f.attacker === 'T1' && f.oracle === leak!.oracle)).toBe(true);
    await state.cleanup(replay);
  });

  it("on a CRM whose export is unscoped: a fresh tenant's own export showing the pool tenant's older customer is a finding that replays from scratch", async () => {
    const { run2, customer, state } = await poolCustomerAcrossRuns(leakyExport, 'pool-export');
    const exportCustomers = buildOwnStep(run2.builder, {
      kind: 'own',
      action: 'export',
      operationId: 'exportRecords',
      tenant: 0,
      selector: 0,
      values: { query: { resource: 'customers' }, nonce: 'n0nce00004' },
    })!;
    await run2.runStep(exportCustomers);
    expect(run2.findings.some((f) => f.attacker === 'T1' && f.victim === 'T3')).toBe(true);
    // The export names no step of this run; the counterexample still starts with the create of the
    // customer it showed, from the earlier run.
    expect(run2.sentSteps).toHaveLength(1);
    expect(run2.primary.map((s) => [s.tenant, s.operationId])).toEqual([
      ['T3', 'createCustomer'],
      ['T1', 'exportRecords'],
    ]);
    expect(run2.primaryResults[0]).toEqual({ seq: customer.seq, status: 201 });
    const steps = run2.primary;
    await state.cleanup(run2);
    const replay = await state.newRun({ freshValues: true });
    const findings = await replaySteps(replay, steps);
    expect(findings.some((f) => f.attacker === 'T1' && f.victim === 'T3')).toBe(true);
    await state.cleanup(replay);
  });
});
