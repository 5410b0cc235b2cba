/**
 * Phase 3 of a campaign, and `tenantproof replay`: the minimal counterexample's steps run again on
 * fresh tenants. Batches run concurrently again, and references to earlier steps are renumbered,
 * since follow-up steps may land at other indexes. A replay reproduces when the same oracle fires.
 */
import type { Finding, OracleName } from '../model/exchange.ts';
import type { Step } from '../model/step.ts';
import type { CampaignState } from './campaign-state.ts';
import type { Counterexample } from './campaign-types.ts';
import type { RunContext } from './run-context.ts';
import { findingKey } from './search.ts';
import { tenantsNeeded } from './tenants-needed.ts';

/**
 * Runs recorded primary steps on a run context, with a checkpoint before `steps[k]` for each k in
 * `checkpoints` (where the recorded run had one) and one at the end (unless `finalCheckpoint` is
 * false: the step shrinker's candidates for a finding raised at a step); returns the run's findings.
 */
export async function replaySteps(
  ctx: Pick<RunContext, 'runStep' | 'runBatch' | 'checkpoint' | 'findings'>,
  steps: readonly Step[],
  checkpoints: readonly number[] = [],
  options: { finalCheckpoint?: boolean } = {},
): Promise<Finding[]> {
  const checkpointBefore = new Set(checkpoints);
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
  for (let i = 0; i < steps.length;) {
    // Another finding at a mid-run checkpoint does not end a replay: the one it looks for may follow.
    if (checkpointBefore.has(i)) await ctx.checkpoint();
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
  if (options.finalCheckpoint !== false) await ctx.checkpoint();
  return [...ctx.findings];
}

/**
 * Whether a replay's findings reproduce a counterexample: the same finding (oracle, operation and
 * probe kind) when the counterexample names one, else (a file from an older version) the same oracle.
 */
export function reproduces(findings: readonly Finding[], target: { oracle: OracleName; key?: string }): boolean {
  return findings.some((f) => (target.key ? findingKey(f) === target.key : f.oracle === target.oracle));
}

/** Waits `ms`, or less if `signal` fires. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Replays the counterexample up to `state.o.replays` times on fresh tenants, with fresh unique
 * values (so a bug behind a unique index reproduces), until `deadline`: how often it reproduced.
 * With `settle` (a finding the replay must confirm), after the `replaySettleMs` pause.
 */
export async function replayCounterexample(
  state: CampaignState,
  counterexample: Counterexample,
  deadline: number,
  options: { settle: boolean } = { settle: true },
): Promise<{ reproduced: number; attempts: number }> {
  state.phase = 'replay';
  state.deadline = deadline;
  // The search and the shrinking just ran many similar sequences: a cache entry or a pooled session
  // they left (keyed without the tenant, in the bugs we look for) could answer the replay's first
  // reads and hide, or fake, what the repro does on its own. Replays that decide whether a finding
  // is confirmed start once that has expired.
  const settle = options.settle ? (state.o.replaySettleMs ?? 0) : 0;
  if (settle > 0 && Date.now() + settle < deadline) await pause(settle, state.o.signal);
  let reproduced = 0;
  let attempts = 0;
  for (let i = 0; i < state.o.replays && !state.stopped() && Date.now() < deadline; i++) {
    attempts++;
    // Only the tenants the steps name (at least two): a bystander proves nothing.
    const tenants = tenantsNeeded(counterexample.steps);
    const ctx = await state.newRun({
      freshValues: true,
      ...(tenants !== undefined ? { tenants: Math.min(tenants, state.o.tenants) } : {}),
    });
    const findings = await replaySteps(ctx, counterexample.steps, counterexample.checkpoints);
    if (!state.stopped() && reproduces(findings, counterexample)) reproduced++;
    await state.cleanup(ctx);
  }
  return { reproduced, attempts };
}
