/**
 * What the phases of one campaign share: the counters, the coverage matrix, the target's health,
 * the observations, the transcript's sequence numbers, the long-lived tenant pool, and how a run is
 * started and finished (fresh and pool tenants in; pool tenants back to the pool and the `--cleanup`
 * deletes out). Phases report progress through it, and checkpoint seals read its snapshot.
 */
import fc from 'fast-check';
import type { CommandRunner } from '../model/commands.ts';
import type { Exchange, Finding, Observation } from '../model/exchange.ts';
import type { CampaignOptions, CampaignProgress, CampaignResult, ObservationCount } from './campaign-types.ts';
import { Coverage } from './coverage.ts';
import { HealthMonitor } from './health.ts';
import { RunContext, type CleanupCounts, type ProvisionedTenant } from './run-context.ts';
import type { PoolLease, PoolMember } from './tenant-pool.ts';
import { unusableCause } from './unusable-answer.ts';
import { systemClock, type Clock } from '../evidence/clock.ts';
import { InternalError } from '../errors.ts';

export class CampaignState {
  /** What the evidence records as the start and end (see CampaignOptions.clock). */
  private readonly clock: Clock;
  readonly startedAt: Date;
  /** When the campaign started by the system's clock, for elapsed times. */
  private readonly startedMs = Date.now();
  readonly coverage = new Coverage();
  readonly health = new HealthMonitor();
  phase: CampaignProgress['phase'] = 'search';
  runs = 0;
  requests = 0;
  batches = 0;
  /** Distinct findings so far: the progress line's count, the same as the evidence's. */
  findingsSeen = 0;
  /** The current phase's deadline (epoch ms): runs stop taking commands past it. */
  deadline: number | undefined;
  firstDetection: CampaignResult['firstDetection'];
  readonly cleaned: CleanupCounts | undefined;
  private readonly observed = new Map<string, ObservationCount>();
  /** Status codes of the tenants' own answers, per operation (why an operation was not probed). */
  readonly answers = new Map<string, Map<number, number>>();
  /** Answers no oracle could read (transport errors, truncated bodies), per operation and cause. */
  readonly unusable = new Map<string, Map<string, number>>();
  private seq = 0;
  /** Runs started and not yet finished (their registries are the progress's fingerprint count). */
  private readonly live = new Set<RunContext>();
  /** The registry size of the last run that finished (the count between two runs). */
  private lastFingerprints = 0;

  constructor(readonly o: CampaignOptions) {
    this.clock = o.clock ?? systemClock;
    this.startedAt = this.clock();
    this.cleaned = o.cleanup ? { deleted: 0, failed: 0, undeletable: 0 } : undefined;
    if (o.pool && o.pool.slots > 0 && o.pool.labels.at(-1) !== `T${o.tenants}`)
      throw new InternalError(
        `the tenant pool was made for other labels (${o.pool.labels.join(', ')}) than T1…T${o.tenants}`,
      );
  }

  readonly nextSeq = (): number => ++this.seq;

  /** Milliseconds since the campaign started (by the system clock, whatever time the evidence records). */
  elapsedMs(): number {
    return Date.now() - this.startedMs;
  }

  /** The campaign was stopped (a signal) or the target can no longer support a verdict. */
  stopped(): boolean {
    return this.o.signal.aborted || !this.health.usable;
  }

  progress(): void {
    const { phase, runs, requests, findingsSeen: findings, batches } = this;
    let fingerprints = this.live.size === 0 ? this.lastFingerprints : 0;
    for (const ctx of this.live) fingerprints += ctx.registry.size;
    this.o.onProgress?.({
      phase,
      runs,
      requests,
      findings,
      batches,
      fingerprints,
      ...(this.o.pool
        ? { poolFingerprints: this.o.pool.fingerprintCount(), poolRecords: this.o.pool.mostRecords() }
        : {}),
    });
  }

  /**
   * A run (provisioning errors propagate: they end the campaign). With `freshValues`, repeated
   * steps get new unique values (shrinking and replays). With `pool` (default: in the search phase
   * only, and never with `freshValues`), the last tenants of the run come from the campaign's
   * long-lived pool (tenant-pool.ts), the others are fresh; without it every tenant is fresh, so a
   * counterexample replays from scratch. `cleanup(ctx)` gives the pool tenants back.
   */
  async newRun(options: { freshValues?: boolean; pool?: boolean; tenants?: number } = {}): Promise<RunContext> {
    this.runs++;
    const pool = this.o.pool;
    const usePool =
      pool !== undefined &&
      pool.slots > 0 &&
      (options.tenants === undefined || options.tenants === this.o.tenants) &&
      (options.pool ?? (!options.freshValues && this.phase === 'search'));
    const lease = usePool ? pool.lease() : undefined;
    let tenants: ProvisionedTenant[];
    let members: PoolMember[] = [];
    try {
      if (lease) ({ tenants, members } = await this.provisionWithPool(lease));
      // A shrink candidate or a replay may need fewer tenants than the campaign's (no bystanders).
      else tenants = await this.o.provision(options.tenants ?? this.o.tenants, this.runs);
    } catch (error) {
      if (lease) pool!.abandon(lease);
      throw error;
    }
    const onExchange = (ex: Exchange): void => {
      this.requests++;
      if (ex.relation === 'own' && ex.response) {
        const counts = this.answers.get(ex.operationId) ?? new Map<number, number>();
        counts.set(ex.response.status, (counts.get(ex.response.status) ?? 0) + 1);
        this.answers.set(ex.operationId, counts);
      }
      const cause = unusableCause(ex);
      if (cause) {
        const counts = this.unusable.get(ex.operationId) ?? new Map<string, number>();
        counts.set(cause, (counts.get(cause) ?? 0) + 1);
        this.unusable.set(ex.operationId, counts);
      }
      const transport = ex.error && ex.error.code !== 'ABORTED' ? [`no usable answer: ${ex.error.code}`] : [];
      for (const note of [...(ex.response?.notes ?? []), ...transport])
        this.observe({
          oracle: 'target',
          kind: 'conformance',
          operationId: ex.operationId,
          summary: note,
          exchanges: [ex.seq],
        });
      this.o.onExchange?.(ex);
      if (this.requests % 25 === 0) this.progress();
    };
    const ctx = new RunContext(
      {
        ...this.o,
        onExchange,
        ...(this.o.oracles ? { oracles: this.o.oracles } : {}),
        ...(options.freshValues ? { freshValues: true } : {}),
        deadline: () => this.deadline,
      },
      tenants,
      this.coverage,
      this.nextSeq,
      this.health,
      members,
    );
    ctx.poolLease = lease;
    this.live.add(ctx);
    return ctx;
  }

  /**
   * The run's tenants with a pool lease: fresh ones for the first labels, the lease's members for
   * the last, and one provisioning call for both the fresh ones and any slot the lease left empty.
   */
  private async provisionWithPool(lease: PoolLease): Promise<{ tenants: ProvisionedTenant[]; members: PoolMember[] }> {
    const pool = this.o.pool!;
    const freshCount = this.o.tenants - pool.slots;
    const missing = pool.missing(lease);
    const made = await this.o.provision(freshCount + missing.length, this.runs);
    if (made.length < freshCount + missing.length)
      throw new InternalError(`provisioning gave ${made.length} tenants, ${freshCount + missing.length} were needed`);
    missing.forEach((slot, k) => pool.adopt(lease, slot, made[freshCount + k]!));
    const members = lease.members.map((m) => m!);
    return { tenants: [...made.slice(0, freshCount), ...members.map((m) => m.tenant)], members };
  }

  /** Runs a command sequence on a new run (see `newRun`): its findings (none when it stopped early). */
  async execute(
    cmds: Iterable<fc.AsyncCommand<CommandRunner, CommandRunner>>,
    options: { freshValues?: boolean; pool?: boolean } = {},
  ): Promise<{ ctx: RunContext; findings: Finding[] }> {
    const ctx = await this.newRun(options);
    try {
      await fc.asyncModelRun(() => ({ model: ctx, real: ctx }), cmds);
      // Every run ends at a quiescent checkpoint, unless it already failed or was stopped.
      if (ctx.canContinue()) await ctx.checkpoint();
      return { ctx, findings: [...ctx.findings] };
    } finally {
      this.batches += ctx.batches;
      for (const o of ctx.executor.observations) this.observe(o);
      await this.cleanup(ctx);
    }
  }

  /** Counts an observation; the first of a kind (per operation) keeps its exchanges. */
  observe(o: Observation): void {
    const key = `${o.oracle}|${o.kind}|${o.operationId}|${o.kind === 'conformance' ? o.summary : ''}`;
    const seen = this.observed.get(key);
    if (seen) seen.count++;
    else this.observed.set(key, { ...o, count: 1 });
  }

  get observations(): ObservationCount[] {
    return [...this.observed.values()];
  }

  /**
   * The run is over: its pool tenants go back to the pool (which retires those past their lifetime),
   * and with `--cleanup` every other tenant deletes what it created; a failing target loses nothing
   * of the result. Call it once per run from `newRun` (`execute` does).
   */
  async cleanup(ctx: RunContext): Promise<void> {
    this.live.delete(ctx);
    this.lastFingerprints = ctx.registry.size;
    const keep =
      ctx.poolLease && this.o.pool
        ? this.o.pool.release(ctx.poolLease, {
            world: ctx.world,
            registry: ctx.registry,
            findings: ctx.findings.length,
          })
        : new Set<string>();
    if (!this.cleaned) return;
    const c = await ctx.cleanup(keep);
    this.cleaned.deleted += c.deleted;
    this.cleaned.failed += c.failed;
    this.cleaned.undeletable += c.undeletable;
  }

  /** The result so far (for checkpoint seals and for the final result). */
  snapshot(extra: Partial<CampaignResult> = {}): CampaignResult {
    const result: CampaignResult = {
      status: 'interrupted',
      findings: [],
      observations: this.observations,
      runs: this.runs,
      requests: this.requests,
      batches: this.batches,
      coverage: this.coverage,
      answers: this.answers,
      unusable: this.unusable,
      seed: this.o.seed,
      startedAt: this.startedAt,
      endedAt: this.clock(),
      ...extra,
    };
    if (this.firstDetection) result.firstDetection = { ...this.firstDetection };
    if (this.cleaned) result.cleanup = { ...this.cleaned };
    if (this.o.pool && this.o.pool.slots > 0) result.pool = this.o.pool.summary();
    return result;
  }
}
