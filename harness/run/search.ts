/**
 * Phase 1 of a campaign: the search. fast-check generates command sequences; each runs on fresh
 * tenants. Lanes are independent searches side by side, each with its own seed, so the harness keeps
 * several requests in flight while one run waits. The first run whose oracles raise a finding ends
 * the search (its lane's fast-check run fails, which records the path to shrink from); the other
 * lanes stop before their next run. Budget, signals and an unusable target stop every lane.
 */
import fc from 'fast-check';
import type { Finding } from '../model/exchange.ts';
import type { CommandRunner } from '../model/commands.ts';
import type { CampaignState } from './campaign-state.ts';
import type { CampaignStatus } from './campaign-types.ts';
import type { RunContext } from './run-context.ts';
import { stopWhen } from './stop-plugin.ts';

export type CommandsArbitrary = fc.Arbitrary<Iterable<fc.AsyncCommand<CommandRunner, CommandRunner>>>;

/** The first failing run: what shrinking starts from. */
export interface FailingRun {
  ctx: RunContext;
  findings: Finding[];
  commands: string[];
  /** fast-check's seed and path of this run, for shrinking and for `replay --fc`. */
  seed: number;
  path: string | undefined;
}

export interface SearchOutcome {
  status: CampaignStatus;
  reason?: string;
  failing?: FailingRun;
}

/** Lane 0 runs the campaign's seed; lane i > 0 a seed derived from it, the same on every machine. */
export function laneSeed(seed: number, lane: number): number {
  return lane === 0 ? seed : (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(lane, 0x85ebca6b)) >>> 1;
}

export async function search(state: CampaignState, arbitrary: CommandsArbitrary): Promise<SearchOutcome> {
  const o = state.o;
  const deadline = Date.now() + o.budgetMs;
  const lanes = Math.max(1, o.lanes ?? 1);
  const totalRuns = o.maxRuns ?? 1_000_000;
  let failing: (Omit<FailingRun, 'seed' | 'path'> & { lane: number }) | undefined;

  const laneProperty = (lane: number) =>
    fc.asyncProperty(arbitrary, async (cmds) => {
      const { ctx, findings } = await state.execute(cmds);
      state.progress();
      // A run cut short by a failing target or a signal proves nothing either way.
      if (findings.length === 0 || failing !== undefined || state.stopped()) return true;
      failing = { lane, ctx, findings, commands: [...cmds].map((c) => c.toString()) };
      state.firstDetection = { requests: state.requests, elapsedMs: Date.now() - state.startedAt.getTime() };
      state.findingsSeen = findings.length;
      state.firstFindings = findings;
      return false;
    });
  const stop = (lane: number) => () =>
    state.stopped() || Date.now() > deadline || (failing !== undefined && failing.lane !== lane);
  const results = await Promise.all(
    Array.from({ length: lanes }, (_, lane) =>
      fc.check(laneProperty(lane), {
        seed: laneSeed(o.seed, lane),
        numRuns: Math.max(1, Math.floor(totalRuns / lanes) + (lane < totalRuns % lanes ? 1 : 0)),
        endOnFailure: true,
        plugins: [stopWhen(stop(lane))],
      }),
    ),
  );
  // An exception in a run is a bug of ours or a provisioning failure: it ends the campaign.
  const crashed = results.find((r, lane) => r.failed && lane !== failing?.lane);
  if (crashed)
    throw crashed.errorInstance instanceof Error ? crashed.errorInstance : new Error(String(crashed.errorInstance));
  if (failing) {
    const r = results[failing.lane]!;
    const { lane: _lane, ...run } = failing;
    return { status: 'leak', failing: { ...run, seed: r.seed, path: r.counterexamplePath ?? undefined } };
  }
  if (!state.health.usable)
    return { status: 'target-unusable', reason: state.health.reason ?? 'the target became unusable' };
  if (o.signal.aborted) return { status: 'interrupted', reason: 'stopped by signal' };
  return { status: 'clean' };
}
