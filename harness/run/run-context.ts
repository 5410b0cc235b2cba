/**
 * One run of a campaign: fresh tenants (and, in the search, the pool's long-lived ones, seeded with
 * what the model knew of them at the end of their last run; see tenant-pool.ts), a fresh world
 * model and fingerprint registry, the oracles bound for this run, and one executor. It is what
 * fast-check's commands run against (both the model and the real system of `fc.asyncModelRun`):
 * commands build steps against its world and send them through its executor. A run stops taking
 * commands (`canContinue`) once an oracle raised a finding, the target became unusable, or the
 * campaign was stopped; the commands left are skipped.
 */
import { FingerprintRegistry } from '../generate/fingerprints.ts';
import type { Exchange, Finding, TenantLabel } from '../model/exchange.ts';
import type { CommandRunner } from '../model/commands.ts';
import type { CampaignPlan } from '../model/plan.ts';
import type { Step } from '../model/step.ts';
import { buildOwnStep, type StepBuilderContext } from '../model/step-builder.ts';
import { World } from '../model/world.ts';
import { ValueFreshener } from '../model/fresh-values.ts';
import type { TenantField } from '../openapi/tenant-fields.ts';
import { ORACLES, type OracleSet } from '../oracles/index.ts';
import { FingerprintScanner } from '../oracles/scan/fingerprint-scanner.ts';
import { runCheckpoint } from './checkpoint.ts';
import type { Coverage } from './coverage.ts';
import { Executor } from './executor.ts';
import type { HealthMonitor } from './health.ts';
import type { Transport } from './http-client.ts';
import { carriedStepsFor, carriedStepsShownIn, seedRun, type PoolLease, type PoolMember } from './tenant-pool.ts';
import type { ProvisionedTenant, StepResult } from './run-types.ts';

export type { ProvisionedTenant, StepResult } from './run-types.ts';

/** Path parameters the plan fills with the sender's own tenant (`/orgs/{orgId}/…`). */
function tenantPathParams(plan: CampaignPlan): Set<string> {
  return new Set(
    plan.inScope.flatMap((p) => (p.op.tenantFields ?? []).filter((f) => f.in === 'path').map((f) => f.name)),
  );
}

/** A tenant's users, the primary first. */
function usersOf(t: ProvisionedTenant): { role: string; headers: Record<string, string> }[] {
  return [
    { role: t.role ?? 'primary', headers: { ...t.headers } },
    ...(t.users ?? []).map((u) => ({ role: u.role, headers: { ...u.headers } })),
  ];
}

/** What a run needs of the campaign. */
export interface RunContextOptions {
  plan: CampaignPlan;
  client: Transport;
  signal: AbortSignal;
  pageSize: number;
  /** Whether each run gets tenants nobody used before (so exact model checks apply). */
  freshTenants: boolean;
  onExchange?: (exchange: Exchange) => void;
  /** The oracles to run (default: the built-in registry). */
  oracles?: OracleSet;
  /** Give repeated steps fresh unique values (shrinking and replays; see model/fresh-values.ts). */
  freshValues?: boolean;
  /** Tenant fields to override beyond the spec's and the defaults. */
  tenantFields?: readonly TenantField[];
  /** The current phase's deadline (epoch ms): past it, a run takes no more commands. */
  deadline?: () => number | undefined;
}

export interface CleanupCounts {
  deleted: number;
  /** Delete sent but refused (e.g. a record the API keeps once referenced). */
  failed: number;
  /** No delete operation in the spec for the record's resource. */
  undeletable: number;
}

export class RunContext implements CommandRunner {
  readonly world: World;
  readonly registry = new FingerprintRegistry();
  readonly executor: Executor;
  readonly builder: StepBuilderContext;
  /** The steps the commands sent (follow-ups excluded), in order. */
  readonly sentSteps: Step[] = [];
  /** What each of `sentSteps` got back, in the same order. */
  private readonly sentResults: StepResult[] = [];
  /** Where a checkpoint ran among `sentSteps`: the number of them sent before it. */
  private readonly sentCheckpoints: number[] = [];
  /** The pool tenants of this run, until the campaign takes them back (campaign-state.ts). */
  poolLease: PoolLease | undefined;
  batches = 0;
  private readonly freshener: ValueFreshener | undefined;

  constructor(
    private readonly o: RunContextOptions,
    tenants: ProvisionedTenant[],
    coverage: Coverage,
    nextSeq: () => number,
    private readonly health: HealthMonitor,
    /** Pool tenants among `tenants` (by label), whose earlier runs' state this run starts from. */
    pooled: readonly PoolMember[] = [],
  ) {
    const labels = tenants.map((t) => t.label);
    this.world = new World(labels, Object.fromEntries(tenants.map((t) => [t.label, t.tenantId])), {
      plan: o.plan,
      registry: this.registry,
    });
    for (const t of tenants) if (t.tenantId) this.registry.register(t.tenantId, t.label, 'id', 'provisioning.tenantId');
    // The pool tenants' fingerprints go in before any other tenant can claim a value.
    for (const member of pooled) seedRun(this.world, this.registry, member);
    const prefixParams = tenantPathParams(o.plan);
    for (const t of tenants) {
      const state = this.world.tenant(t.label);
      state.selectors = { ...(t.selectors ?? {}) };
      // A path tenant prefix defaults to the tenant's id.
      for (const name of prefixParams)
        if (state.selectors[`path:${name}`] === undefined && t.tenantId !== undefined)
          state.selectors[`path:${name}`] = t.tenantId;
      state.roles = usersOf(t).map((u) => u.role);
    }
    this.executor = new Executor({
      plan: o.plan,
      world: this.world,
      registry: this.registry,
      scanner: new FingerprintScanner(this.registry),
      oracles: (o.oracles ?? ORACLES).oracles.map((oracle) => oracle.bind()),
      client: o.client,
      credentials: new Map(tenants.map((t) => [t.label, usersOf(t)])),
      coverage,
      onExchange: (ex) => {
        health.observe(ex);
        o.onExchange?.(ex);
      },
      signal: o.signal,
      nextSeq,
      ...(o.deadline ? { deadline: o.deadline } : {}),
    });
    this.builder = {
      plan: o.plan,
      world: this.world,
      labels,
      pageSize: o.pageSize,
      ...(o.tenantFields ? { tenantFields: o.tenantFields } : {}),
    };
    this.freshener = o.freshValues ? new ValueFreshener(o.plan) : undefined;
  }

  /**
   * The steps of the counterexample: those the commands sent (follow-ups excluded), preceded by the
   * steps of earlier runs they reference (a pool tenant's record created in an earlier run) or whose
   * records' data a finding of this run shows (a pool tenant's old record in another tenant's list),
   * so the sequence replays from scratch on fresh tenants. Carried steps have negative indexes.
   */
  get primary(): Step[] {
    const carried = this.carried();
    return carried.length > 0 ? [...carried, ...this.sentSteps] : this.sentSteps;
  }

  /** The carried steps `primary` starts with (none without pool tenants). */
  private carried(): Step[] {
    if (this.world.seeded.size === 0) return [];
    const cited = new Set(this.findings.flatMap((f) => f.exchanges));
    const texts = this.executor.exchanges.flatMap((e) => (cited.has(e.seq) && e.response ? [e.response.bodyText] : []));
    return carriedStepsFor(this.world, this.sentSteps, carriedStepsShownIn(this.world, texts));
  }

  /** What each of `primary` got back, in the same order (carried steps: in their own run). */
  get primaryResults(): StepResult[] {
    const carried = this.carried();
    const earlier = carried.map((s) => ({
      seq: this.world.seqOf.get(s.index) ?? -1,
      status: this.world.responses.get(s.index)?.status ?? 0,
    }));
    return [...earlier, ...this.sentResults];
  }

  /**
   * Where a checkpoint ran among `primary`: the number of primary steps before it. A replay runs
   * one at each (a finding may rest on a read made at a mid-run checkpoint).
   */
  get checkpointsAt(): number[] {
    const carried = this.carried().length;
    return this.sentCheckpoints.map((k) => k + carried);
  }

  /** Where checkpoints ran strictly between the primary steps (a replay always runs one at the end). */
  midRunCheckpoints(): number[] {
    const total = this.primary.length;
    return this.checkpointsAt.filter((k) => k > 0 && k < total);
  }

  get findings(): readonly Finding[] {
    return this.executor.findings;
  }

  /** Whether the run should take its next command. */
  canContinue(): boolean {
    return this.findings.length === 0 && this.targetUsable();
  }

  /** Neither stopped, failing nor out of time: the run may still send requests. */
  targetUsable(): boolean {
    const deadline = this.o.deadline?.();
    return !this.o.signal.aborted && this.health.usable && (deadline === undefined || Date.now() < deadline);
  }

  async runStep(step: Step, options: { concurrent?: boolean } = {}): Promise<void> {
    if (!this.targetUsable()) return;
    const sent = this.freshener ? this.freshener.step(step) : step;
    const outcome = await this.executor.run(sent, options);
    step.index = sent.index; // replays renumber references by the index a step got
    if (outcome.kind !== 'sent') return;
    const { seq, response, error } = outcome.exchange;
    this.sentSteps.push(sent);
    this.sentResults.push({
      seq,
      ...(response ? { status: response.status } : {}),
      ...(error ? { error: error.code } : {}),
    });
  }

  async runBatch(steps: Step[], order: number[], yields: number[]): Promise<void> {
    const batch = ++this.batches;
    for (const s of steps) s.batch = batch;
    await Promise.all(
      order.map(async (pos) => {
        const step = steps[pos]!;
        for (let y = 0; y < (yields[pos] ?? 0); y++) await new Promise((r) => setImmediate(r));
        await this.runStep(step, { concurrent: true });
      }),
    );
  }

  async checkpoint(): Promise<void> {
    if (!this.targetUsable()) return;
    if (this.sentCheckpoints.at(-1) !== this.sentSteps.length) this.sentCheckpoints.push(this.sentSteps.length);
    await runCheckpoint(this, { pageSize: this.o.pageSize, completeModel: this.o.freshTenants });
  }

  get plan(): CampaignPlan {
    return this.o.plan;
  }

  /**
   * `--cleanup`: each tenant deletes the records it created and still has, children first, where the
   * spec has a delete operation for them; tenants in `keep` (pool tenants that serve on) keep theirs.
   * What could not be deleted is counted, never retried.
   */
  async cleanup(keep: ReadonlySet<TenantLabel> = new Set()): Promise<CleanupCounts> {
    const counts: CleanupCounts = { deleted: 0, failed: 0, undeletable: 0 };
    for (const [t, tenant] of this.builder.labels.entries()) {
      if (keep.has(tenant)) continue;
      const records = [...this.world.tenant(tenant).records]
        .filter((r) => r.alive)
        .sort((x, y) => Number(y.parent !== undefined) - Number(x.parent !== undefined) || y.createdBy - x.createdBy);
      for (const record of records) {
        if (!record.alive || !this.targetUsable()) continue;
        const del = this.o.plan.deletes.find((d) => d.op.resource === record.resource);
        const selector = this.world.alive(tenant, record.resource).indexOf(record);
        const step = del
          ? buildOwnStep(this.builder, {
              kind: 'own',
              action: 'delete',
              operationId: del.op.operationId,
              tenant: t,
              selector,
              values: { query: {}, nonce: 'tpcleanup000' },
            })
          : undefined;
        if (!step) {
          counts.undeletable++;
          continue;
        }
        await this.executor.run(step);
        if (record.alive) counts.failed++;
        else counts.deleted++;
      }
    }
    return counts;
  }
}
