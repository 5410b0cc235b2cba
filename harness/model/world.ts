/**
 * The campaign's model of the world: per tenant, the records it created and still owns, the values
 * and tokens it sent, and how it last saw its own data. Commands pick their targets here (own
 * records for CRUD, a victim's records for probes); oracles compare observations with it.
 *
 * The world learns here too: `noteSent` before a request goes out (what the tenant now knows, and
 * its writes in flight), `learn` after its response was judged trustworthy (new records, canaries,
 * cursors, idempotency keys and request ids, each registered as a fingerprint of its owner).
 */
import { CANARY_PATTERN, LOWER_CANARY_PATTERN } from '../generate/canary.ts';
import type { FingerprintKind, FingerprintRegistry } from '../generate/fingerprints.ts';
import { InternalError } from '../errors.ts';
import type { Exchange, TenantLabel } from './exchange.ts';
import type { CampaignPlan } from './plan.ts';
import { findCreatedId, getPath, joinPath } from './json-path.ts';
import { unreadableBody } from './readable-body.ts';
import type { Step } from './step.ts';

export interface RecordState {
  resource: string;
  /** The server-issued id, as a string. */
  id: string;
  /** Index of the step that created it (ValueRefs point here). */
  createdBy: number;
  /** Response field holding the id (`id`). */
  idField: string;
  alive: boolean;
  /** Parent record for child resources (`notes` under `customers`). */
  parent?: { resource: string; id: string; createdBy: number };
  /** The record as the owner last saw it (JSON body of the create/read/update). */
  lastSeen?: unknown;
  /** The exchange whose answer created it (campaign-wide sequence number). */
  seq?: number;
}

export interface TokenUse {
  value: string;
  step: number;
  operationId: string;
}

export interface TenantState {
  label: TenantLabel;
  /** Provisioning id of the tenant, when the adapter knows it (used by override probes). */
  tenantId?: string;
  /**
   * Non-secret request parts that select the tenant (`header:Host`, `path:orgId`): sent on every
   * request of the tenant unless the step names another tenant there (an override probe).
   */
  selectors: Record<string, string>;
  /** Roles of the tenant's users (the first sends by default); one entry when it has one user. */
  roles: string[];
  records: RecordState[];
  /** Free-text canaries this tenant put into its records. */
  canaries: string[];
  /** High-entropy values this tenant sent in bodies, by property name (`email`), for collision probes. */
  uniqueValues: { field: string; value: string; operationId: string; step: number }[];
  /** `nextCursor`s this tenant received, by list operation. */
  cursors: Map<string, TokenUse>;
  /** Idempotency keys this tenant sent, with the step whose body they went with. */
  idempotencyKeys: TokenUse[];
  /** Write requests this tenant has sent, whatever their answer; its reads are comparable only while it is unchanged. */
  writes: number;
  /**
   * Its own writes whose effect the harness could not read: no answer, a 5xx, an unreadable body,
   * a create whose id it could not find. The model of its records is then not exact.
   */
  uncertainWrites: number;
  /**
   * Writes touching this tenant whose effect the model may not hold, beyond `uncertainWrites`: a
   * successful answer an oracle did not trust (nothing was learned from it), another tenant's write
   * aimed at it that got no usable answer, and writes that overlapped (in flight together). Within
   * a run the model oracle does not read it; a long-lived pool tenant's model is no longer complete
   * once it is above 0 (run/tenant-pool.ts).
   */
  unlearnedWrites: number;
  /**
   * Writes that may change this tenant's records, sent so far and still awaiting their response:
   * its own (tenant-override probes included) and other tenants' probes aimed at it.
   */
  writesStarted: number;
  writesInFlight: number;
  /** Request ids (`X-Request-Id`) the target returned to this tenant, for the audit oracle. */
  requestIds: Set<string>;
  /**
   * A long-lived pool tenant's request ids of its last earlier run (run/tenant-pool.ts): where its
   * audit log reaches them, the log holds nothing of this run any more.
   */
  earlierRequestIds?: ReadonlySet<string>;
  /** Every value this tenant has itself sent; it already knows them, so their echo is no leak. */
  sent: Set<string>;
}

/** What a step got back, as references to it read it. */
export interface StepResponse {
  status: number;
  json?: unknown;
  headers: Record<string, string>;
}

/** What the world needs to learn from responses. */
export interface WorldKnowledge {
  plan: CampaignPlan;
  registry: FingerprintRegistry;
  /** Header the target returns request ids in (lower-case; default x-request-id). */
  requestIdHeader?: string;
}

export class World {
  readonly tenants = new Map<TenantLabel, TenantState>();
  /** Every step run so far, with its response JSON, for resolving ValueRefs. */
  readonly steps: Step[] = [];
  readonly responses = new Map<number, StepResponse>();
  /**
   * Steps of earlier runs, by their (negative) index: the creates behind the records a long-lived
   * pool tenant brought into this run (run/tenant-pool.ts). Never sent again in this run; their
   * responses are in `responses`, so references to them resolve.
   */
  readonly seeded = new Map<number, Step>();
  /** The exchange (campaign-wide sequence number) each step got, by step index. */
  readonly seqOf = new Map<number, number>();

  constructor(
    labels: TenantLabel[],
    tenantIds: Record<TenantLabel, string | undefined> = {},
    private readonly knowledge?: WorldKnowledge,
  ) {
    for (const label of labels) {
      const state: TenantState = {
        label,
        records: [],
        canaries: [],
        uniqueValues: [],
        cursors: new Map(),
        idempotencyKeys: [],
        writes: 0,
        uncertainWrites: 0,
        unlearnedWrites: 0,
        writesStarted: 0,
        writesInFlight: 0,
        requestIds: new Set(),
        sent: new Set(),
        selectors: {},
        roles: ['user'],
      };
      const id = tenantIds[label];
      if (id !== undefined) state.tenantId = id;
      this.tenants.set(label, state);
    }
  }

  get labels(): TenantLabel[] {
    return [...this.tenants.keys()];
  }

  tenant(label: TenantLabel): TenantState {
    const t = this.tenants.get(label);
    if (!t) throw new InternalError(`unknown tenant ${label}`);
    return t;
  }

  /** A step of this run (index >= 0) or one seeded from an earlier run (index < 0). */
  stepAt(index: number): Step | undefined {
    return index >= 0 ? this.steps[index] : this.seeded.get(index);
  }

  /**
   * Brings in a step of an earlier run that created a record a pool tenant still holds: references
   * to it resolve to `response`. Its index must be negative (-1 is never one: it stands for "none").
   */
  seed(step: Step, response: StepResponse, seq: number): void {
    if (step.index >= -1) throw new InternalError(`a seeded step needs an index below -1, not ${step.index}`);
    if (this.seeded.has(step.index)) return;
    this.seeded.set(step.index, step);
    this.responses.set(step.index, response);
    this.seqOf.set(step.index, seq);
  }

  alive(label: TenantLabel, resource?: string): RecordState[] {
    return this.tenant(label).records.filter((r) => r.alive && (resource === undefined || r.resource === resource));
  }

  /** Picks the `selector`-th alive record (modulo), so a shrunk command still finds a target. */
  pick(label: TenantLabel, resource: string, selector: number): RecordState | undefined {
    const candidates = this.alive(label, resource);
    if (candidates.length === 0) return undefined;
    return candidates[selector % candidates.length];
  }

  /**
   * The owner of a server-issued id, if any tenant created it in this run; of `resource` when given,
   * since integer ids repeat across tables (project 5 and task 5 are different records).
   */
  ownerOfId(id: string, resource?: string): TenantLabel | undefined {
    for (const t of this.tenants.values())
      if (t.records.some((r) => r.id === id && (resource === undefined || r.resource === resource))) return t.label;
    return undefined;
  }

  /** Owner of an id of `resource` in the model (when given), else of any registered fingerprint. */
  ownerOf(value: string, resource?: string): TenantLabel | undefined {
    return (
      (resource !== undefined ? this.ownerOfId(value, resource) : undefined) ?? this.learning().registry.ownerOf(value)
    );
  }

  others(label: TenantLabel): TenantLabel[] {
    return this.labels.filter((l) => l !== label);
  }

  /** Whether `tenant` sent `value` (or a string containing it) in any request so far. */
  knownTo(tenant: TenantLabel, value: string): boolean {
    const sent = this.tenants.get(tenant)?.sent;
    return sent !== undefined && (sent.has(value) || [...sent].some((k) => k.includes(value)));
  }

  /** Before a request goes out: the values it carries are now known to its sender; its writes are in flight. */
  noteSent(step: Step, sentValues: Iterable<string>, method: string): void {
    const tenant = this.tenant(step.tenant);
    for (const v of sentValues) tenant.sent.add(v);
    if (!READ_METHODS.has(method.toUpperCase()) && step.relation !== 'setup') tenant.writes++;
    for (const label of tenantsTouchedBy(step, method)) {
      const touched = this.tenant(label);
      touched.writesStarted++;
      touched.writesInFlight++;
      // Writes in flight together: the order they took effect in is unknown.
      if (touched.writesInFlight > 1) touched.unlearnedWrites++;
    }
  }

  /** Its response arrived (or failed): its writes are no longer in flight. */
  noteAnswered(step: Step, method: string): void {
    for (const label of tenantsTouchedBy(step, method)) this.tenant(label).writesInFlight--;
  }

  /**
   * Learns from an exchange: request ids and idempotency keys always; records, canaries and
   * cursors only from a successful response that `trusted` (no oracle found foreign data in it).
   */
  learn(step: Step, exchange: Exchange, trusted: boolean): void {
    const { plan } = this.learning();
    const tenant = this.tenant(step.tenant);
    const res = exchange.response;
    const status = res?.status ?? 0;
    const ok = status >= 200 && status < 300;
    this.seqOf.set(step.index, exchange.seq);
    const requestId = res?.headers[this.knowledge?.requestIdHeader ?? 'x-request-id'];
    if (requestId) {
      tenant.requestIds.add(requestId);
      this.register(requestId, step.tenant, 'token', `${step.operationId}.response.header.request-id`);
    }
    // What a tenant put in a body is its own, whatever the probe: a value another tenant owns stays theirs.
    if (step.relation !== 'setup' && step.body !== undefined && exchange.request.bodyText)
      this.learnSentValues(step, exchange.request.bodyText);
    const op = plan.byId.get(step.operationId)?.op;
    const idemHeader = op?.idempotencyHeader?.toLowerCase();
    if (idemHeader && step.relation === 'own' && exchange.request.headers[idemHeader]) {
      const value = exchange.request.headers[idemHeader]!;
      tenant.idempotencyKeys.push({ value, step: step.index, operationId: step.operationId });
      this.register(value, step.tenant, 'token', `${step.operationId}.request.header.${idemHeader}`);
    }
    // Any write the sender makes may create or change records of its own (a foreign-value create
    // that a correct server accepts files a record under the sender): if its effect could not be
    // read, the sender's model is no longer exact.
    const senderWrite = !READ_METHODS.has(step.method.toUpperCase()) && step.relation !== 'setup';
    const unknownEffect = !res || status >= 500 || (ok && unreadableBody(res));
    if (senderWrite && unknownEffect) tenant.uncertainWrites++;
    // What the model may have missed, for tenants that outlive the run (see `unlearnedWrites`).
    if (senderWrite && ok && !trusted) tenant.unlearnedWrites++;
    const victim = step.victim !== step.tenant ? step.victim : undefined;
    if (victim !== undefined && unknownEffect && tenantsTouchedBy(step, step.method).includes(victim))
      this.tenant(victim).unlearnedWrites++;
    if (!ok || !trusted || !op) return;

    // A create that succeeds makes a record of the sender's, whatever the probe (a clean server
    // ignores a tenant override and files the record under the credential's tenant). An id that
    // another tenant already owns is a leak for the oracles, not a new record.
    if (op.produces && step.action !== 'read-missing' && step.relation !== 'setup') {
      let idPath = joinPath(op.produces.envelope, op.produces.idField);
      let id = getPath(res?.json, idPath);
      if ((typeof id !== 'string' && typeof id !== 'number') || id === '') {
        // The spec does not document the record: learn its id from the real answer.
        const found = op.produces.learned
          ? findCreatedId(res?.json, res?.headers ?? {}, op.produces.resource)
          : undefined;
        if (found) [idPath, id] = [found.path, found.id];
      }
      if (typeof id === 'string' || typeof id === 'number')
        this.learnRecord(step, tenant, String(id), idPath, res?.json, exchange.seq);
      else if (senderWrite && !unreadableBody(res!)) tenant.uncertainWrites++;
    }
    // A tenant-override request acts on the sender's own data when the server ignores the override
    // (as it must): its deletes and updates count like the sender's own.
    if (step.relation !== 'own' && step.relation !== 'injected') return;
    if (step.recordFrom !== undefined) {
      const record = tenant.records.find((r) => r.createdBy === step.recordFrom);
      if (record) {
        if (step.action === 'delete') {
          record.alive = false;
          for (const child of tenant.records) if (child.parent?.createdBy === record.createdBy) child.alive = false;
        } else if (step.action === 'update' || step.action === 'read') record.lastSeen = res?.json;
      }
    }
    if (step.relation === 'own' && op.pagination?.style === 'cursor' && op.pagination.nextField) {
      const next = getPath(res?.json, op.pagination.nextField);
      if (typeof next === 'string' && next.length > 0) {
        tenant.cursors.set(op.operationId, { value: next, step: step.index, operationId: op.operationId });
        this.register(next, step.tenant, 'token', `${op.operationId}.response.${op.pagination.nextField}`);
      }
    }
  }

  private learnRecord(step: Step, tenant: TenantState, id: string, idPath: string, json: unknown, seq: number): void {
    const op = this.learning().plan.byId.get(step.operationId)!.op;
    const produced = op.produces!;
    const record: RecordState = {
      resource: produced.resource,
      id,
      createdBy: step.index,
      idField: idPath,
      alive: true,
      lastSeen: getPath(json, produced.envelope ?? ''),
      seq,
    };
    const parentParam = op.parent?.param;
    const parentRef = parentParam ? step.pathParams[parentParam] : undefined;
    if (op.parent && parentRef && typeof parentRef === 'object' && '$from' in parentRef) {
      const parent = tenant.records.find((r) => r.createdBy === (parentRef as { $from: number }).$from);
      if (parent) record.parent = { resource: parent.resource, id: parent.id, createdBy: parent.createdBy };
    }
    // An idempotent replay answers with a record the tenant already has: not a new one.
    const known = tenant.records.find((r) => r.id === record.id && r.resource === record.resource);
    if (known) {
      known.lastSeen = record.lastSeen;
      return;
    }
    // Ownership is per resource in the model, whatever the id looks like; the id is also a
    // fingerprint for the byte scan when it is distinctive enough (see FingerprintRegistry).
    const owner = this.ownerOfId(record.id, record.resource);
    const registry = this.learning().registry;
    const fingerprintOk =
      this.register(record.id, step.tenant, 'id', `${step.operationId}.response.${idPath}`) ||
      registry.ownerOf(record.id) === undefined;
    if ((owner === undefined || owner === step.tenant) && fingerprintOk) tenant.records.push(record);
  }

  private learnSentValues(step: Step, bodyText: string): void {
    const tenant = this.tenant(step.tenant);
    for (const m of [...bodyText.matchAll(CANARY_PATTERN), ...bodyText.matchAll(LOWER_CANARY_PATTERN)]) {
      const canary = m[0];
      if (
        this.register(canary, step.tenant, 'canary', `${step.operationId}.request.body`) &&
        !tenant.canaries.includes(canary)
      )
        tenant.canaries.push(canary);
    }
    if (step.action !== 'create') return;
    let body: unknown;
    try {
      body = JSON.parse(bodyText);
    } catch {
      return;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
    // Fields that must be unique (spec analysis: format email, or named like username, slug, sku…):
    // another tenant reusing the value probes uniqueness checks and their 409s.
    const unique = new Set(this.learning().plan.byId.get(step.operationId)?.op.uniqueFields ?? []);
    for (const [field, value] of Object.entries(body)) {
      if (typeof value !== 'string' || value.length < 8 || !unique.has(field)) continue;
      // Only a value the sender owns (a probe reusing another tenant's value does not make it its own).
      if (this.register(value, step.tenant, 'generated', `${step.operationId}.request.body.${field}`))
        tenant.uniqueValues.push({ field, value, operationId: step.operationId, step: step.index });
    }
  }

  /** Registers a fingerprint; a value another tenant already owns is left with its first owner. */
  private register(value: string, owner: TenantLabel, kind: FingerprintKind, source: string): boolean {
    const registry = this.learning().registry;
    const existing = registry.ownerOf(value);
    if (existing !== undefined) return existing === owner;
    return registry.register(value, owner, kind, source) || registry.ownerOf(value) === owner;
  }

  private learning(): WorldKnowledge {
    if (!this.knowledge)
      throw new InternalError('this World was made without a plan and a registry, so it cannot learn');
    return this.knowledge;
  }
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The tenants whose records a request may change: none for a read; for a write, its sender when it
 * acts on its own records (its own calls and its tenant-override probes, which a correct server
 * files under the sender), and the victim a probe aims at. The victim-state-change proof counts on
 * this: a change is the attacker's only if no other write touching the victim was in flight.
 */
export function tenantsTouchedBy(step: Step, method: string): TenantLabel[] {
  if (READ_METHODS.has(method.toUpperCase()) || step.relation === 'setup') return [];
  const touched = new Set<TenantLabel>();
  if (step.relation === 'own' || step.relation === 'injected') touched.add(step.tenant);
  if (step.victim) touched.add(step.victim);
  return [...touched];
}
