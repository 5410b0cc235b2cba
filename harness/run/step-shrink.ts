/**
 * Model-aware shrinking of a counterexample's steps. fast-check shrinks the commands that generated
 * a run; this works on the steps themselves, with what the model knows about them:
 *
 * - a step that no kept step reads (no ValueRef to its response, not the creator of a record a kept
 *   step works on) can go, and when a step goes, every step that reads it goes with it;
 * - the first candidate is the finding's own steps and what they read, transitively; the next add
 *   the creates of the tenants those steps involve, then everyone's creates;
 * - a candidate runs with only the tenants its steps name (bystanders are not provisioned);
 * - then concurrent batches are tried one after another, and mid-run checkpoints dropped;
 * - then delta debugging: ever smaller chunks of steps are removed while the finding still fires.
 *
 * Steps of a tenant that loses all its steps vanish with them (a bystander tenant is only
 * provisioned, never driven). Every candidate runs on fresh tenants with fresh unique values, and
 * counts only if the same finding (oracle, operation and probe kind) fires again; the last candidate
 * that did is the result, as the replay recorded it.
 */
import type { Finding } from '../model/exchange.ts';
import { probeOf } from '../model/probe.ts';
import type { Step, StepValue } from '../model/step.ts';
import type { CampaignState } from './campaign-state.ts';
import type { Counterexample } from './campaign-types.ts';
import { replaySteps } from './replay.ts';
import type { StepResult } from './run-context.ts';
import { findingKey } from './search.ts';
import { tenantsNeeded } from './tenants-needed.ts';

export type ShrunkSteps = Pick<Counterexample, 'steps' | 'results' | 'checkpoints' | 'findings' | 'commands'>;

/** The step indexes a step reads: its ValueRefs, and the record it works on. */
export function readsOf(step: Step): Set<number> {
  const out = new Set<number>();
  const walk = (v: StepValue | undefined): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      if ('$from' in v && typeof v.$from === 'number') out.add(v.$from);
      else if (!('$tenantId' in v)) for (const x of Object.values(v)) walk(x as StepValue);
    }
  };
  walk(step.pathParams);
  walk(step.query);
  walk(step.headers);
  walk(step.body);
  if (step.recordFrom !== undefined) out.add(step.recordFrom);
  return out;
}

/** Positions in `steps` that `keep` needs, transitively (by step index), `keep` included. */
export function closure(steps: readonly Step[], keep: Iterable<number>): Set<number> {
  const position = new Map(steps.map((s, i) => [s.index, i]));
  const kept = new Set<number>();
  const todo = [...keep];
  while (todo.length > 0) {
    const p = todo.pop()!;
    if (kept.has(p) || steps[p] === undefined) continue;
    kept.add(p);
    for (const idx of readsOf(steps[p])) {
      const q = position.get(idx);
      if (q !== undefined && !kept.has(q)) todo.push(q);
    }
  }
  return kept;
}

/** `remove` and every position that reads one of them, transitively. */
export function withDependents(steps: readonly Step[], remove: Iterable<number>): Set<number> {
  const out = new Set(remove);
  for (let i = 0; i < steps.length; i++) {
    if (out.has(i)) continue;
    const reads = readsOf(steps[i]!);
    if (steps.some((s, p) => out.has(p) && reads.has(s.index))) out.add(i);
  }
  return out;
}

/** Checkpoint positions after keeping only `kept` positions (strictly inside the new sequence). */
export function remapCheckpoints(checkpoints: readonly number[], kept: readonly number[]): number[] {
  const out = new Set<number>();
  for (const k of checkpoints) {
    const at = kept.filter((p) => p < k).length;
    if (at > 0 && at < kept.length) out.add(at);
  }
  return [...out].sort((a, b) => a - b);
}

/** A one-line description of a step, for the counterexample's command list. */
export function describeStep(s: Step): string {
  const probe = probeOf(s);
  const what = s.probe ? `${probe} → ${s.victim ?? '?'}` : s.action;
  return `${s.tenant} ${what} ${s.operationId}${s.batch !== undefined ? ` (batch ${s.batch})` : ''}`;
}

/** The steps a run's finding cites, with the steps they ran concurrently with. */
function ownSteps(run: ShrunkSteps): Set<number> {
  const cited = citedPositions(run.results ?? [], run.findings[0]!);
  const batches = new Set(cited.map((i) => run.steps[i]!.batch).filter((b) => b !== undefined));
  return new Set([
    ...cited,
    ...run.steps.flatMap((s, i) => (s.batch !== undefined && batches.has(s.batch) ? [i] : [])),
  ]);
}

/** Positions of the primary steps whose exchanges the finding cites. */
function citedPositions(results: readonly StepResult[], finding: Finding): number[] {
  const cited = new Set(finding.exchanges);
  return results.flatMap((r, i) => (cited.has(r.seq) ? [i] : []));
}

export async function shrinkSteps(
  state: CampaignState,
  start: ShrunkSteps,
  key: string,
  deadline: number,
): Promise<ShrunkSteps> {
  let best: ShrunkSteps = start;
  state.deadline = deadline;
  const live = (): boolean => !state.stopped() && Date.now() < deadline;

  // A finding raised at a step needs no checkpoint after the last step: candidates skip it (a
  // checkpoint reads every tenant's lists) unless the first one shows the finding needs it.
  const cited = citedPositions(best.results ?? [], best.findings[0]!);
  let finalCheckpoint = cited.length === 0;

  /** Runs a candidate on fresh tenants; true (and `best` updated) when the same finding fires. */
  const attempt = async (steps: Step[], checkpoints: number[]): Promise<boolean> => {
    if (!live()) return false;
    const tenants = tenantsNeeded(steps);
    const ctx = await state.newRun({
      freshValues: true,
      ...(tenants !== undefined ? { tenants: Math.min(tenants, state.o.tenants) } : {}),
    });
    try {
      const findings = await replaySteps(ctx, steps, checkpoints, { finalCheckpoint });
      const same = findings.filter((f) => findingKey(f) === key);
      if (same.length === 0 || state.stopped()) return false;
      const replayed = ctx.primary.map((s) => structuredClone(s));
      best = {
        steps: replayed,
        results: [...ctx.primaryResults],
        checkpoints: ctx.midRunCheckpoints(),
        findings: same,
        commands: replayed.map(describeStep),
      };
      return true;
    } finally {
      await state.cleanup(ctx);
    }
  };
  const keepOnly = (kept: Set<number>): [Step[], number[]] => {
    const positions = best.steps.map((_, i) => i).filter((i) => kept.has(i));
    return [positions.map((i) => best.steps[i]!), remapCheckpoints(best.checkpoints ?? [], positions)];
  };

  // 1. The finding's own steps (with the steps they ran concurrently with: a race needs them) and
  //    what they read. Failing that, the same with what the model knows can matter to them: the
  //    same operation called earlier by anyone (state keyed by the request, a cache), the records
  //    of the tenants the steps involve, then everyone's (a list needs records to have a second
  //    page, a count something to count).
  const own = [...ownSteps(best)];
  const first = Math.min(...own, best.steps.length);
  const operations = new Set(own.map((i) => best.steps[i]!.operationId));
  const sameOperation = best.steps.flatMap((s, i) => (i < first && operations.has(s.operationId) ? [i] : []));
  const involved = new Set(own.flatMap((i) => [best.steps[i]!.tenant, best.steps[i]!.victim ?? '']));
  const createsBy = (who: (tenant: string) => boolean) =>
    best.steps.flatMap((s, i) => (s.action === 'create' && s.relation === 'own' && who(s.tenant) ? [i] : []));
  const candidates = [
    own,
    [...own, ...sameOperation],
    [...own, ...sameOperation, ...createsBy((t) => involved.has(t))],
    [...own, ...sameOperation, ...createsBy(() => true)],
  ].map((keep) => closure(best.steps, keep));
  let retriedWithCheckpoint = false;
  for (const [k, candidate] of candidates.entries()) {
    if (candidate.size >= best.steps.length || (k > 0 && candidate.size === candidates[k - 1]!.size)) continue;
    if (await attempt(...keepOnly(candidate))) break;
    // A finding raised at a step may still need the closing checkpoint's reads: once, with it.
    if (!retriedWithCheckpoint && !finalCheckpoint) {
      retriedWithCheckpoint = true;
      finalCheckpoint = true;
      if (await attempt(...keepOnly(candidate))) break;
    }
  }

  // 2. Batches one after another; mid-run checkpoints dropped.
  if (best.steps.some((s) => s.batch !== undefined))
    await attempt(
      best.steps.map(({ batch: _batch, ...s }) => s),
      best.checkpoints ?? [],
    );
  if ((best.checkpoints ?? []).length > 0) await attempt(best.steps, []);

  // 3. Delta debugging over what is left: chunks of the steps the finding does not cite (nor their
  //    batch mates), never removing a step a cited one reads.
  let chunks = 2;
  while (live()) {
    const mine = ownSteps(best);
    const removable = best.steps.map((_, i) => i).filter((i) => !mine.has(i));
    if (removable.length === 0) break;
    const size = Math.max(1, Math.ceil(removable.length / chunks));
    let reduced = false;
    for (let from = removable.length - size; from > -size && live(); from -= size) {
      const span = removable.slice(Math.max(0, from), from + size);
      const gone = withDependents(best.steps, span);
      if ([...gone].some((i) => mine.has(i))) continue;
      const kept = new Set(best.steps.map((_, i) => i).filter((i) => !gone.has(i)));
      if (await attempt(...keepOnly(kept))) {
        reduced = true;
        chunks = Math.max(2, chunks - 1);
        break;
      }
    }
    if (!reduced) {
      if (size === 1) break;
      chunks = Math.min(chunks * 2, removable.length);
    }
  }
  return best;
}
