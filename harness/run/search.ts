/**
 * Phase 1 of a campaign: the search. fast-check generates command sequences; each runs on fresh
 * tenants. Lanes are independent searches side by side, each with its own seed, so the harness keeps
 * several requests in flight while one run waits.
 *
 * The search runs to its budget and collects distinct findings: one per oracle, operation and probe
 * kind, as each first fired, with the run it fired in (its lane's seed and run index, so shrinking
 * can regenerate it). With `stopOnFirst`, the first run with a finding ends the search. Budget,
 * signals and an unusable target stop every lane (stop-plugin.ts, no exception).
 */
import fc from 'fast-check';
import type { Finding } from '../model/exchange.ts';
import type { CommandRunner } from '../model/commands.ts';
import type { CampaignState } from './campaign-state.ts';
import type { CampaignStatus } from './campaign-types.ts';
import type { Step } from '../model/step.ts';
import type { StepResult } from './run-context.ts';
import { stopWhen } from './stop-plugin.ts';
import { stopReason } from './wall-limit.ts';

export type CommandsArbitrary = fc.Arbitrary<Iterable<fc.AsyncCommand<CommandRunner, CommandRunner>>>;

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
  /** fast-check's seed and path of that run. */
  seed: number;
  path: string;
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

/** Findings with the same oracle, operation and probe kind are one finding. */
export function findingKey(f: Finding): string {
  return `${f.oracle}|${f.operationId}|${f.probe ?? ''}`;
}

export async function search(state: CampaignState, arbitrary: CommandsArbitrary): Promise<SearchOutcome> {
  const o = state.o;
  const deadline = Date.now() + o.budgetMs;
  state.deadline = deadline;
  const lanes = Math.max(1, o.lanes ?? 1);
  const totalRuns = o.maxRuns ?? 1_000_000;
  const found = new Map<string, FoundRun>();

  const laneProperty = (lane: number) => {
    let runIndex = -1;
    return fc.asyncProperty(arbitrary, async (cmds) => {
      const path = String(++runIndex);
      const { ctx, findings } = await state.execute(cmds);
      state.progress();
      // A run cut short by a failing target or a signal proves nothing either way.
      if (findings.length === 0 || state.stopped()) return true;
      for (const f of findings) {
        const key = findingKey(f);
        if (found.has(key)) continue;
        const detectedAt = { requests: state.requests, elapsedMs: state.elapsedMs() };
        state.firstDetection ??= detectedAt;
        found.set(key, {
          key,
          finding: f,
          steps: ctx.primary.map((s) => structuredClone(s)),
          results: [...ctx.primaryResults],
          checkpoints: ctx.midRunCheckpoints(),
          commands: [...cmds].map((c) => c.toString()),
          seed: laneSeed(o.seed, lane),
          path,
          detectedAt,
        });
      }
      state.findingsSeen = found.size;
      return true;
    });
  };
  const stop = () => state.stopped() || Date.now() > deadline || (o.stopOnFirst === true && found.size > 0);
  const results = await Promise.all(
    Array.from({ length: lanes }, (_, lane) =>
      fc.check(laneProperty(lane), {
        seed: laneSeed(o.seed, lane),
        numRuns: Math.max(1, Math.floor(totalRuns / lanes) + (lane < totalRuns % lanes ? 1 : 0)),
        plugins: [stopWhen(stop)],
      }),
    ),
  );
  // Runs never fail the property (findings are collected, not thrown): a failure is an exception in
  // a run, a bug of ours or a provisioning failure, and it ends the campaign.
  // A search stopped (SIGINT, the budget) before its first run completed is interrupted by stopWhen
  // with no run done, which fast-check reports as a failure with no error: not a crash.
  const crashed = results.find(
    (r) => r.failed && !(stop() && r.errorInstance == null && (r.interrupted || r.numSkips > 0)),
  );
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
