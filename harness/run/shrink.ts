/**
 * Phase 2 of a campaign: shrinking one finding. fast-check regenerates the run the finding first
 * fired in (its lane's seed and run index) and tries smaller command sequences, each on fresh
 * tenants with fresh unique values; a candidate counts only if the same finding (oracle, operation
 * and probe kind) fires again. The last candidate that did is the minimal counterexample; if none
 * did (a finding that does not reproduce), the run as found stands.
 */
import fc from 'fast-check';
import type { CampaignState } from './campaign-state.ts';
import type { Counterexample } from './campaign-types.ts';
import { findingKey, type CommandsArbitrary, type FoundRun } from './search.ts';
import { stopWhen } from './stop-plugin.ts';

export interface ShrinkOutcome {
  counterexample: Counterexample;
  /** fast-check's path of the minimal counterexample (for the counterexample file). */
  path: string;
}

export async function shrink(
  state: CampaignState,
  arbitrary: CommandsArbitrary,
  run: FoundRun,
  deadline: number,
): Promise<ShrinkOutcome> {
  let last: Pick<Counterexample, 'steps' | 'results' | 'checkpoints' | 'findings' | 'commands'> = {
    steps: run.steps,
    results: run.results,
    checkpoints: run.checkpoints,
    findings: [run.finding],
    commands: run.commands,
  };
  state.deadline = deadline;
  const property = fc.asyncProperty(arbitrary, async (cmds) => {
    // Past the budget every candidate passes, so fast-check stops shrinking quickly.
    if (Date.now() > deadline) return true;
    const { ctx, findings } = await state.execute(cmds, { freshValues: true });
    const same = findings.filter((f) => findingKey(f) === run.key);
    if (same.length === 0 || state.stopped()) return true;
    last = {
      steps: ctx.primary.map((s) => structuredClone(s)),
      results: [...ctx.primaryResults],
      checkpoints: ctx.midRunCheckpoints(),
      findings: same,
      commands: [...cmds].map((c) => c.toString()),
    };
    return false;
  });
  const result = await fc.check(property, {
    seed: run.seed,
    path: run.path,
    plugins: [stopWhen(() => state.stopped() || Date.now() > deadline)],
  });
  return {
    counterexample: { oracle: run.finding.oracle, key: run.key, ...last },
    path: result.counterexamplePath ?? run.path,
  };
}
