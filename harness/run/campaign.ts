/**
 * The campaign loop. fast-check generates command sequences; each sequence runs on fresh tenants
 * (a "run"). The first run whose oracles raise a finding ends the search phase; a second phase
 * shrinks it to a minimal sequence (on fresh tenants each time), and the minimal sequence is then
 * replayed several times to measure how reliably it reproduces.
 */
import fc from 'fast-check';
import type { Exchange, Finding, OracleName, TenantLabel } from '../model/exchange.ts';
import { FingerprintRegistry } from '../generate/fingerprints.ts';
import { commandsArbitrary, type CommandRunner } from '../model/commands.ts';
import type { CampaignPlan } from '../model/plan.ts';
import type { Step } from '../model/step.ts';
import { buildOwnStep, type StepBuilderContext } from '../model/step-builder.ts';
import type { ValueSource } from '../model/value-source.ts';
import { World } from '../model/world.ts';
import { runCheckpoint } from './checkpoint.ts';
import { Coverage } from './coverage.ts';
import { Executor, StepSkipped } from './executor.ts';
import type { Transport } from './http-client.ts';
import { HealthMonitor, TargetUnusableError } from './health.ts';

export interface ProvisionedTenant {
  label: TenantLabel;
  /** Authentication headers; secret. */
  headers: Record<string, string>;
  /** The tenant's id at the target, when the adapter knows it. */
  tenantId?: string;
}

/** Makes `count` tenants for run number `run`; fresh ones where the adapter can. */
export type Provisioner = (count: number, run: number) => Promise<ProvisionedTenant[]>;

export interface CampaignOptions {
  plan: CampaignPlan;
  values: ValueSource;
  client: Transport;
  provision: Provisioner;
  /** Whether each run gets tenants nobody used before (so exact model checks apply). */
  freshTenants: boolean;
  tenants: number;
  seed: number;
  /** Wall-clock budget for the search phase. */
  budgetMs: number;
  /** Wall-clock budget for shrinking a failure. */
  shrinkBudgetMs: number;
  /** Stop after this many runs even if budget remains. */
  maxRuns?: number;
  maxCommands: number;
  maxBatch: number;
  pageSize: number;
  replays: number;
  signal: AbortSignal;
  onExchange?: (exchange: Exchange) => void;
  onProgress?: (p: CampaignProgress) => void;
  /** A shard's operation focus (see shard.ts). */
  focus?: ReadonlySet<string>;
  /** Delete what each run created, after the run (`--cleanup`). */
  cleanup?: boolean;
  /** Independent searches run side by side (default 1); each gets `laneSeed(seed, lane)`. */
  lanes?: number;
  /** Receives a function that returns the result so far, for checkpoint seals while the campaign runs. */
  onSnapshot?: (snapshot: () => CampaignResult) => void;
}

export interface CampaignProgress {
  phase: 'search' | 'shrink' | 'replay';
  runs: number;
  requests: number;
  findings: number;
  batches: number;
}

export interface Counterexample {
  oracle: OracleName;
  /** The primary steps of the minimal failing run (follow-ups are re-derived on replay). */
  steps: Step[];
  findings: Finding[];
  commands: string[];
}

export interface CampaignResult {
  status: 'clean' | 'leak' | 'interrupted' | 'target-unusable';
  /** Findings of the first failing run (full context). */
  firstFindings: Finding[];
  counterexample?: Counterexample;
  reproduction?: { reproduced: number; attempts: number };
  runs: number;
  requests: number;
  batches: number;
  coverage: Coverage;
  seed: number;
  fcPath?: string;
  /** The seed `fcPath` applies to (the failing lane's). */
  fcSeed?: number;
  /** Why the target was unusable or the run stopped early. */
  reason?: string;
  startedAt: Date;
  endedAt: Date;
  /** When the search phase first saw a finding: requests sent so far and time since the start. */
  firstDetection?: { requests: number; elapsedMs: number };
  /** What `--cleanup` deleted, summed over runs. */
  cleanup?: CleanupCounts;
}

/** Lane 0 runs the campaign's seed; lane i > 0 a seed derived from it, the same on every machine. */
export function laneSeed(seed: number, lane: number): number {
  return lane === 0 ? seed : (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(lane, 0x85ebca6b)) >>> 1;
}

export class FindingsRaised extends Error {
  constructor(readonly findings: Finding[]) {
    super(`${findings.length} finding(s): ${findings.map((f) => f.oracle).join(', ')}`);
    this.name = 'FindingsRaised';
  }
}

class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/** What a run context needs of the campaign's options. */
export type RunContextOptions = Pick<
  CampaignOptions,
  'plan' | 'client' | 'onExchange' | 'signal' | 'pageSize' | 'freshTenants'
>;

/** One run: fresh tenants, a fresh model and registry, one executor. */
export class RunContext implements CommandRunner {
  readonly world: World;
  readonly registry = new FingerprintRegistry();
  readonly executor: Executor;
  readonly builder: StepBuilderContext;
  readonly primary: Step[] = [];
  batches = 0;
  private batchCounter = 0;

  constructor(
    private readonly o: RunContextOptions,
    tenants: ProvisionedTenant[],
    coverage: Coverage,
    nextSeq: () => number,
    private readonly health: HealthMonitor,
  ) {
    const labels = tenants.map((t) => t.label);
    this.world = new World(labels, Object.fromEntries(tenants.map((t) => [t.label, t.tenantId])));
    for (const t of tenants) if (t.tenantId) this.registry.register(t.tenantId, t.label, 'id', 'provisioning.tenantId');
    this.executor = new Executor({
      plan: o.plan,
      world: this.world,
      registry: this.registry,
      client: o.client,
      credentials: new Map(tenants.map((t) => [t.label, t.headers])),
      coverage,
      onExchange: (ex) => {
        health.observe(ex);
        o.onExchange?.(ex);
      },
      signal: o.signal,
      nextSeq,
    });
    this.builder = { plan: o.plan, world: this.world, labels, pageSize: o.pageSize };
  }

  async runStep(step: Step, options: { concurrent?: boolean } = {}): Promise<void> {
    if (this.o.signal.aborted) throw new Interrupted();
    try {
      await this.executor.run(step, options);
      this.primary.push(step);
    } catch (err) {
      if (!(err instanceof StepSkipped)) throw err;
    }
    this.health.assertUsable();
  }

  async runBatch(steps: Step[], order: number[], yields: number[]): Promise<void> {
    const batch = ++this.batchCounter;
    this.batches++;
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
    if (this.o.signal.aborted) throw new Interrupted();
    await runCheckpoint(this.executor, { pageSize: this.o.pageSize, completeModel: this.o.freshTenants });
    this.health.assertUsable();
  }

  assertClean(): void {
    if (this.executor.findings.length > 0) throw new FindingsRaised(this.executor.findings);
  }

  /**
   * `--cleanup`: each tenant deletes the records it created and still has, children first, where the
   * spec has a delete operation for them. What could not be deleted is counted, never retried.
   */
  async cleanup(): Promise<CleanupCounts> {
    const counts: CleanupCounts = { deleted: 0, failed: 0, undeletable: 0 };
    const labels = this.builder.labels;
    for (const [t, tenant] of labels.entries()) {
      const records = [...this.world.tenant(tenant).records]
        .filter((r) => r.alive)
        .sort((x, y) => Number(y.parent !== undefined) - Number(x.parent !== undefined) || y.createdBy - x.createdBy);
      for (const record of records) {
        if (!record.alive || this.o.signal.aborted) continue;
        const del = this.o.plan.deletes.find((d) => d.op.resource === record.resource);
        if (!del) {
          counts.undeletable++;
          continue;
        }
        const selector = this.world.alive(tenant, record.resource).indexOf(record);
        const step = buildOwnStep(this.builder, {
          kind: 'own',
          action: 'delete',
          operationId: del.op.operationId,
          tenant: t,
          selector,
          values: { query: {}, nonce: 'tpcleanup000' },
        });
        if (!step) {
          counts.undeletable++;
          continue;
        }
        try {
          await this.executor.run(step);
        } catch (err) {
          if (!(err instanceof StepSkipped)) throw err;
        }
        if (record.alive) counts.failed++;
        else counts.deleted++;
      }
    }
    return counts;
  }
}

export interface CleanupCounts {
  deleted: number;
  /** Delete sent but refused (e.g. a record the API keeps once referenced). */
  failed: number;
  /** No delete operation in the spec for the record's resource. */
  undeletable: number;
}

export async function runCampaign(o: CampaignOptions): Promise<CampaignResult> {
  const startedAt = new Date();
  const coverage = new Coverage();
  const health = new HealthMonitor();
  let seq = 0;
  const nextSeq = (): number => ++seq;
  let runs = 0;
  let requests = 0;
  let batches = 0;
  let phase: CampaignProgress['phase'] = 'search';
  let findingsSeen = 0;
  let first: Finding[] | undefined;
  let targetOracle: OracleName | undefined;
  let last: { ctx: RunContext; findings: Finding[]; commands: string[] } | undefined;
  let firstDetection: CampaignResult['firstDetection'];

  const progress = (): void => o.onProgress?.({ phase, runs, requests, findings: findingsSeen, batches });
  const onExchange = o.onExchange;
  const options: CampaignOptions = {
    ...o,
    onExchange: (ex) => {
      requests++;
      onExchange?.(ex);
      if (requests % 25 === 0) progress();
    },
  };

  const newContext = async (): Promise<RunContext> => {
    runs++;
    const tenants = await o.provision(o.tenants, runs);
    return new RunContext(options, tenants, coverage, nextSeq, health);
  };

  // Labels are stable across runs (T1…Tn), so the command arbitraries can be built once.
  const labelList = Array.from({ length: o.tenants }, (_, i) => `T${i + 1}`);
  const arbitrary = commandsArbitrary(
    { plan: o.plan, labels: labelList, values: o.values, maxBatch: o.maxBatch, ...(o.focus ? { focus: o.focus } : {}) },
    o.maxCommands,
  );
  const cleaned: CleanupCounts | undefined = o.cleanup ? { deleted: 0, failed: 0, undeletable: 0 } : undefined;
  const cleanup = async (ctx: RunContext): Promise<void> => {
    if (!cleaned) return;
    try {
      const c = await ctx.cleanup();
      cleaned.deleted += c.deleted;
      cleaned.failed += c.failed;
      cleaned.undeletable += c.undeletable;
    } catch (err) {
      // A target that fails during cleanup must not lose the run's result; the health monitor saw it.
      if (!(err instanceof TargetUnusableError || err instanceof Interrupted)) throw err;
    }
  };
  o.onSnapshot?.(() => {
    const snap: CampaignResult = {
      status: 'interrupted',
      firstFindings: first ?? [],
      runs,
      requests,
      batches,
      coverage,
      seed: o.seed,
      startedAt,
      endedAt: new Date(),
      reason: `in progress (${phase} phase)`,
    };
    if (firstDetection) snap.firstDetection = { ...firstDetection };
    if (cleaned) snap.cleanup = { ...cleaned };
    return snap;
  });

  const execute = async (
    cmds: Iterable<fc.AsyncCommand<World, CommandRunner>>,
  ): Promise<{ ctx: RunContext; findings: Finding[] }> => {
    const ctx = await newContext();
    try {
      await fc.asyncModelRun(() => ({ model: ctx.world, real: ctx }), cmds);
      await ctx.checkpoint();
      ctx.assertClean();
      return { ctx, findings: [] };
    } catch (err) {
      if (err instanceof FindingsRaised) return { ctx, findings: err.findings };
      throw err;
    } finally {
      batches += ctx.batches;
      await cleanup(ctx);
    }
  };

  const searchDeadline = Date.now() + o.budgetMs;
  // Lanes: independent searches side by side, each with its own seed and fresh tenants, so the
  // harness keeps several requests in flight while one run waits on a response. The first lane to
  // fail wins; the others stop at their next run.
  const lanes = Math.max(1, o.lanes ?? 1);
  let failingLane: number | undefined;
  const laneProperty = (lane: number) =>
    fc.asyncProperty(arbitrary, async (cmds) => {
      if (o.signal.aborted || Date.now() > searchDeadline || (failingLane !== undefined && failingLane !== lane))
        throw new Interrupted();
      const { ctx, findings } = await execute(cmds);
      progress();
      if (findings.length > 0 && failingLane === undefined) {
        failingLane = lane;
        firstDetection = { requests, elapsedMs: Date.now() - startedAt.getTime() };
        first = findings;
        findingsSeen = findings.length;
        targetOracle = findings[0]!.oracle;
        last = { ctx, findings, commands: [...cmds].map((c) => c.toString()) };
        throw new FindingsRaised(findings);
      }
      if (failingLane !== undefined) throw new Interrupted();
    });

  let status: CampaignResult['status'] = 'clean';
  let reason: string | undefined;
  const totalRuns = o.maxRuns ?? 1_000_000;
  const searches = await Promise.all(
    Array.from({ length: lanes }, (_, lane) =>
      fc.check(laneProperty(lane), {
        seed: laneSeed(o.seed, lane),
        numRuns: Math.max(1, Math.floor(totalRuns / lanes) + (lane < totalRuns % lanes ? 1 : 0)),
        endOnFailure: true,
        interruptAfterTimeLimit: o.budgetMs + 60_000,
        markInterruptAsFailure: false,
      }),
    ),
  );
  // The failing lane's outcome decides; else a lane whose target became unusable; else any.
  const search =
    searches[failingLane ?? searches.findIndex((r) => r.failed && r.errorInstance instanceof TargetUnusableError)] ??
    searches[0]!;
  const searchError = search.errorInstance;
  const unexpected = searches.find(
    (r) =>
      r.failed &&
      !(r.errorInstance instanceof TargetUnusableError) &&
      !(r.errorInstance instanceof Interrupted) &&
      !(r.errorInstance instanceof FindingsRaised),
  );
  if (unexpected)
    throw unexpected.errorInstance instanceof Error
      ? unexpected.errorInstance
      : new Error(String(unexpected.errorInstance));
  if (search.failed && first) {
    status = 'leak';
  } else if (search.failed && searchError instanceof TargetUnusableError) {
    status = 'target-unusable';
    reason = searchError.message;
  } else if (search.failed && searchError instanceof Interrupted) {
    status = o.signal.aborted ? 'interrupted' : 'clean';
    if (o.signal.aborted) reason = 'stopped by signal';
  } else if (search.failed) {
    throw searchError instanceof Error ? searchError : new Error(String(searchError));
  }

  let fcPath: string | undefined;
  let reproduction: CampaignResult['reproduction'];
  let counterexample: Counterexample | undefined;
  if (status === 'leak' && last && targetOracle) {
    fcPath = search.counterexamplePath ?? undefined;
    // Phase 2: shrink. A candidate counts only if it fails with the same oracle.
    phase = 'shrink';
    const shrinkDeadline = Date.now() + o.shrinkBudgetMs;
    const shrinkProperty = fc.asyncProperty(arbitrary, async (cmds) => {
      if (o.signal.aborted || Date.now() > shrinkDeadline) return true;
      try {
        const { ctx, findings } = await execute(cmds);
        const same = findings.filter((f) => f.oracle === targetOracle);
        if (same.length === 0) return true;
        last = { ctx, findings: same, commands: [...cmds].map((c) => c.toString()) };
        return false;
      } catch (err) {
        if (err instanceof TargetUnusableError || err instanceof Interrupted) return true;
        throw err;
      }
    });
    if (fcPath) {
      const shrink = await fc.check(shrinkProperty, {
        seed: search.seed,
        path: fcPath,
        interruptAfterTimeLimit: o.shrinkBudgetMs + 30_000,
        markInterruptAsFailure: false,
      });
      if (shrink.counterexamplePath) fcPath = shrink.counterexamplePath;
    }
    const minimal: RunContext = last.ctx;
    counterexample = {
      oracle: targetOracle,
      steps: minimal.primary.map((s) => structuredClone(s)),
      findings: last.findings,
      commands: last.commands,
    };

    // Phase 3: replay the minimal steps on fresh tenants.
    phase = 'replay';
    let reproduced = 0;
    let attempts = 0;
    for (let i = 0; i < o.replays && !o.signal.aborted; i++) {
      attempts++;
      const ctx = await newContext();
      const findings = await replaySteps(ctx, counterexample.steps).catch((err: unknown) => {
        if (err instanceof TargetUnusableError || err instanceof Interrupted) return [];
        throw err;
      });
      if (findings.some((f) => f.oracle === targetOracle)) reproduced++;
      await cleanup(ctx);
    }
    reproduction = { reproduced, attempts };
  }
  progress();
  const result: CampaignResult = {
    status,
    firstFindings: first ?? [],
    runs,
    requests,
    batches,
    coverage,
    seed: o.seed,
    startedAt,
    endedAt: new Date(),
  };
  if (counterexample) result.counterexample = counterexample;
  if (reproduction) result.reproduction = reproduction;
  if (fcPath) {
    result.fcPath = fcPath;
    result.fcSeed = search.seed;
  }
  if (reason) result.reason = reason;
  if (firstDetection) result.firstDetection = firstDetection;
  if (cleaned) result.cleanup = cleaned;
  return result;
}

/**
 * Replays recorded primary steps on a fresh run context: batches run concurrently again, and
 * references to earlier steps are renumbered, since follow-up steps may land at other indexes.
 */
export async function replaySteps(ctx: RunContext, steps: readonly Step[]): Promise<Finding[]> {
  const renumber = new Map<number, number>();
  const remap = <T>(value: T): T => {
    if (Array.isArray(value)) return value.map(remap) as T;
    if (value !== null && typeof value === 'object') {
      if ('$from' in value && typeof (value as { $from: unknown }).$from === 'number') {
        const from = (value as { $from: number }).$from;
        return { ...value, $from: renumber.get(from) ?? from } as T;
      }
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, remap(v)])) as T;
    }
    return value;
  };
  const prepare = (s: Step): Step => {
    const copy = remap(structuredClone(s));
    if (copy.recordFrom !== undefined) copy.recordFrom = renumber.get(copy.recordFrom) ?? copy.recordFrom;
    return copy;
  };
  try {
    for (let i = 0; i < steps.length;) {
      const batch = steps[i]!.batch;
      const group =
        batch === undefined
          ? [steps[i]!]
          : steps
              .slice(i)
              .filter((s, k) => s.batch === batch && steps.slice(i, i + k + 1).every((x) => x.batch === batch));
      const prepared = group.map(prepare);
      if (group.length === 1) await ctx.runStep(prepared[0]!);
      else
        await ctx.runBatch(
          prepared,
          prepared.map((_, k) => k),
          prepared.map(() => 0),
        );
      group.forEach((orig, k) => renumber.set(orig.index, prepared[k]!.index));
      i += group.length;
    }
    await ctx.checkpoint();
  } catch (err) {
    if (!(err instanceof FindingsRaised)) throw err;
  }
  return ctx.executor.findings;
}
