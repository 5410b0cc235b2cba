/**
 * The fast-check side of the campaign: arbitraries for command specs (own CRUD, lists, searches,
 * aggregates, exports, cross-tenant probes, injections, concurrent batches, checkpoints), and the
 * fc.AsyncCommand that turns a spec into steps on the executor.
 */
import fc from 'fast-check';
import type { TenantLabel } from './exchange.ts';
import type {
  BatchCommandSpec,
  CommandSpec,
  GeneratedValues,
  OwnCommandSpec,
  ProbeCommandSpec,
  QueryMode,
} from './command-spec.ts';
import { describeSpec } from './command-spec.ts';
import type { CampaignPlan, PlannedOperation } from './plan.ts';
import { commandMenu } from './command-menu.ts';
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

const nonce = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
  minLength: 12,
  maxLength: 12,
});

function valuesFor(
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
  action: OwnCommandSpec['action'],
  o: CommandOptions,
  queryModes?: QueryMode[],
): fc.Arbitrary<CommandSpec> {
  const withBody = planned.op.requestBody !== undefined;
  return perTenant(o.labels, (tenant, t) =>
    fc
      .record({
        selector: fc.nat({ max: 1000 }),
        victim: fc.nat({ max: 127 }),
        queryMode: queryModes ? fc.constantFrom(...queryModes) : fc.constant(undefined),
        values: valuesFor(planned, tenant, o.values, withBody),
      })
      .map(({ selector, victim, queryMode, values }): OwnCommandSpec => {
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
export function singleCommandArbitraries(
  o: CommandOptions,
): { arbitrary: fc.Arbitrary<CommandSpec>; weight: number; operationId: string }[] {
  return commandMenu(o.plan, o.skipProbes).map(({ planned, command, weight }) => ({
    arbitrary:
      command.kind === 'own'
        ? own(planned, command.action, o, command.queryModes)
        : probe(planned, command.probe, o, command.withBody),
    weight: o.focus?.has(planned.op.operationId) ? weight * FOCUS_BOOST : weight,
    operationId: planned.op.operationId,
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
    .filter((m) => o.plan.byId.get(m.operationId)?.op.probes.includes('interleaved') !== false)
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
    } else {
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
