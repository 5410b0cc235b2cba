/**
 * The fast-check side of the campaign: arbitraries for command specs (own CRUD, lists, searches,
 * aggregates, exports, page walks, repeated reads, cross-tenant probes, injections, concurrent
 * batches, checkpoints), and the fc.AsyncCommand that turns a spec into steps on the executor.
 */
import fc from 'fast-check';
import type { TenantLabel } from './exchange.ts';
import type {
  BatchCommandSpec,
  CommandSpec,
  GeneratedValues,
  OwnCommandSpec,
  ProbeCommandSpec,
} from './command-spec.ts';
import { describeSpec } from './command-spec.ts';
import type { CampaignPlan, PlannedOperation } from './plan.ts';
import { commandMenu, isMultiStep, type MenuCommand } from './command-menu.ts';
import { nextPageStep } from './next-page.ts';
import type { StepProbe } from './probe.ts';
import type { Step } from './step.ts';
import { buildOwnStep, buildProbeStep, type StepBuilderContext } from './step-builder.ts';
import { orderTimeRanges } from '../generate/time-ranges.ts';
import { widenTimeWindows, type ValueSource } from './value-source.ts';
import type { World } from './world.ts';

/**
 * What a command needs at run time; implemented by the campaign's run context, which is both the
 * model and the real system of `fc.asyncModelRun`.
 */
export interface CommandRunner {
  world: World;
  builder: StepBuilderContext;
  runStep(step: Step, options?: { concurrent?: boolean }): Promise<void>;
  runBatch(steps: Step[], order: number[], yields: number[]): Promise<void>;
  checkpoint(): Promise<void>;
  /** False once an oracle raised a finding or the run was stopped: the remaining commands are skipped. */
  canContinue(): boolean;
}

export interface CommandOptions {
  plan: CampaignPlan;
  labels: readonly TenantLabel[];
  values: ValueSource;
  /** Largest concurrent batch. */
  maxBatch: number;
  /** Leave probe kinds out (e.g. `x-tenantproof-skip-probes`, or an operation the target lacks). */
  skipProbes?: ReadonlySet<StepProbe>;
  /** A shard's focus: commands on these operationIds weigh FOCUS_BOOST times more. */
  focus?: ReadonlySet<string>;
}

/** How much more often a shard drives the operations of its focus. */
export const FOCUS_BOOST = 3;

/** A page walk's page size is drawn in 1..MAX_WALK_PAGE_SIZE, so that later pages happen with few records. */
export const MAX_WALK_PAGE_SIZE = 4;
/** A page walk stops after this many pages, even when the list says there are more. */
export const MAX_WALK_PAGES = 30;
/** A repeated read is sent 2..MAX_REPEAT times. */
export const MAX_REPEAT = 8;

const nonce = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
  minLength: 12,
  maxLength: 12,
});

export function valuesFor(
  planned: PlannedOperation,
  tenant: TenantLabel,
  source: ValueSource,
  withBody: boolean,
): fc.Arbitrary<GeneratedValues> {
  const op = planned.op;
  const query: Record<string, fc.Arbitrary<unknown>> = {};
  for (const p of op.parameters) {
    if (p.in !== 'query') continue;
    if (p.name === op.pagination?.param || p.name === op.pagination?.limitParam || p.name === op.searchParam) continue;
    // Required parameters always; optional filters one time in four, so that most lists and
    // searches see everything (a filter that matches nothing tests nothing).
    const arb = source.param(op, p, tenant);
    query[p.name] = p.required
      ? arb
      : fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: arb, weight: 1 });
  }
  const body = withBody ? source.body(op, tenant) : undefined;
  return fc
    .record({
      query: fc.record(query),
      body: body ?? fc.constant(undefined),
      nonce,
      pick: fc.nat(),
    })
    .map(({ query: q, body: b, nonce: n, pick }) => {
      const cleanQuery: Record<string, unknown> = { __pick: pick };
      for (const [k, v] of Object.entries(q)) if (v !== undefined) cleanQuery[k] = v;
      widenTimeWindows(orderTimeRanges(cleanQuery));
      const values: GeneratedValues = { query: cleanQuery, nonce: n };
      if (b !== undefined) values.body = b;
      return values;
    });
}

/** One arbitrary per tenant, picked by tenant index, so generated canaries carry the right tenant. */
function perTenant<T>(
  labels: readonly TenantLabel[],
  make: (tenant: TenantLabel, index: number) => fc.Arbitrary<T>,
): fc.Arbitrary<T> {
  const arbs = labels.map((l, i) => make(l, i));
  return fc.oneof(...arbs);
}

function own(
  planned: PlannedOperation,
  command: MenuCommand & { kind: 'own' },
  o: CommandOptions,
): fc.Arbitrary<CommandSpec> {
  const { action, queryModes } = command;
  const withBody = planned.op.requestBody !== undefined;
  return perTenant(o.labels, (tenant, t) =>
    fc
      .record({
        selector: fc.nat({ max: 1000 }),
        victim: fc.nat({ max: 127 }),
        queryMode: queryModes ? fc.constantFrom(...queryModes) : fc.constant(undefined),
        values: valuesFor(planned, tenant, o.values, withBody),
        pageSize: command.paginate ? fc.integer({ min: 1, max: MAX_WALK_PAGE_SIZE }) : fc.constant(undefined),
        // Mostly 2 or 3 times, sometimes up to MAX_REPEAT (requests are the budget).
        repeat: command.repeat
          ? fc.oneof(
              { arbitrary: fc.integer({ min: 2, max: 3 }), weight: 3 },
              { arbitrary: fc.integer({ min: 4, max: MAX_REPEAT }), weight: 1 },
            )
          : fc.constant(undefined),
      })
      .map(({ selector, victim, queryMode, values, pageSize, repeat }): OwnCommandSpec => {
        const spec: OwnCommandSpec = {
          kind: 'own',
          action,
          operationId: planned.op.operationId,
          tenant: t,
          selector,
          values,
        };
        if (queryMode) {
          spec.queryMode = queryMode;
          spec.victim = victim;
        }
        if (pageSize !== undefined) spec.paginate = { pageSize };
        if (repeat !== undefined) spec.repeat = repeat;
        return spec;
      }),
  );
}

function probe(
  planned: PlannedOperation,
  kind: StepProbe,
  o: CommandOptions,
  withBody: boolean,
): fc.Arbitrary<CommandSpec> {
  return perTenant(o.labels, (tenant, t) =>
    fc
      .record({
        victim: fc.nat({ max: 127 }),
        selector: fc.nat({ max: 1000 }),
        values: valuesFor(planned, tenant, o.values, withBody),
      })
      .map(({ victim, selector, values }): ProbeCommandSpec => ({
        kind: 'probe',
        probe: kind,
        operationId: planned.op.operationId,
        tenant: t,
        victim,
        selector,
        values,
      })),
  );
}

/** The weighted menu of single commands (everything but batches and checkpoints). */
export function singleCommandArbitraries(o: CommandOptions): {
  arbitrary: fc.Arbitrary<CommandSpec>;
  weight: number;
  operationId: string;
  /** It sends several steps in a row (a page walk, a repeated read), so it never joins a concurrent batch. */
  multiStep: boolean;
}[] {
  return commandMenu(o.plan, o.skipProbes).map(({ planned, command, weight }) => ({
    arbitrary: command.kind === 'own' ? own(planned, command, o) : probe(planned, command.probe, o, command.withBody),
    weight: o.focus?.has(planned.op.operationId) ? weight * FOCUS_BOOST : weight,
    operationId: planned.op.operationId,
    multiStep: isMultiStep(command),
  }));
}

function batchArbitrary(single: fc.Arbitrary<CommandSpec>, o: CommandOptions): fc.Arbitrary<CommandSpec> {
  return fc
    .array(single, { minLength: 2, maxLength: o.maxBatch })
    .chain((members) =>
      fc.record({
        members: fc.constant(members as (OwnCommandSpec | ProbeCommandSpec)[]),
        order: fc.shuffledSubarray(
          members.map((_, i) => i),
          { minLength: members.length, maxLength: members.length },
        ),
        yields: fc.array(fc.nat({ max: 3 }), { minLength: members.length, maxLength: members.length }),
      }),
    )
    .map((b): BatchCommandSpec => ({ kind: 'batch', ...b }));
}

/** Every command the campaign may generate, weighted. */
export function commandSpecArbitrary(o: CommandOptions): fc.Arbitrary<CommandSpec> {
  const menu = singleCommandArbitraries(o);
  if (menu.length === 0) throw new Error('the plan has no operation the campaign can drive');
  const single = fc.oneof(...menu.map(({ arbitrary, weight }) => ({ arbitrary, weight })));
  // Concurrent batches draw only operations that may be interleaved (`x-tenantproof-skip-probes:
  // [interleaved]` keeps one out); --concurrency 1 means no batches at all.
  const batchable = menu
    .filter((m) => !m.multiStep && o.plan.byId.get(m.operationId)?.op.probes.includes('interleaved') !== false)
    .map(({ arbitrary, weight }) => ({ arbitrary, weight }));
  const batches =
    o.maxBatch >= 2 && batchable.length > 0
      ? [{ arbitrary: batchArbitrary(fc.oneof(...batchable), o), weight: 6 }]
      : [];
  return fc.oneof(
    { arbitrary: single, weight: 28 },
    ...batches,
    // Every run ends with a checkpoint anyway; one in the middle costs ~10 requests a tenant.
    { arbitrary: fc.constant<CommandSpec>({ kind: 'checkpoint' }), weight: 1 },
  );
}

function buildStep(runner: CommandRunner, spec: OwnCommandSpec | ProbeCommandSpec): Step | undefined {
  return spec.kind === 'own' ? buildOwnStep(runner.builder, spec) : buildProbeStep(runner.builder, spec);
}

/** Runs `step`; false when it was not sent (the run stopped, or a reference in it did not resolve). */
async function sent(runner: CommandRunner, step: Step): Promise<boolean> {
  const before = runner.world.steps.length;
  await runner.runStep(step);
  return runner.world.steps.length > before && runner.world.responses.has(step.index);
}

/**
 * Walks a list from `first` to its last page: each page is a step of its own, judged as any list,
 * whose cursor refers to the answer of the page before (next-page.ts). It stops at the last page,
 * at a failed page, at a cursor seen before (a list that loops), or after MAX_WALK_PAGES pages.
 */
export async function walkPages(runner: CommandRunner, first: Step): Promise<void> {
  const seen = new Set<string>();
  let step = first;
  for (let page = 1; page <= MAX_WALK_PAGES; page++) {
    if (!(await sent(runner, step)) || !runner.canContinue()) return;
    const next = nextPageStep(runner.builder.plan, step, runner.world.responses.get(step.index));
    if (!next || seen.has(next.token)) return;
    seen.add(next.token);
    step = next.step;
  }
}

/** An own command: one step, or a page walk, sent once or `repeat` times in a row (each time a step of its own). */
export async function runOwnCommand(runner: CommandRunner, spec: OwnCommandSpec): Promise<void> {
  const first = buildOwnStep(runner.builder, spec);
  if (!first) return;
  const times = Math.max(1, Math.min(spec.repeat ?? 1, MAX_REPEAT));
  const template = times > 1 ? structuredClone(first) : undefined;
  for (let i = 0; i < times; i++) {
    if (i > 0 && !runner.canContinue()) return;
    const step = i === 0 ? first : { ...structuredClone(template!), index: -1 };
    if (spec.paginate) await walkPages(runner, step);
    else await runner.runStep(step);
  }
}

/** The fast-check command: builds the spec's steps against the world at run time and runs them. */
export class CampaignCommand implements fc.AsyncCommand<CommandRunner, CommandRunner> {
  constructor(
    readonly spec: CommandSpec,
    private readonly labels: readonly TenantLabel[],
  ) {}

  check(runner: CommandRunner): boolean {
    return runner.canContinue();
  }

  async run(_model: CommandRunner, runner: CommandRunner): Promise<void> {
    const spec = this.spec;
    if (spec.kind === 'checkpoint') await runner.checkpoint();
    else if (spec.kind === 'batch') {
      const built: { step: Step; i: number }[] = [];
      spec.members.forEach((m, i) => {
        const step = buildStep(runner, m);
        if (step) built.push({ step, i });
      });
      if (built.length === 1) await runner.runStep(built[0]!.step);
      else if (built.length > 1) {
        const positions = spec.order
          .filter((i) => built.some((b) => b.i === i))
          .map((i) => built.findIndex((b) => b.i === i));
        await runner.runBatch(
          built.map((b) => b.step),
          positions,
          built.map((b) => spec.yields[b.i] ?? 0),
        );
      }
    } else if (spec.kind === 'own') await runOwnCommand(runner, spec);
    else {
      const step = buildStep(runner, spec);
      if (step) await runner.runStep(step);
    }
  }

  toString(): string {
    return describeSpec(this.spec, this.labels);
  }
}

export function commandsArbitrary(
  o: CommandOptions,
  maxCommands: number,
): fc.Arbitrary<Iterable<fc.AsyncCommand<CommandRunner, CommandRunner>>> {
  const spec = commandSpecArbitrary(o);
  // `size: 'max'` so that every run is a full sequence: short ones spend their requests on checkpoints.
  return fc.commands([spec.map((s) => new CampaignCommand(s, o.labels))], { maxCommands, size: 'max' });
}
