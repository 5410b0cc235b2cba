/**
 * Phase 1a of a campaign: the directed sweep. Before any random exploration, one run on fresh
 * tenants does what a credential-swap tool does, but with the model and the oracles:
 *
 * 1. the victim (T1) makes one record of each resource, parents first; the first (a root resource)
 *    at once gets every probe aimed at it but the delete, and the attacker (T2) makes one of its
 *    own; each other record only the replay of its idempotency key. Probes that send the victim's
 *    own values come from a third tenant (a value the sender sent never counts against it);
 * 2. each read-only view (searches, lists, exports, singletons, audit logs, aggregates) is called
 *    by the victim and at once, identically, by the attacker (a cache keyed without the tenant
 *    answers the second with the first's data);
 * 3. a checkpoint; 4. deletes aimed at the victim's records; 5. every remaining probe, the
 *    attacker's own records and the references it can aim once it has parents; 6. a cursor list the
 *    victim pages and the attacker replays; 7. every tenant override; 8. rounds of both tenants'
 *    concurrent reads; the run's closing checkpoint.
 *
 * The agenda is plain data (command specs, as fast-check generates them), built once per campaign
 * from the plan and values sampled with the campaign's seed, so the sweep is the same on every
 * machine. A spec the model cannot build yet (a reference whose parent the attacker lacks) costs no
 * request; such a spec is listed again later, and runs at most once. The oracles judge every
 * exchange as in any run, and a finding ends the sweep at that request.
 */
import fc from 'fast-check';
import type { CommandRunner } from '../model/commands.ts';
import { CampaignCommand, valuesFor } from '../model/commands.ts';
import { commandMenu, type MenuEntry } from '../model/command-menu.ts';
import { type CommandSpec, type OwnCommandSpec, type QueryMode } from '../model/command-spec.ts';
import type { TenantLabel } from '../model/exchange.ts';
import type { CampaignPlan, PlannedOperation } from '../model/plan.ts';
import { INJECTION_PROBES, type StepProbe } from '../model/probe.ts';
import type { ValueSource } from '../model/value-source.ts';

export interface SweepOptions {
  plan: CampaignPlan;
  labels: readonly TenantLabel[];
  values: ValueSource;
  seed: number;
  /** Largest concurrent batch (below 2: no batch). */
  maxBatch: number;
  /** Page size the lists use (the victim makes one record more than this where a cursor is to be replayed). */
  pageSize: number;
  skipProbes?: ReadonlySet<StepProbe>;
}

/** One entry of the agenda: a spec, and the key under which it runs at most once. */
export interface SweepItem {
  spec: CommandSpec;
  /** Items with the same key run once: the first that could be built. */
  once?: string;
}

const VICTIM = 0;
const ATTACKER = 1;
/** Probes that send the victim's own values. */
const ECHOING: readonly StepProbe[] = ['foreign-idempotency-key', 'foreign-unique-value'];

type ProbeEntry = MenuEntry & { command: { kind: 'probe' } };

/** Concurrent batches of both tenants' reads at the end of the sweep. */
const BATCH_ROUNDS = 3;

/** Creates ordered parents first (a create that consumes a resource another create makes comes after it). */
export function createsParentsFirst(plan: CampaignPlan): PlannedOperation[] {
  const byResource = new Map<string, PlannedOperation[]>();
  for (const c of plan.creates) {
    const r = c.op.produces?.resource ?? c.op.resource;
    if (r) byResource.set(r, [...(byResource.get(r) ?? []), c]);
  }
  const ordered: PlannedOperation[] = [];
  const state = new Map<PlannedOperation, 'visiting' | 'done'>();
  const visit = (c: PlannedOperation): void => {
    if (state.get(c)) return; // done, or a cycle (left in spec order)
    state.set(c, 'visiting');
    const needs = new Set([...Object.values(c.pathResources), ...c.op.consumes.map((u) => u.resource)]);
    for (const r of needs) for (const parent of byResource.get(r) ?? []) if (parent !== c) visit(parent);
    state.set(c, 'done');
    ordered.push(c);
  };
  for (const c of plan.creates) visit(c);
  return ordered;
}

/** The resource whose record a probe aims at (the same rule as the step builder's). */
function probeResource(planned: PlannedOperation, probe: StepProbe): string | undefined {
  const op = planned.op;
  if (probe.startsWith('cross-tenant-')) return op.resource;
  if (probe === 'foreign-reference') {
    const parentParam = op.parent?.param;
    if (parentParam && planned.pathResources[parentParam]) return planned.pathResources[parentParam];
    return op.consumes.find((c) => c.in === 'body')?.resource;
  }
  if (probe === 'foreign-idempotency-key' || probe === 'foreign-unique-value')
    return op.produces?.resource ?? op.resource;
  return undefined;
}

/** The sweep's agenda (see the header for its order). */
export function sweepAgenda(o: SweepOptions): SweepItem[] {
  if (o.labels.length < 2) return [];
  const menu = commandMenu(o.plan, o.skipProbes);
  let sample = 0;
  const valuesOf = (planned: PlannedOperation, tenant: number, withBody: boolean) =>
    fc.sample(valuesFor(planned, o.labels[tenant]!, o.values, withBody), {
      seed: (o.seed + Math.imul(++sample, 0x9e3779b1)) | 0,
      numRuns: 1,
    })[0]!;
  const own = (planned: PlannedOperation, action: OwnCommandSpec['action'], tenant: number): OwnCommandSpec => ({
    kind: 'own',
    action,
    operationId: planned.op.operationId,
    tenant,
    selector: 0,
    values: valuesOf(planned, tenant, planned.op.requestBody !== undefined),
  });
  // Probes that send the victim's own values (its body with its idempotency key, its unique value)
  // teach the sender those values, and a value the sender sent is never evidence against it: a third
  // tenant sends them where there is one.
  const echoer = o.labels.length >= 3 ? 2 : ATTACKER;
  const probes = menu.filter((e): e is ProbeEntry => e.command.kind === 'probe');
  const probeItem = (e: ProbeEntry): SweepItem => ({
    spec: {
      kind: 'probe',
      probe: e.command.probe,
      operationId: e.planned.op.operationId,
      tenant: ECHOING.includes(e.command.probe) ? echoer : ATTACKER,
      victim: 0,
      selector: 0,
      values: valuesOf(e.planned, ATTACKER, e.command.withBody),
    },
    once: `${e.command.probe}|${e.planned.op.operationId}`,
  });
  const agenda: SweepItem[] = [];
  const push = (spec: CommandSpec) => agenda.push({ spec });
  const aimedAt = (resource: string | undefined, kinds: readonly StepProbe[]): SweepItem[] =>
    kinds.flatMap((k) =>
      probes
        .filter((e) => e.command.probe === k && resource && probeResource(e.planned, k) === resource)
        .map(probeItem),
    );
  const creates = createsParentsFirst(o.plan);
  const resourceOf = (c: PlannedOperation) => c.op.produces?.resource ?? c.op.resource;

  // 1. The victim's records, parents first. The first (a root resource) at once gets every probe but
  //    the delete, and the attacker makes one of its own; each other record only the one-request
  //    replay of its idempotency key. With two tenants, the echoing probes come after the reads.
  const firstKinds: StepProbe[] =
    echoer === ATTACKER
      ? ['foreign-reference', 'cross-tenant-read', 'cross-tenant-update', 'cross-tenant-action', ...ECHOING]
      : [
          'foreign-idempotency-key',
          'foreign-reference',
          'cross-tenant-read',
          'cross-tenant-update',
          'cross-tenant-action',
          'foreign-unique-value',
        ];
  for (const [i, c] of creates.entries()) {
    push(own(c, 'create', VICTIM));
    agenda.push(
      ...aimedAt(resourceOf(c), i === 0 ? firstKinds : echoer === ATTACKER ? [] : ['foreign-idempotency-key']),
    );
    // The attacker's own first record, so that each view below is checked in both directions.
    if (i === 0) push(own(c, 'create', ATTACKER));
  }

  // 2. Read-only views: the victim's call, then the attacker's identical one (a search for the
  //    victim's canary is the same URL in both, so a cache keyed without the tenant answers it).
  const views: [PlannedOperation[], OwnCommandSpec['action']][] = [
    [o.plan.searches, 'search'],
    [o.plan.collections, 'list'],
    [o.plan.exports, 'export'],
    [o.plan.singletons, 'singleton'],
    [o.plan.audits, 'audit'],
    [o.plan.aggregates, 'aggregate'],
  ];
  for (const [ops, action] of views)
    for (const v of ops) {
      const search = action === 'search' || (action === 'list' && v.op.searchParam !== undefined);
      // A free-text query first with a canary (the victim's own, and the victim's as the attacker's
      // query: a new URL in every run, so a cache entry an earlier run left cannot answer it), then
      // with the prefix every canary shares (only the asker's own records may match).
      const modes: ([QueryMode, QueryMode] | [])[] = search
        ? [
            ['own-canary', 'victim-canary'],
            ['broad', 'broad'],
          ]
        : [[]];
      const base = own(v, action, VICTIM);
      for (const [victimMode, attackerMode] of modes) {
        const victimSpec: OwnCommandSpec = { ...base, ...(victimMode ? { queryMode: victimMode, victim: 0 } : {}) };
        push(victimSpec);
        push({
          ...victimSpec,
          tenant: ATTACKER,
          values: structuredClone(victimSpec.values),
          ...(attackerMode ? { queryMode: attackerMode, victim: 0 } : {}),
        });
      }
    }

  // 3. A quiescent checkpoint: every tenant's lists, counts and exports against the model.
  push({ kind: 'checkpoint' });

  // 4. Deletes aimed at the victim's records, children first (a refused delete changes nothing; one
  //    that succeeds is a finding and ends the sweep).
  for (const c of [...creates].reverse()) agenda.push(...aimedAt(resourceOf(c), ['cross-tenant-delete']));

  // 5. Every other probe on the other records; the attacker's own records, and what it can aim at
  //    the victim's once it has parents of its own.
  for (const c of creates.slice(1))
    agenda.push(
      ...aimedAt(
        resourceOf(c),
        firstKinds.filter((k) => k !== 'foreign-idempotency-key'),
      ),
    );
  for (const c of creates.slice(1)) {
    push(own(c, 'create', ATTACKER));
    agenda.push(...aimedAt(resourceOf(c), ['foreign-reference', ...ECHOING]));
  }

  // 6. Cursors: the victim makes more records than a page holds, lists them, and the attacker
  //    replays the victim's cursor.
  for (const e of probes.filter((p) => p.command.probe === 'foreign-cursor')) {
    const create = creates.find((c) => resourceOf(c) === e.planned.op.resource);
    if (create) for (let i = 0; i < o.pageSize; i++) push(own(create, 'create', VICTIM));
    push(own(e.planned, 'list', VICTIM));
    agenda.push(probeItem(e));
  }

  // 7. Tenant overrides on every operation.
  for (const e of probes) if (INJECTION_PROBES.includes(e.command.probe)) agenda.push(probeItem(e));

  // 8. Both tenants' reads at once, in a few rounds (a tenant context that crosses between
  //    concurrent requests shows only when they overlap). The run's own closing checkpoint follows.
  const reads = [...o.plan.collections, ...o.plan.aggregates].slice(0, 4);
  if (o.maxBatch >= 2 && reads.length > 0)
    for (let round = 0; round < BATCH_ROUNDS; round++) {
      const members: OwnCommandSpec[] = [];
      for (let i = 0; members.length < Math.max(2, o.maxBatch); i++) {
        const r = reads[(i + round) % reads.length]!;
        members.push(own(r, o.plan.collections.includes(r) ? 'list' : 'aggregate', i % 2 === 0 ? VICTIM : ATTACKER));
      }
      push({ kind: 'batch', members, order: members.map((_, i) => i), yields: members.map(() => 0) });
    }
  return agenda;
}

/** The runner a sweep command needs: the campaign's run context. */
type SweepRunner = CommandRunner & { world: { steps: unknown[] } };

/**
 * An agenda item as a fast-check command, so the sweep runs through the campaign's own run loop:
 * the campaign's command, sent unless an item with the same `once` key was already sent.
 */
export class SweepCommand implements fc.AsyncCommand<CommandRunner, CommandRunner> {
  private readonly command: CampaignCommand;

  constructor(
    readonly item: SweepItem,
    labels: readonly TenantLabel[],
    /** The `once` keys already sent in this sweep (shared by the commands of one sweep). */
    private readonly sent: Set<string>,
  ) {
    this.command = new CampaignCommand(item.spec, labels);
  }

  check(runner: CommandRunner): boolean {
    return this.command.check(runner) && !(this.item.once !== undefined && this.sent.has(this.item.once));
  }

  async run(model: CommandRunner, runner: SweepRunner): Promise<void> {
    const before = runner.world.steps.length;
    await this.command.run(model, runner);
    if (this.item.once !== undefined && runner.world.steps.length > before) this.sent.add(this.item.once);
  }

  toString(): string {
    return this.command.toString();
  }
}

/** The agenda as the commands of one sweep run. */
export function sweepCommands(agenda: readonly SweepItem[], labels: readonly TenantLabel[]): SweepCommand[] {
  const sent = new Set<string>();
  return agenda.map((item) => new SweepCommand(item, labels, sent));
}
