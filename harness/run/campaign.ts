/**
 * The campaign: search, then (when a run failed) shrink and replay.
 *
 *   search()  fast-check command sequences, each on fresh tenants, until a run's oracles raise a
 *             finding, the budget ends, or the campaign is stopped      (search.ts)
 *   shrink()  the failing run, made minimal on fresh tenants             (shrink.ts)
 *   replay()  the minimal steps, replayed to measure reproduction        (replay.ts)
 *
 * Each phase returns values; findings are values, never exceptions. CampaignState holds what the
 * phases share (counters, coverage, health), and its snapshot feeds checkpoint seals meanwhile.
 */
import { commandsArbitrary } from '../model/commands.ts';
import { CampaignState } from './campaign-state.ts';
import type { CampaignOptions, CampaignResult } from './campaign-types.ts';
import { replayCounterexample } from './replay.ts';
import { search } from './search.ts';
import { shrink } from './shrink.ts';

export type {
  CampaignOptions,
  CampaignProgress,
  CampaignResult,
  Counterexample,
  Provisioner,
} from './campaign-types.ts';
export type { CleanupCounts, ProvisionedTenant, RunContextOptions } from './run-context.ts';
export { RunContext } from './run-context.ts';
export { laneSeed } from './search.ts';
export { replaySteps } from './replay.ts';

export async function runCampaign(o: CampaignOptions): Promise<CampaignResult> {
  const state = new CampaignState(o);
  o.onSnapshot?.(() => state.snapshot({ reason: `in progress (${state.phase} phase)` }));
  // Labels are stable across runs (T1…Tn), so the command arbitraries are built once.
  const labels = Array.from({ length: o.tenants }, (_, i) => `T${i + 1}`);
  const arbitrary = commandsArbitrary(
    { plan: o.plan, labels, values: o.values, maxBatch: o.maxBatch, ...(o.focus ? { focus: o.focus } : {}) },
    o.maxCommands,
  );

  const found = await search(state, arbitrary);
  if (found.status !== 'leak' || !found.failing) {
    state.progress();
    return state.snapshot({ status: found.status, ...(found.reason ? { reason: found.reason } : {}) });
  }
  const minimal = await shrink(state, arbitrary, found.failing);
  const reproduction = await replayCounterexample(state, minimal.counterexample);
  state.progress();
  return state.snapshot({
    status: 'leak',
    counterexample: minimal.counterexample,
    reproduction,
    ...(minimal.path !== undefined ? { fcPath: minimal.path, fcSeed: found.failing.seed } : {}),
  });
}
