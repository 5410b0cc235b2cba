/**
 * What the phases of one campaign share: the counters, the coverage matrix, the target's health,
 * the transcript's sequence numbers, and how a run is started and finished (fresh tenants in, the
 * `--cleanup` deletes out). Phases report progress through it, and checkpoint seals read its
 * snapshot.
 */
import fc from 'fast-check';
import type { Exchange, Finding } from '../model/exchange.ts';
import type { CommandRunner } from '../model/commands.ts';
import type { CampaignOptions, CampaignProgress, CampaignResult } from './campaign-types.ts';
import { Coverage } from './coverage.ts';
import { HealthMonitor } from './health.ts';
import { RunContext, type CleanupCounts } from './run-context.ts';

export class CampaignState {
  readonly startedAt = new Date();
  readonly coverage = new Coverage();
  readonly health = new HealthMonitor();
  phase: CampaignProgress['phase'] = 'search';
  runs = 0;
  requests = 0;
  batches = 0;
  findingsSeen = 0;
  /** Findings of the first failing run, once the search found one. */
  firstFindings: Finding[] = [];
  firstDetection: CampaignResult['firstDetection'];
  readonly cleaned: CleanupCounts | undefined;
  private seq = 0;

  constructor(readonly o: CampaignOptions) {
    this.cleaned = o.cleanup ? { deleted: 0, failed: 0, undeletable: 0 } : undefined;
  }

  readonly nextSeq = (): number => ++this.seq;

  /** The campaign was stopped (a signal) or the target can no longer support a verdict. */
  stopped(): boolean {
    return this.o.signal.aborted || !this.health.usable;
  }

  progress(): void {
    const { phase, runs, requests, findingsSeen: findings, batches } = this;
    this.o.onProgress?.({ phase, runs, requests, findings, batches });
  }

  /** A run on fresh tenants (provisioning errors propagate: they end the campaign). */
  async newRun(): Promise<RunContext> {
    this.runs++;
    const tenants = await this.o.provision(this.o.tenants, this.runs);
    const onExchange = (ex: Exchange): void => {
      this.requests++;
      this.o.onExchange?.(ex);
      if (this.requests % 25 === 0) this.progress();
    };
    return new RunContext(
      { ...this.o, onExchange, ...(this.o.oracles ? { oracles: this.o.oracles } : {}) },
      tenants,
      this.coverage,
      this.nextSeq,
      this.health,
    );
  }

  /** Runs a command sequence on fresh tenants: its findings (none when it stopped early). */
  async execute(
    cmds: Iterable<fc.AsyncCommand<CommandRunner, CommandRunner>>,
  ): Promise<{ ctx: RunContext; findings: Finding[] }> {
    const ctx = await this.newRun();
    try {
      await fc.asyncModelRun(() => ({ model: ctx, real: ctx }), cmds);
      // Every run ends at a quiescent checkpoint, unless it already failed or was stopped.
      if (ctx.canContinue()) await ctx.checkpoint();
      return { ctx, findings: [...ctx.findings] };
    } finally {
      this.batches += ctx.batches;
      await this.cleanup(ctx);
    }
  }

  /** `--cleanup`: deletes what the run created; a failing target loses nothing of the result. */
  async cleanup(ctx: RunContext): Promise<void> {
    if (!this.cleaned) return;
    const c = await ctx.cleanup();
    this.cleaned.deleted += c.deleted;
    this.cleaned.failed += c.failed;
    this.cleaned.undeletable += c.undeletable;
  }

  /** The result so far (for checkpoint seals and for the final result). */
  snapshot(extra: Partial<CampaignResult> = {}): CampaignResult {
    const result: CampaignResult = {
      status: 'interrupted',
      firstFindings: this.firstFindings,
      runs: this.runs,
      requests: this.requests,
      batches: this.batches,
      coverage: this.coverage,
      seed: this.o.seed,
      startedAt: this.startedAt,
      endedAt: new Date(),
      ...extra,
    };
    if (this.firstDetection) result.firstDetection = { ...this.firstDetection };
    if (this.cleaned) result.cleanup = { ...this.cleaned };
    return result;
  }
}
