/**
 * The campaign: search, then shrink and replay each distinct finding.
 *
 *   search()  the directed sweep, then fast-check command sequences, each on fresh tenants, to the
 *             budget, collecting the distinct findings (oracle × operation × probe kind) as each
 *             first fired                                                            (search.ts)
 *   shrink()  each finding's run, made minimal on fresh tenants with fresh values: its steps with
 *             the model's knowledge (step-shrink.ts), and where that leaves more than a few, its
 *             commands with fast-check (shrink.ts)
 *   replay()  each minimal counterexample, replayed for a reproduction rate             (replay.ts)
 *
 * A finding is confirmed when its evidence proves itself (victim-owned data, a victim state
 * change) or when it reproduced at least once; only confirmed findings can make a LEAK. Each phase
 * returns values; findings are values, never exceptions. CampaignState holds what the phases share,
 * and its snapshot feeds checkpoint seals meanwhile.
 */
import { SELF_PROVING } from '../model/exchange.ts';
import { commandsArbitrary } from '../model/commands.ts';
import { CampaignState } from './campaign-state.ts';
import type {
  CampaignFinding,
  CampaignOptions,
  CampaignResult,
  Confirmation,
  Counterexample,
} from './campaign-types.ts';
import { replayCounterexample } from './replay.ts';
import { search, type CommandsArbitrary, type FoundRun } from './search.ts';
import { shrink } from './shrink.ts';
import { shrinkSteps } from './step-shrink.ts';

export type {
  CampaignFinding,
  CampaignOptions,
  CampaignProgress,
  CampaignResult,
  Confirmation,
  Counterexample,
  Provisioner,
} from './campaign-types.ts';
export type { CleanupCounts, ProvisionedTenant, RunContextOptions } from './run-context.ts';
export { RunContext } from './run-context.ts';
export { laneSeed } from './search.ts';
export { replaySteps } from './replay.ts';

/** Command mixes kept built at once (a campaign rarely has more than a few distinct ones). */
const MAX_MIXES = 8;

/** Time after the shrink budget that replays may still use (the rest of budget + shrink + 60 s). */
const REPLAY_GRACE_MS = 30_000;

export async function runCampaign(o: CampaignOptions): Promise<CampaignResult> {
  const state = new CampaignState(o);
  const findings: CampaignFinding[] = [];
  o.onSnapshot?.(() => state.snapshot({ reason: `in progress (${state.phase} phase)`, findings: [...findings] }));
  // Labels are stable across runs (T1…Tn); an epoch's arbitrary weighs more the operations sent
  // least so far (and a shard's focus).
  const labels = Array.from({ length: o.tenants }, (_, i) => `T${i + 1}`);
  // One arbitrary per distinct focus, built once: epochs with the same under-covered operations
  // share it (building one per epoch kept every epoch's arbitraries alive, and the heap grew).
  const built = new Map<string, CommandsArbitrary>();
  const arbitraryFor = (boost: ReadonlySet<string>): CommandsArbitrary => {
    const focus = new Set([...(o.focus ?? []), ...boost]);
    const key = [...focus].sort().join('\u0000');
    let arbitrary = built.get(key);
    if (!arbitrary) {
      if (built.size >= MAX_MIXES) built.clear();
      arbitrary = commandsArbitrary(
        { plan: o.plan, labels, values: o.values, maxBatch: o.maxBatch, ...(focus.size > 0 ? { focus } : {}) },
        o.maxCommands,
      );
      built.set(key, arbitrary);
    }
    return arbitrary;
  };

  const found = await search(state, arbitraryFor);
  const shrinkEnd = Date.now() + o.shrinkBudgetMs;
  // The shortest runs first (the sweep's among them): they shrink fastest, and leave their unused
  // share of the shrink budget to the longer ones after them.
  const order = [...found.found].sort((a, b) => a.steps.length - b.steps.length);
  for (const [i, run] of order.entries()) {
    findings.push(await confirm(state, run, shrinkEnd, order.length - i));
  }
  state.progress();
  return state.snapshot({
    status: found.status,
    findings,
    ...(found.reason ? { reason: found.reason } : {}),
  });
}

/** Shrinks and replays one finding (as time allows), and says whether it is confirmed. */
async function confirm(
  state: CampaignState,
  run: FoundRun,
  shrinkEnd: number,
  remaining: number,
): Promise<CampaignFinding> {
  const selfProving = SELF_PROVING.includes(run.finding.proof);
  const base = { finding: run.finding, fcSeed: run.seed, detectedAt: run.detectedAt };
  if (state.stopped())
    return {
      ...base,
      counterexample: {
        oracle: run.finding.oracle,
        key: run.key,
        steps: run.steps,
        results: run.results,
        checkpoints: run.checkpoints,
        findings: [run.finding],
        commands: run.commands,
      },
      reproduction: { reproduced: 0, attempts: 0 },
      confirmation: selfProving ? 'self-proving' : 'unconfirmed',
      fcPath: run.path,
    };
  // The shrink budget left is shared by the findings left.
  const deadline = Date.now() + Math.max(0, shrinkEnd - Date.now()) / remaining;
  const minimal = await shrinkFinding(state, run, deadline);
  // A self-proving finding needs no replay to be confirmed: its replays (a rate) skip the settle pause.
  const reproduction = await replayCounterexample(state, minimal.counterexample, shrinkEnd + REPLAY_GRACE_MS, {
    settle: !selfProving,
  });
  const confirmation: Confirmation = selfProving
    ? 'self-proving'
    : reproduction.reproduced > 0
      ? 'replay'
      : 'unconfirmed';
  state.phase = 'shrink';
  return { ...base, counterexample: minimal.counterexample, reproduction, confirmation, fcPath: minimal.path };
}

/** A repro this short is left as the step shrinker made it. */
const SHORT_ENOUGH = 4;

/**
 * The model-aware step shrinker first; where it leaves more than SHORT_ENOUGH steps and the run came
 * from fast-check, fast-check's command shrinking with the time left, whose result the step shrinker
 * then shrinks again. The shorter of the two stands.
 */
async function shrinkFinding(
  state: CampaignState,
  run: FoundRun,
  deadline: number,
): Promise<{ counterexample: Counterexample; path: string }> {
  const asFound = {
    steps: run.steps,
    results: run.results,
    checkpoints: run.checkpoints,
    findings: [run.finding],
    commands: run.commands,
  };
  const half = Date.now() + (deadline - Date.now()) / 2;
  let best = await shrinkSteps(state, asFound, run.key, run.arbitrary ? half : deadline);
  let path = run.path;
  if (run.arbitrary && best.steps.length > SHORT_ENOUGH && Date.now() < deadline) {
    const regenerated = await shrink(state, run.arbitrary, run, Date.now() + (deadline - Date.now()) / 2);
    const again = await shrinkSteps(state, regenerated.counterexample, run.key, deadline);
    if (again.steps.length < best.steps.length) {
      best = again;
      path = regenerated.path;
    }
  }
  return { counterexample: { oracle: run.finding.oracle, key: run.key, ...best }, path };
}
