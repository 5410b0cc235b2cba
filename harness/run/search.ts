/**
 * Phase 1 of a campaign: the search.
 *
 * 1. The directed sweep (directed-sweep.ts): one run that aims every probe at a fresh record of each
 *    kind, the credential-swap idea done with the model and the oracles.
 * 2. Random exploration: fast-check generates command sequences; each runs on fresh tenants. Lanes
 *    are independent searches side by side, each with its own seed, so the harness keeps several
 *    requests in flight while one run waits. Lanes run in epochs of EPOCH_RUNS runs; each epoch's
 *    command mix weighs more the operations the campaign has sent least so far (adaptive coverage).
 *
 * An oracle that fires ends its run at that request (the run takes no more commands). The search
 * collects distinct findings: one per oracle, operation and probe kind, as each first fired, with
 * the run it fired in (its steps, and for a random run its lane's epoch seed, run index and
 * arbitrary, so shrinking can regenerate it). "Requests to detect" is the campaign's request count
 * at the exchange that proved the finding. With `stopOnFirst`, the first run with a finding ends the
 * search. Budget, signals and an unusable target stop every lane (stop-plugin.ts, no exception).
 */
import fc from 'fast-check';
import type { Finding } from '../model/exchange.ts';
import type { CommandRunner } from '../model/commands.ts';
import type { CampaignState } from './campaign-state.ts';
import type { CampaignStatus } from './campaign-types.ts';
import type { Step } from '../model/step.ts';
import type { RunContext, StepResult } from './run-context.ts';
import { stopWhen } from './stop-plugin.ts';
import { stopReason } from './wall-limit.ts';
import { sweepAgenda, sweepCommands } from './directed-sweep.ts';

export type CommandsArbitrary = fc.Arbitrary<Iterable<fc.AsyncCommand<CommandRunner, CommandRunner>>>;

/** The command arbitrary of an epoch, given the operations to weigh more (none: the plain mix). */
export type ArbitraryFor = (boost: ReadonlySet<string>) => CommandsArbitrary;

/** Runs per lane between two re-weightings of the command mix. */
export const EPOCH_RUNS = 8;

/** fast-check's path of a run found by the directed sweep (not regenerable: shrinking works on its steps). */
export const SWEEP_PATH = 'directed';

/** A distinct finding and the run it first fired in: what shrinking starts from. */
export interface FoundRun {
  /** oracle|operationId|probe: findings with the same key are the same finding. */
  key: string;
  /** The finding as it first fired. */
  finding: Finding;
  /** The run's primary steps and commands (the counterexample if shrinking cannot do better). */
  steps: Step[];
  /** What each of `steps` got back. */
  results: StepResult[];
  /** Where mid-run checkpoints ran among `steps` (see Counterexample.checkpoints). */
  checkpoints: number[];
  commands: string[];
  /** fast-check's seed and path of that run (SWEEP_PATH for the directed sweep). */
  seed: number;
  path: string;
  /** The arbitrary that generated the run (absent for the sweep). */
  arbitrary?: CommandsArbitrary;
  detectedAt: { requests: number; elapsedMs: number };
}

export interface SearchOutcome {
  status: CampaignStatus;
  reason?: string;
  found: FoundRun[];
}

/** Lane 0 runs the campaign's seed; lane i > 0 a seed derived from it, the same on every machine. */
export function laneSeed(seed: number, lane: number): number {
  return lane === 0 ? seed : (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(lane, 0x85ebca6b)) >>> 1;
}

/** A lane's seed for an epoch: epoch 0 is the lane's seed itself. */
export function epochSeed(seed: number, lane: number, epoch: number): number {
  const ls = laneSeed(seed, lane);
  return epoch === 0
    ? ls
    : (Math.imul(ls ^ Math.imul(epoch, 0x27d4eb2d), 0x165667b1) + Math.imul(epoch, 0xc2b2ae35)) >>> 1;
}

/** Findings with the same oracle, operation and probe kind are one finding. */
export function findingKey(f: Finding): string {
  return `${f.oracle}|${f.operationId}|${f.probe ?? ''}`;
}

/**
 * The operations sent least so far: those below a quarter of the mean count per operation (an
 * operation never sent counts 0). Empty when the mix is already even, or nothing was sent.
 */
export function underCovered(sent: ReadonlyMap<string, number>, operations: readonly string[]): Set<string> {
  const counts = operations.map((op) => sent.get(op) ?? 0);
  const mean = counts.reduce((a, b) => a + b, 0) / Math.max(1, counts.length);
  if (mean === 0) return new Set();
  return new Set(operations.filter((op) => (sent.get(op) ?? 0) < mean / 4));
}

export async function search(state: CampaignState, arbitraryFor: ArbitraryFor): Promise<SearchOutcome> {
  const o = state.o;
  const deadline = Date.now() + o.budgetMs;
  state.deadline = deadline;
  const lanes = Math.max(1, o.lanes ?? 1);
  let totalRuns = o.maxRuns ?? 1_000_000;
  const found = new Map<string, FoundRun>();
  /** Primary steps sent per operation (the adaptive mix's coverage) and per operation|probe. */
  const sentPerOperation = new Map<string, number>();
  const labels = Array.from({ length: o.tenants }, (_, i) => `T${i + 1}`);

  const record = (
    ctx: RunContext,
    findings: readonly Finding[],
    cmds: Iterable<{ toString(): string }>,
    run: Pick<FoundRun, 'seed' | 'path' | 'arbitrary'>,
  ): void => {
    for (const s of ctx.sentSteps) sentPerOperation.set(s.operationId, (sentPerOperation.get(s.operationId) ?? 0) + 1);
    // A run cut short by a failing target or a signal proves nothing either way.
    if (findings.length === 0 || state.stopped()) return;
    for (const f of findings) {
      const key = findingKey(f);
      if (found.has(key)) continue;
      // The request that proved it: exchanges are numbered in the order they completed, campaign-wide.
      const proof = f.exchanges.length > 0 ? Math.max(...f.exchanges) : state.requests;
      const detectedAt = { requests: Math.min(proof, state.requests), elapsedMs: state.elapsedMs() };
      if (!state.firstDetection || detectedAt.requests < state.firstDetection.requests)
        state.firstDetection = detectedAt;
      found.set(key, {
        key,
        finding: f,
        steps: ctx.primary.map((s) => structuredClone(s)),
        results: [...ctx.primaryResults],
        checkpoints: ctx.midRunCheckpoints(),
        commands: [...cmds].map((c) => c.toString()),
        ...run,
        detectedAt,
      });
    }
    state.findingsSeen = found.size;
  };
  const stop = () => state.stopped() || Date.now() > deadline || (o.stopOnFirst === true && found.size > 0);

  if (o.sweep !== false && labels.length >= 2 && totalRuns > 0 && !stop()) {
    const agenda = sweepAgenda({
      plan: o.plan,
      labels,
      values: o.values,
      seed: o.seed,
      maxBatch: o.maxBatch,
      pageSize: o.pageSize,
    });
    if (agenda.length > 0) {
      const cmds = sweepCommands(agenda, labels);
      const { ctx, findings } = await state.execute(cmds);
      state.progress();
      record(ctx, findings, cmds, { seed: o.seed, path: SWEEP_PATH });
      totalRuns--;
    }
  }

  const operations = [...new Set(o.plan.inScope.map((p) => p.op.operationId))];
  // Lanes reaching the same epoch share its arbitrary; only the epochs some lane is still in are kept.
  const epochs = new Map<number, CommandsArbitrary>();
  const arbitraryOf = (epoch: number): CommandsArbitrary => {
    let arb = epochs.get(epoch);
    if (!arb) {
      arb = arbitraryFor(epoch === 0 ? new Set() : underCovered(sentPerOperation, operations));
      epochs.set(epoch, arb);
      for (const e of epochs.keys()) if (e < epoch - lanes) epochs.delete(e);
    }
    return arb;
  };

  const laneSearch = async (lane: number): Promise<fc.RunDetails<unknown> | undefined> => {
    let remaining = Math.floor(totalRuns / lanes) + (lane < totalRuns % lanes ? 1 : 0);
    for (let epoch = 0; remaining > 0 && !stop(); epoch++) {
      const arbitrary = arbitraryOf(epoch);
      const seed = epochSeed(o.seed, lane, epoch);
      let runIndex = -1;
      const property = fc.asyncProperty(arbitrary, async (cmds) => {
        const path = String(++runIndex);
        const { ctx, findings } = await state.execute(cmds);
        state.progress();
        record(ctx, findings, cmds, { seed, path, arbitrary });
        return true;
      });
      const numRuns = Math.min(EPOCH_RUNS, remaining);
      const result = await fc.check(property, { seed, numRuns, plugins: [stopWhen(stop)] });
      // Runs never fail the property (findings are collected, not thrown): a failure is an exception
      // in a run, a bug of ours or a provisioning failure, and it ends the campaign. A search stopped
      // (SIGINT, the budget) before a run completed is interrupted by stopWhen with no run done, which
      // fast-check reports as a failure with no error: not a crash.
      if (result.failed && !(stop() && result.errorInstance == null && (result.interrupted || result.numSkips > 0)))
        return result;
      remaining -= numRuns;
    }
    return undefined;
  };
  const results = await Promise.all(Array.from({ length: lanes }, (_, lane) => laneSearch(lane)));
  const crashed = results.find((r) => r !== undefined);
  if (crashed)
    throw crashed.errorInstance instanceof Error ? crashed.errorInstance : new Error(String(crashed.errorInstance));
  const list = [...found.values()];
  if (list.length > 0)
    return { status: 'findings', found: list, ...(o.signal.aborted ? { reason: stopReason(o.signal) } : {}) };
  if (!state.health.usable)
    return { status: 'target-unusable', reason: state.health.reason ?? 'the target became unusable', found: [] };
  if (o.signal.aborted) return { status: 'interrupted', reason: stopReason(o.signal), found: [] };
  return { status: 'clean', found: [] };
}
