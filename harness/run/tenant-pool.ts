/**
 * The long-lived tenant pool: the deeper state of a campaign. Every run still has `tenants` tenants,
 * but the last `slots` of them (`T4` of four, with one slot) come from a pool instead of fresh
 * provisioning. A pool tenant is provisioned once and serves run after run; between runs it keeps
 * what the model knows of it: its live records (with the steps and answers that created them, so
 * references to them resolve), its canaries and unique values, every value it sent, and the
 * fingerprints of its data (ids, canaries, generated values; not the per-request tokens). Its data
 * grows run after run. After its lifetime (a time or a number of runs) it is retired, and the next
 * run provisions a new one for its slot.
 *
 * Each run registers the pool tenants' fingerprints first, so another tenant's response carrying a
 * pool tenant's older data is a finding, while the pool tenant reading its own old data is not.
 *
 * Exact model checks (a list equal to the model's records, a count equal to the model's) need a
 * complete model. A pool tenant's model is complete while every write touching it went through the
 * harness and had a known effect. Once one did not (no usable answer, an answer an oracle did not
 * trust, writes in flight together, another tenant's write aimed at it with no answer, a finding in
 * a run it took part in), the model stays incomplete until the tenant retires, and its own lists
 * and counts are checked for ownership only.
 *
 * Steps carried between runs get negative indexes, unique in the pool, so they never collide with
 * the steps of a run (which count up from 0). Shrinking and replays never use the pool: a run's
 * counterexample starts with the carried steps it references and those behind the older data its
 * findings show (RunContext.primary), so it replays from scratch on fresh tenants.
 */
import { CANARY_PATTERN } from '../generate/canary.ts';
import { MIN_FINGERPRINT_LENGTH, type Fingerprint, type FingerprintRegistry } from '../generate/fingerprints.ts';
import type { TenantLabel } from '../model/exchange.ts';
import type { Step, StepValue } from '../model/step.ts';
import type { RecordState, StepResponse, TenantState, World } from '../model/world.ts';
import { InternalError, UsageError } from '../errors.ts';
import { formatDuration, parseDuration } from './duration.ts';
import type { ProvisionedTenant, StepResult } from './run-types.ts';
import type { PoolMethod } from '../evidence/evidence-schema.ts';

/** How long a pool tenant serves: a time (from its provisioning) or a number of runs. */
export type PoolLifetime = { ms: number } | { runs: number };

export class PoolLifetimeError extends UsageError {}

/** `3m`, `90s` (a time) or `40 runs`, `40runs` (runs); a bare number is seconds, like other durations. */
export function parsePoolLifetime(input: string | number): PoolLifetime {
  const runs = typeof input === 'string' ? /^\s*(\d+)\s*runs?\s*$/i.exec(input) : null;
  if (runs) {
    const n = Number(runs[1]);
    if (n < 1) throw new PoolLifetimeError('a pool lifetime in runs must be at least 1 run');
    return { runs: n };
  }
  try {
    return { ms: parseDuration(input) };
  } catch {
    throw new PoolLifetimeError(
      `"${input}" is not a pool lifetime: use a time (3m, 90s) or a number of runs (40 runs)`,
    );
  }
}

export function lifetimeText(lifetime: PoolLifetime): string {
  return 'runs' in lifetime ? `${lifetime.runs} run${lifetime.runs === 1 ? '' : 's'}` : formatDuration(lifetime.ms);
}

/**
 * Pool tenants a campaign uses when the settings do not say: one when each run gets fresh tenants
 * and has at least 3 (so at least 2 fresh tenants remain, and every fresh-against-fresh probe with
 * exact models on both sides still happens); none otherwise.
 */
export function defaultPoolTenants(tenants: number, freshTenants: boolean): number {
  return freshTenants && tenants >= 3 ? 1 : 0;
}

/** A pool tenant that holds more live records of one resource than a checkpoint reads is retired. */
export const MAX_RECORDS_PER_RESOURCE = 1000;

/** A step of an earlier run, with what it got back. */
export interface CarriedStep {
  /** Its index is negative and unique in the pool. */
  step: Step;
  response: StepResponse;
  result: StepResult;
}

export interface PoolMember {
  /** 1, 2, … in the order the pool provisioned them. */
  readonly id: number;
  readonly slot: number;
  readonly label: TenantLabel;
  readonly tenant: ProvisionedTenant;
  readonly createdMs: number;
  /** Runs it took part in. */
  runs: number;
  /** The steps behind its live records, and what they reference, in the order they ran. */
  steps: CarriedStep[];
  /** Its live records (createdBy: a carried step). */
  records: RecordState[];
  canaries: string[];
  uniqueValues: TenantState['uniqueValues'];
  /** Every value it has sent: echoes of them are no leak (shared with the run that leases it). */
  sent: Set<string>;
  /** The fingerprints of its data it owned at the end of its last run (ids, canaries, generated values; no tokens). */
  fingerprints: Fingerprint[];
  /** The request ids the target gave it in its last run (where its audit log reaches an earlier run). */
  requestIds: Set<string>;
  /** Why its model is no longer complete (absent while it is). */
  incomplete?: string;
  leased: boolean;
  /** When and why it stopped serving, with what it held then (its carried state is dropped). */
  retired?: { atMs: number; why: string; records: Record<string, number>; fingerprints: number };
}

/** The pool tenants of one run, one per slot (undefined until the run provisions one). */
export interface PoolLease {
  readonly members: (PoolMember | undefined)[];
  released: boolean;
}

/** What the pool reads of a run when it takes its tenants back. */
export interface RunHarvest {
  world: World;
  registry: FingerprintRegistry;
  /** Findings of the run: the target may have done what the model did not learn. */
  findings: number;
}

export interface PoolMemberSummary {
  label: TenantLabel;
  runs: number;
  /** From its provisioning to its retirement, or to the end of the campaign. */
  seconds: number;
  retired: boolean;
  /** Why it was retired (its lifetime, or too many records to read). */
  retiredBecause?: string;
  /** Its live records per resource after its last run. */
  records: Record<string, number>;
  fingerprints: number;
  /** Why exact model checks stopped applying to its own responses (absent: they applied to the end). */
  incomplete?: string;
}

/** What the evidence records of the pool. */
export interface PoolSummary {
  /** Tenants of each search run taken from the pool (the last labels). */
  tenantsPerRun: number;
  labels: TenantLabel[];
  lifetime: PoolLifetime;
  /** Runs that used pool tenants (shrinking and replays never do). */
  runs: number;
  provisioned: number;
  retired: number;
  members: PoolMemberSummary[];
}

export interface TenantPoolOptions {
  /** Pool tenants per run. */
  slots: number;
  /** Tenants per run: the pool takes the last `slots` labels. */
  tenants: number;
  lifetime: PoolLifetime;
  /** The clock lifetimes are measured with (tests; default Date.now). */
  now?: () => number;
}

export class TenantPool {
  readonly slots: number;
  readonly labels: TenantLabel[];
  readonly lifetime: PoolLifetime;
  private readonly members: PoolMember[] = [];
  private readonly now: () => number;
  private nextIndex = -2;
  private runs = 0;

  constructor(o: TenantPoolOptions) {
    if (!Number.isInteger(o.slots) || o.slots < 0 || o.slots > o.tenants - 2)
      throw new InternalError(`a pool of ${o.slots} tenant(s) leaves fewer than 2 fresh tenants of ${o.tenants}`);
    this.slots = o.slots;
    this.labels = Array.from({ length: o.slots }, (_, i) => `T${o.tenants - o.slots + i + 1}`);
    this.lifetime = o.lifetime;
    this.now = o.now ?? Date.now;
  }

  /** Members still serving (idle or leased). */
  live(): PoolMember[] {
    return this.members.filter((m) => !m.retired);
  }

  /** Every value the pool's members own as fingerprints (what the runs' registries start with). */
  fingerprintCount(): number {
    return this.live().reduce((n, m) => n + m.fingerprints.length, 0);
  }

  /** The most live records of one resource that a serving member holds (after its last run). */
  mostRecords(): number {
    return Math.max(0, ...this.live().flatMap((m) => Object.values(recordsPerResource(m.records))));
  }

  /** Takes an idle member per slot; a slot with none is left for the run to provision. */
  lease(): PoolLease {
    this.runs++;
    const members = this.labels.map((_, slot) => {
      const m = this.members.find((x) => x.slot === slot && !x.retired && !x.leased);
      if (m) m.leased = true;
      return m;
    });
    return { members, released: false };
  }

  /** Slots of a lease that have no member yet. */
  missing(lease: PoolLease): number[] {
    return lease.members.flatMap((m, slot) => (m ? [] : [slot]));
  }

  /** A newly provisioned tenant joins the pool in `slot` of `lease`, under the slot's label. */
  adopt(lease: PoolLease, slot: number, tenant: ProvisionedTenant): PoolMember {
    if (lease.members[slot]) throw new InternalError(`pool slot ${slot} already has a tenant`);
    const label = this.labels[slot]!;
    const member: PoolMember = {
      id: this.members.length + 1,
      slot,
      label,
      tenant: { ...tenant, label },
      createdMs: this.now(),
      runs: 0,
      steps: [],
      records: [],
      canaries: [],
      uniqueValues: [],
      sent: new Set(),
      fingerprints: [],
      requestIds: new Set(),
      leased: true,
    };
    this.members.push(member);
    lease.members[slot] = member;
    return member;
  }

  /** The run could not start (provisioning failed): its members go back unchanged. */
  abandon(lease: PoolLease): void {
    if (lease.released) return;
    lease.released = true;
    this.runs--;
    for (const m of lease.members) if (m) m.leased = false;
  }

  /**
   * The run is over: each member takes back what the run's model holds of it, and retires when its
   * lifetime is over. Returns the labels whose data must stay (members still serving).
   */
  release(lease: PoolLease, run: RunHarvest): Set<TenantLabel> {
    const keep = new Set<TenantLabel>();
    if (lease.released) return keep;
    lease.released = true;
    for (const m of lease.members) {
      if (!m) continue;
      m.leased = false;
      m.runs++;
      this.harvest(m, run);
      const why = this.retirement(m);
      if (why) this.retire(m, why);
      else keep.add(m.label);
    }
    return keep;
  }

  summary(): PoolSummary {
    const now = this.now();
    return {
      tenantsPerRun: this.slots,
      labels: [...this.labels],
      lifetime: this.lifetime,
      runs: this.runs,
      provisioned: this.members.length,
      retired: this.members.filter((m) => m.retired).length,
      members: this.members.map((m) => ({
        label: m.label,
        runs: m.runs,
        seconds: Math.round(((m.retired?.atMs ?? now) - m.createdMs) / 100) / 10,
        retired: m.retired !== undefined,
        ...(m.retired ? { retiredBecause: m.retired.why } : {}),
        records: m.retired?.records ?? recordsPerResource(m.records),
        fingerprints: m.retired?.fingerprints ?? m.fingerprints.length,
        ...(m.incomplete ? { incomplete: m.incomplete } : {}),
      })),
    };
  }

  private retire(m: PoolMember, why: string): void {
    m.retired = {
      atMs: this.now(),
      why,
      records: recordsPerResource(m.records),
      fingerprints: m.fingerprints.length,
    };
    m.steps = [];
    m.records = [];
    m.canaries = [];
    m.uniqueValues = [];
    m.sent = new Set();
    m.fingerprints = [];
    m.requestIds = new Set();
  }

  private retirement(m: PoolMember): string | undefined {
    const age = this.now() - m.createdMs;
    if ('runs' in this.lifetime && m.runs >= this.lifetime.runs)
      return `its lifetime of ${lifetimeText(this.lifetime)}`;
    if ('ms' in this.lifetime && age >= this.lifetime.ms) return `its lifetime of ${lifetimeText(this.lifetime)}`;
    const [resource, n] =
      Object.entries(recordsPerResource(m.records)).find(([, k]) => k > MAX_RECORDS_PER_RESOURCE) ?? [];
    if (resource !== undefined) return `${n} live ${resource}, more than a checkpoint reads`;
    return undefined;
  }

  /** What the run's model holds of `m`, made independent of the run (steps re-indexed below 0). */
  private harvest(m: PoolMember, run: RunHarvest): void {
    const { world, registry } = run;
    const state = world.tenant(m.label);
    m.incomplete ??=
      state.uncertainWrites > 0
        ? 'a write of its own had no readable answer'
        : state.unlearnedWrites > 0
          ? 'a write touching it had an effect the model could not learn (no answer, an untrusted answer, or writes in flight together)'
          : run.findings > 0
            ? 'a finding fired in a run it took part in'
            : undefined;
    const alive = state.records.filter((r) => r.alive);

    // The steps its records need: each one's create, and what that references, transitively.
    const need = new Set<number>();
    const todo = alive.map((r) => r.createdBy);
    while (todo.length > 0) {
      const i = todo.pop()!;
      if (need.has(i)) continue;
      const step = world.stepAt(i);
      if (!step) continue;
      need.add(i);
      todo.push(...refsOf(step));
    }
    const index = new Map<number, number>();
    for (const i of [...need].filter((x) => x >= 0).sort((a, b) => a - b)) index.set(i, this.nextIndex--);
    const reindex = (i: number): number => (i < 0 ? i : (index.get(i) ?? -1));
    m.steps = [...need]
      .map((i) => {
        const response = world.responses.get(i);
        if (!response) return undefined;
        const original = world.stepAt(i)!;
        const step = i < 0 ? original : carriedCopy(original, reindex);
        const result: StepResult = { seq: world.seqOf.get(i) ?? -1, status: response.status };
        return { step, response, result };
      })
      .filter((c): c is CarriedStep => c !== undefined)
      .sort((a, b) => b.step.index - a.step.index);
    const carried = new Set(m.steps.map((c) => c.step.index));
    m.records = [];
    for (const r of alive) {
      const createdBy = reindex(r.createdBy);
      if (!carried.has(createdBy)) {
        // A live record the next run could not refer to: the model would miss it.
        m.incomplete ??= `its ${r.resource} ${r.id} could not be carried to the next run`;
        continue;
      }
      const record: RecordState = { ...r, createdBy };
      if (r.parent) record.parent = { ...r.parent, createdBy: reindex(r.parent.createdBy) };
      m.records.push(record);
    }
    m.canaries = [...state.canaries];
    m.uniqueValues = state.uniqueValues.map((u) => ({ ...u, step: reindex(u.step) }));
    m.sent = state.sent;
    // Its records' fingerprints (ids, canaries, generated values) outlive the run; tokens (request
    // ids, cursors, idempotency keys: one or more per request) do not. They would grow the registry
    // with every request it ever made, and every run rebuilds its scanner over what it carries.
    m.fingerprints = registry.ownedBy(m.label).filter((f) => f.kind !== 'token');
    // A run in which it got no request id (stopped at once) leaves the earlier boundary as it was.
    if (state.requestIds.size > 0) m.requestIds = state.requestIds;
  }
}

/**
 * Brings a pool member into a run: its fingerprints into the run's registry (before any other
 * tenant's), its carried steps, records, canaries, unique values and sent values into the world. A
 * member whose model is no longer complete counts an uncertain write, so the model oracle checks its
 * own lists and counts for ownership only.
 */
export function seedRun(world: World, registry: FingerprintRegistry, member: PoolMember): void {
  const state = world.tenant(member.label);
  for (const f of member.fingerprints)
    if (registry.ownerOf(f.value) === undefined) registry.register(f.value, member.label, f.kind, f.source);
  for (const c of member.steps) world.seed(c.step, c.response, c.result.seq);
  state.records.push(...member.records.map((r) => ({ ...r, ...(r.parent ? { parent: { ...r.parent } } : {}) })));
  state.canaries.push(...member.canaries);
  state.uniqueValues.push(...member.uniqueValues.map((u) => ({ ...u })));
  state.sent = member.sent;
  if (member.requestIds.size > 0) state.earlierRequestIds = member.requestIds;
  if (member.incomplete !== undefined) state.uncertainWrites = Math.max(state.uncertainWrites, 1);
}

/**
 * The carried steps that `steps` reference (ValueRefs and records worked on, below 0), those in
 * `also`, and what they reference, in the order they ran: what a counterexample needs before its
 * steps to replay from scratch.
 */
export function carriedStepsFor(world: World, steps: readonly Step[], also: readonly number[] = []): Step[] {
  const need = new Set<number>();
  const todo = [...steps.flatMap((s) => refsOf(s)), ...also].filter((i) => i < -1);
  while (todo.length > 0) {
    const i = todo.pop()!;
    if (need.has(i)) continue;
    const step = world.seeded.get(i);
    if (!step) continue;
    need.add(i);
    todo.push(...refsOf(step).filter((x) => x < -1));
  }
  return [...need].sort((a, b) => b - a).map((i) => world.seeded.get(i)!);
}

/**
 * The carried steps that created a record whose data shows in `texts` (responses a finding cites):
 * its id (when long enough to mean something) or a canary of its create's body. A leak of a pool
 * tenant's older data names no step of the run (a list or an export just returns it), so the
 * counterexample needs the record's create to reproduce on fresh tenants.
 */
export function carriedStepsShownIn(world: World, texts: readonly string[]): number[] {
  if (texts.length === 0) return [];
  const out: number[] = [];
  for (const tenant of world.tenants.values())
    for (const r of tenant.records) {
      if (r.createdBy >= -1) continue;
      const body = JSON.stringify(world.seeded.get(r.createdBy)?.body ?? '');
      const needles = [
        ...(r.id.length >= MIN_FINGERPRINT_LENGTH ? [r.id] : []),
        ...[...body.matchAll(CANARY_PATTERN)].map((m) => m[0]),
      ];
      if (needles.some((n) => texts.some((t) => t.includes(n)))) out.push(r.createdBy);
    }
  return out;
}

/** The step indexes a step reads: its ValueRefs, and the record it works on. */
export function refsOf(step: Step): number[] {
  const out: number[] = [];
  const walk = (v: StepValue | undefined): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      if ('$from' in v && typeof v.$from === 'number') out.push(v.$from);
      else if (!('$tenantId' in v)) for (const x of Object.values(v)) walk(x as StepValue);
    }
  };
  walk(step.pathParams);
  walk(step.query);
  walk(step.headers);
  walk(step.body);
  if (step.recordFrom !== undefined) out.push(step.recordFrom);
  return out;
}

/** A copy of a run's step for later runs: its index and references moved below 0, no batch. */
function carriedCopy(step: Step, reindex: (i: number) => number): Step {
  const move = (v: StepValue): StepValue => {
    if (Array.isArray(v)) return v.map(move);
    if (v !== null && typeof v === 'object') {
      if ('$from' in v && typeof v.$from === 'number') return { ...v, $from: reindex(v.$from) };
      if ('$tenantId' in v) return { ...v };
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, move(x as StepValue)]));
    }
    return v;
  };
  const copy: Step = {
    ...structuredClone(step),
    index: reindex(step.index),
    pathParams: move(step.pathParams) as Step['pathParams'],
    query: move(step.query) as Step['query'],
    headers: move(step.headers) as Step['headers'],
  };
  if (step.body !== undefined) copy.body = move(step.body);
  if (step.recordFrom !== undefined) copy.recordFrom = reindex(step.recordFrom);
  delete copy.batch;
  return copy;
}

function recordsPerResource(records: readonly RecordState[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) if (r.alive) counts.set(r.resource, (counts.get(r.resource) ?? 0) + 1);
  return Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

/** The pool as the evidence's `method.pool` states it: its size, its lifetime and the data it reached. */
export function poolMethod(s: PoolSummary): PoolMethod {
  const serving = s.members.filter((m) => !m.retired);
  return {
    tenantsPerRun: s.tenantsPerRun,
    labels: [...s.labels],
    lifetime: { ...s.lifetime },
    runs: s.runs,
    provisioned: s.provisioned,
    retired: s.retired,
    mostRecords: Math.max(0, ...s.members.flatMap((m) => Object.values(m.records))),
    exactModelTenants: serving.filter((m) => m.incomplete === undefined).length,
    servingTenants: serving.length,
  };
}

/** One line for the run summary: how many pool tenants, how long they served, how much data they held. */
export function poolLine(s: PoolSummary): string {
  const m = poolMethod(s);
  return (
    `pool: ${m.tenantsPerRun} tenant(s) per run (${m.labels.join(', ')}) kept across ${m.runs} run(s), lifetime ${lifetimeText(m.lifetime)}; ` +
    `${m.provisioned} provisioned, ${m.retired} retired; up to ${m.mostRecords} live records of one resource; ` +
    `exact model checks still applied to ${m.exactModelTenants} of ${m.servingTenants} serving`
  );
}
