/**
 * Phase 2 of a campaign: shrinking. fast-check replays the failing run's path and tries smaller
 * command sequences, each on fresh tenants; a candidate counts only if the same oracle fires again.
 * The last candidate that failed is the minimal counterexample: its primary steps (follow-ups are
 * re-derived when it is replayed), its findings and its commands.
 */
import fc from 'fast-check';
import type { OracleName } from '../model/exchange.ts';
import type { CampaignState } from './campaign-state.ts';
import type { Counterexample } from './campaign-types.ts';
import type { CommandsArbitrary, FailingRun } from './search.ts';
import { stopWhen } from './stop-plugin.ts';

export interface ShrinkOutcome {
  counterexample: Counterexample;
  /** fast-check's path of the minimal counterexample (for the counterexample file). */
  path: string | undefined;
}

export async function shrink(
  state: CampaignState,
  arbitrary: CommandsArbitrary,
  failing: FailingRun,
): Promise<ShrinkOutcome> {
  state.phase = 'shrink';
  const oracle: OracleName = failing.findings[0]!.oracle;
  const deadline = Date.now() + state.o.shrinkBudgetMs;
  let last = { ctx: failing.ctx, findings: failing.findings, commands: failing.commands };
  let path = failing.path;
  if (path !== undefined) {
    const property = fc.asyncProperty(arbitrary, async (cmds) => {
      // Past the budget every candidate passes, so fast-check stops shrinking quickly.
      if (Date.now() > deadline) return true;
      const { ctx, findings } = await state.execute(cmds);
      const same = findings.filter((f) => f.oracle === oracle);
      if (same.length === 0 || state.stopped()) return true;
      last = { ctx, findings: same, commands: [...cmds].map((c) => c.toString()) };
      return false;
    });
    const result = await fc.check(property, { seed: failing.seed, path, plugins: [stopWhen(() => state.stopped())] });
    if (result.counterexamplePath) path = result.counterexamplePath;
  }
  const steps = last.ctx.primary.map((s) => structuredClone(s));
  return { counterexample: { oracle, steps, findings: last.findings, commands: last.commands }, path };
}
