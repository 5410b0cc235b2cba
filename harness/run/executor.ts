/**
 * Runs steps against the target. For each step it resolves references, sends the request with
 * the tenant's credentials, records the exchange, keeps the world model and the fingerprint
 * registry up to date, adds the follow-up steps a probe needs (the victim's re-read, a twin
 * request on a missing id, the attacker's re-read of what an override created), and asks the
 * per-step oracles for findings. The same executor serves live runs and replays.
 */
import { randomUUID } from 'node:crypto';
import type { Exchange, Finding, OracleName, Relation, TenantLabel } from '../model/exchange.ts';
import type { FingerprintRegistry } from '../generate/fingerprints.ts';
import { resolveStep, getPath, UnresolvedReferenceError } from '../model/resolve-step.ts';
import type { Step } from '../model/step.ts';
import type { RecordState, World } from '../model/world.ts';
import type { CampaignPlan, PlannedOperation } from '../model/plan.ts';
import { checkForeignData } from '../oracles/foreign-data.ts';
import { checkCrossTenantAccess, type CrossTenantProbe } from '../oracles/cross-tenant-access.ts';
import { checkExistence } from '../oracles/existence.ts';
import { checkInjection, type InjectionVector } from '../oracles/injection.ts';
import { checkModel, type ModelObservation } from '../oracles/model.ts';
import { checkNonInterference } from '../oracles/non-interference.ts';
import { FingerprintScanner } from '../oracles/scan/fingerprint-scanner.ts';
import { CANARY_PATTERN, LOWER_CANARY_PATTERN } from '../generate/canary.ts';
import type { Transport } from './http-client.ts';
import { Coverage } from './coverage.ts';

export interface ExecutorOptions {
  plan: CampaignPlan;
  world: World;
  registry: FingerprintRegistry;
  client: Transport;
  /** Authentication headers per tenant. Never written anywhere. */
  credentials: Map<TenantLabel, Record<string, string>>;
  coverage: Coverage;
  /** Called for every exchange as soon as it completes (the transcript writer). */
  onExchange?: (exchange: Exchange) => void;
  /** Stops sending when aborted (Ctrl-C, budget). */
  signal?: AbortSignal;
  /** Global sequence counter shared across runs, so transcript lines stay unique. */
  nextSeq: () => number;
  /** Header the target returns request ids in (lower-case). */
  requestIdHeader?: string;
}

export class StepSkipped extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'StepSkipped';
  }
}

export class Executor {
  readonly scanner: FingerprintScanner;
  readonly findings: Finding[] = [];
  readonly exchanges: Exchange[] = [];
  /** Exchanges by step index (the last exchange of that step). */
  readonly byStep = new Map<number, Exchange>();
  /** Every value each tenant has itself sent; it already knows them, so their echo is no leak. */
  private readonly known = new Map<TenantLabel, Set<string>>();
  /** Last comparable observation per tenant and request, for non-interference. */
  private readonly observations = new Map<string, { writes: number; exchange: Exchange }>();
  /** Per tenant: own writes sent so far, and those still awaiting their response. */
  private readonly writesStarted = new Map<TenantLabel, number>();
  private readonly writesInFlight = new Map<TenantLabel, number>();
  transportErrors = 0;
  serverErrors = 0;
  throttled = 0;

  constructor(private readonly o: ExecutorOptions) {
    this.scanner = new FingerprintScanner(o.registry);
  }

  get world(): World {
    return this.o.world;
  }

  get plan(): CampaignPlan {
    return this.o.plan;
  }

  get registry(): FingerprintRegistry {
    return this.o.registry;
  }

  recordCoverage(operationId: string, oracle: OracleName, relation: 'own' | 'foreign' | 'injected'): void {
    this.o.coverage.add(operationId, oracle, relation);
  }

  /** Runs one step and its follow-ups; returns the step's own exchange. */
  async run(step: Step, options: { concurrent?: boolean } = {}): Promise<Exchange | undefined> {
    const probe = step.probe;
    let before: Exchange | undefined;
    // The victim's own writes started so far, and in flight: if any overlaps the before/after
    // window, a change to its record cannot be blamed on the attacker.
    const victimWritesAtStart = step.victim ? (this.writesStarted.get(step.victim) ?? 0) : 0;
    let victimBusy = step.victim ? (this.writesInFlight.get(step.victim) ?? 0) > 0 : false;
    if (
      (probe === 'foreign-update' || probe === 'foreign-delete' || probe === 'foreign-action') &&
      step.victim &&
      step.recordFrom !== undefined
    ) {
      before = await this.reread(step, step.victim, 'setup');
    }
    const exchange = await this.send(step, options);
    if (!exchange) return undefined;

    if (
      probe === 'foreign-read' ||
      probe === 'foreign-update' ||
      probe === 'foreign-delete' ||
      probe === 'foreign-action'
    ) {
      const missing = await this.missingTwin(step, exchange);
      const after =
        step.victim && step.recordFrom !== undefined ? await this.reread(step, step.victim, 'setup') : undefined;
      if (step.victim)
        victimBusy ||=
          (this.writesStarted.get(step.victim) ?? 0) !== victimWritesAtStart ||
          (this.writesInFlight.get(step.victim) ?? 0) > 0;
      const crossProbe: CrossTenantProbe = { probe: exchange };
      if (missing) crossProbe.missing = missing;
      if (before && after && !victimBusy) {
        crossProbe.before = before;
        crossProbe.after = after;
      }
      this.raise(checkCrossTenantAccess([crossProbe]), 'cross-tenant-access', exchange);
      if (missing) this.raise(checkExistence([{ foreign: exchange, missing }]), 'existence', exchange);
    }
    if (probe === 'foreign-reference') {
      this.raise(checkCrossTenantAccess([{ probe: exchange }]), 'cross-tenant-access', exchange);
    }
    if (probe === 'inject-header' || probe === 'inject-query' || probe === 'inject-body') {
      await this.checkOverride(step, exchange);
    }
    return exchange;
  }

  private async send(step: Step, options: { concurrent?: boolean }): Promise<Exchange | undefined> {
    if (this.o.signal?.aborted) return undefined;
    const world = this.o.world;
    step.index = world.steps.length;
    world.steps.push(step);
    let resolved;
    try {
      resolved = resolveStep(step, world);
    } catch (err) {
      if (err instanceof UnresolvedReferenceError) throw new StepSkipped(err.message);
      throw err;
    }
    let known = this.known.get(step.tenant);
    if (!known) this.known.set(step.tenant, (known = new Set()));
    for (const v of resolved.sentValues) known.add(v);
    const creds = this.o.credentials.get(step.tenant) ?? {};
    const headers = { ...resolved.headers, ...creds };
    const writesAtStart = world.tenant(step.tenant).writes;
    const isWrite = resolved.method.toUpperCase() !== 'GET' && step.relation === 'own';
    if (isWrite) {
      this.writesStarted.set(step.tenant, (this.writesStarted.get(step.tenant) ?? 0) + 1);
      this.writesInFlight.set(step.tenant, (this.writesInFlight.get(step.tenant) ?? 0) + 1);
    }
    const result = await this.o.client.send({
      method: resolved.method,
      path: resolved.path,
      headers,
      ...(resolved.bodyText !== undefined ? { bodyText: resolved.bodyText } : {}),
      ...(this.o.signal ? { signal: this.o.signal } : {}),
    });
    if (isWrite) this.writesInFlight.set(step.tenant, (this.writesInFlight.get(step.tenant) ?? 1) - 1);
    this.throttled += result.throttled;
    const exchange: Exchange = {
      seq: this.o.nextSeq(),
      tenant: step.tenant,
      relation: step.relation,
      operationId: step.operationId,
      request: result.request,
    };
    if (step.victim) exchange.victim = step.victim;
    if (step.batch !== undefined) exchange.batch = step.batch;
    if (result.response) exchange.response = result.response;
    if (result.error) exchange.error = result.error;
    if (result.error) this.transportErrors++;
    else if ((result.response?.status ?? 0) >= 500) this.serverErrors++;
    this.exchanges.push(exchange);
    this.byStep.set(step.index, exchange);
    world.responses.set(step.index, {
      status: result.response?.status ?? 0,
      json: result.response?.json,
      headers: result.response?.headers ?? {},
    });
    this.o.onExchange?.(exchange);

    // Oracle 1 on every exchange, before anything from the response is trusted as the tenant's own.
    const leaks = this.discountKnown(checkForeignData([exchange], this.scanner), step.tenant);
    this.raise(leaks, 'foreign-data', exchange);
    this.updateWorld(step, exchange, leaks.length === 0);
    this.observeForModel(step, exchange);
    if (!options.concurrent) this.observeForNonInterference(step, exchange, writesAtStart);
    return exchange;
  }

  /** Whether `tenant` sent `value` (or a string containing it) in any request so far. */
  isKnownTo(tenant: TenantLabel, value: string): boolean {
    const known = this.known.get(tenant);
    return known !== undefined && (known.has(value) || [...known].some((k) => k.includes(value)));
  }

  /**
   * Drops foreign values the tenant sent in an earlier request (a victim id it probed with, echoed
   * later in its own audit log): it learns nothing from them. Other values of the finding stay.
   */
  private discountKnown(findings: Finding[], tenant: TenantLabel): Finding[] {
    const kept: Finding[] = [];
    for (const f of findings) {
      const hits = (f.evidence['hits'] as { value: string }[] | undefined) ?? [];
      // Substring match: a victim's canary inside an email the attacker itself sent is known too.
      const isKnown = (v: string): boolean => this.isKnownTo(tenant, v);
      const fresh = hits.filter((h) => !isKnown(h.value));
      if (fresh.length === 0) continue;
      const echoed = hits.filter((h) => isKnown(h.value)).map((h) => h.value);
      kept.push(
        fresh.length === hits.length ? f : { ...f, evidence: { ...f.evidence, hits: fresh, knownToAttacker: echoed } },
      );
    }
    return kept;
  }

  private raise(findings: Finding[], oracle: OracleName, exchange: Exchange): void {
    this.o.coverage.add(exchange.operationId, oracle, coverageRelation(exchange.relation));
    for (const f of findings) this.findings.push(f);
  }

  private planned(operationId: string): PlannedOperation | undefined {
    return this.o.plan.byId.get(operationId);
  }

  private readOpFor(resource: string): PlannedOperation | undefined {
    return this.o.plan.reads.find((r) => r.op.resource === resource);
  }

  /** `tenant` re-reads the record a probe aimed at. */
  private async reread(step: Step, tenant: TenantLabel, relation: Relation): Promise<Exchange | undefined> {
    const resource = step.resource;
    if (!resource || step.recordFrom === undefined) return undefined;
    const read = this.readOpFor(resource);
    if (!read) return undefined;
    const original = this.o.world.steps[step.recordFrom];
    const pathParams = { ...step.pathParams };
    if (read.op.path !== step.path) {
      // Different path shape (rare): rebuild from the record's creating step.
      for (const [param, res] of Object.entries(read.pathResources)) {
        if (res === resource) pathParams[param] = { $from: step.recordFrom, path: this.idFieldOf(resource) };
        else if (original?.pathParams[param] !== undefined) pathParams[param] = original.pathParams[param]!;
      }
    }
    const reread: Step = {
      index: -1,
      tenant,
      operationId: read.op.operationId,
      action: 'read',
      relation,
      resource,
      recordFrom: step.recordFrom,
      method: 'GET',
      path: read.op.path,
      pathParams,
      query: {},
      headers: {},
    };
    try {
      return await this.send(reread, {});
    } catch (err) {
      if (err instanceof StepSkipped) return undefined;
      throw err;
    }
  }

  private idFieldOf(resource: string): string {
    return this.o.plan.resources.get(resource)?.idField ?? 'id';
  }

  /** The same request as `probe`, naming an id that exists nowhere. */
  private async missingTwin(step: Step, probe: Exchange): Promise<Exchange | undefined> {
    const idParam = Object.entries(this.planned(step.operationId)?.pathResources ?? {}).find(
      ([, r]) => r === step.resource,
    )?.[0];
    if (!idParam || !probe.response) return undefined;
    const resolvedId = String(
      getPath(this.o.world.responses.get(step.recordFrom ?? -1)?.json, this.idFieldOf(step.resource ?? '')) ?? '',
    );
    const twin: Step = {
      ...structuredClone(step),
      index: -1,
      action: 'read-missing',
      relation: 'own',
      pathParams: { ...structuredClone(step.pathParams), [idParam]: missingIdLike(resolvedId) },
    };
    delete twin.probe;
    delete twin.victim;
    delete twin.recordFrom;
    try {
      return await this.send(twin, {});
    } catch (err) {
      if (err instanceof StepSkipped) return undefined;
      throw err;
    }
  }

  private async checkOverride(step: Step, exchange: Exchange): Promise<void> {
    const vector: InjectionVector =
      step.probe === 'inject-header' ? 'header' : step.probe === 'inject-query' ? 'query' : 'body';
    const planned = this.planned(step.operationId);
    const produced = planned?.op.produces;
    const status = exchange.response?.status ?? 0;
    const createdId =
      produced && status >= 200 && status < 300
        ? getPath(exchange.response?.json, joinPath(produced.envelope, produced.idField))
        : undefined;
    const c: Parameters<typeof checkInjection>[0] extends Iterable<infer T> ? T : never = { probe: exchange, vector };
    if (typeof createdId === 'string' || typeof createdId === 'number') {
      c.createdId = String(createdId);
      const createdStep = { ...step, recordFrom: step.index, resource: produced!.resource };
      const attackerReread = await this.reread(createdStep, step.tenant, 'own');
      const victimReread = step.victim ? await this.reread(createdStep, step.victim, 'foreign') : undefined;
      if (attackerReread) c.attackerReread = attackerReread;
      if (victimReread) c.victimReread = victimReread;
    }
    this.raise(
      checkInjection([c], {
        ownerOf: (v) => this.o.registry.ownerOf(v),
        knownTo: (tenant, v) => this.isKnownTo(tenant, v),
      }),
      'injection',
      exchange,
    );
  }

  /** Learns from a response: new records, canaries, cursors, request ids; registers fingerprints. */
  private updateWorld(step: Step, exchange: Exchange, clean: boolean): void {
    const world = this.o.world;
    const tenant = world.tenant(step.tenant);
    const res = exchange.response;
    const status = res?.status ?? 0;
    const ok = status >= 200 && status < 300;
    const requestId = res?.headers[this.o.requestIdHeader ?? 'x-request-id'];
    if (requestId) {
      tenant.requestIds.add(requestId);
      this.safeRegister(requestId, step.tenant, 'token', `${step.operationId}.response.header.request-id`);
    }
    if (step.relation === 'own' && step.body !== undefined && exchange.request.bodyText)
      this.learnSentValues(step, exchange.request.bodyText);
    const idemHeader = this.planned(step.operationId)?.op.idempotencyHeader?.toLowerCase();
    if (idemHeader && step.relation === 'own' && exchange.request.headers[idemHeader]) {
      const value = exchange.request.headers[idemHeader]!;
      tenant.idempotencyKeys.push({ value, step: step.index, operationId: step.operationId });
      this.safeRegister(value, step.tenant, 'token', `${step.operationId}.request.header.${idemHeader}`);
    }
    if (!ok || !clean) return;

    const planned = this.planned(step.operationId);
    const op = planned?.op;
    if (!op) return;
    if (step.method !== 'GET' && step.relation !== 'setup') tenant.writes++;
    // A create that succeeds makes a record of the sender's, whatever the probe (a clean server
    // ignores a tenant override and files the record under the credential's tenant). An id that
    // another tenant already owns is a leak for the oracles, not a new record.
    if (op.produces && step.action !== 'read-missing' && step.relation !== 'setup') {
      const idPath = joinPath(op.produces.envelope, op.produces.idField);
      const id = getPath(res?.json, idPath);
      if (typeof id === 'string' || typeof id === 'number') {
        const record: RecordState = {
          resource: op.produces.resource,
          id: String(id),
          createdBy: step.index,
          idField: idPath,
          alive: true,
          lastSeen: getPath(res?.json, op.produces.envelope ?? ''),
        };
        const parentParam = op.parent?.param;
        const parentRef = parentParam ? step.pathParams[parentParam] : undefined;
        if (op.parent && parentRef && typeof parentRef === 'object' && '$from' in parentRef) {
          const parent = tenant.records.find((r) => r.createdBy === (parentRef as { $from: number }).$from);
          if (parent) record.parent = { resource: parent.resource, id: parent.id, createdBy: parent.createdBy };
        }
        // An idempotent replay answers with a record the tenant already has: not a new one.
        const known = tenant.records.find((r) => r.id === record.id && r.resource === record.resource);
        if (known) known.lastSeen = record.lastSeen;
        else {
          // Ownership is per resource in the model, whatever the id looks like; the id is also a
          // fingerprint for the byte scan when it is distinctive enough (see FingerprintRegistry).
          const owner = world.ownerOfId(record.id, record.resource);
          const fingerprintOk =
            this.safeRegister(record.id, step.tenant, 'id', `${step.operationId}.response.${idPath}`) ||
            this.o.registry.ownerOf(record.id) === undefined;
          if ((owner === undefined || owner === step.tenant) && fingerprintOk) tenant.records.push(record);
        }
      }
    }
    if (step.relation !== 'own') return;
    if (step.recordFrom !== undefined) {
      const record = tenant.records.find((r) => r.createdBy === step.recordFrom);
      if (record) {
        if (step.action === 'delete') {
          record.alive = false;
          for (const child of tenant.records) if (child.parent?.createdBy === record.createdBy) child.alive = false;
        } else if (step.action === 'update' || step.action === 'read') record.lastSeen = res?.json;
      }
    }
    if (op.pagination?.style === 'cursor' && op.pagination.nextField) {
      const next = getPath(res?.json, op.pagination.nextField);
      if (typeof next === 'string' && next.length > 0) {
        tenant.cursors.set(op.operationId, { value: next, step: step.index, operationId: op.operationId });
        this.safeRegister(next, step.tenant, 'token', `${op.operationId}.response.${op.pagination.nextField}`);
      }
    }
  }

  private learnSentValues(step: Step, bodyText: string): void {
    const tenant = this.o.world.tenant(step.tenant);
    for (const m of [...bodyText.matchAll(CANARY_PATTERN), ...bodyText.matchAll(LOWER_CANARY_PATTERN)]) {
      const canary = m[0];
      if (
        this.safeRegister(canary, step.tenant, 'canary', `${step.operationId}.request.body`) &&
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
    const unique = new Set(this.planned(step.operationId)?.op.uniqueFields ?? []);
    for (const [field, value] of Object.entries(body)) {
      if (typeof value === 'string' && value.length >= 8 && unique.has(field)) {
        tenant.uniqueValues.push({ field, value, operationId: step.operationId, step: step.index });
        this.safeRegister(value, step.tenant, 'generated', `${step.operationId}.request.body.${field}`);
      }
    }
  }

  /** Owner of an id of `resource` in the model, else of any registered fingerprint. */
  ownerOf(value: string, resource?: string): TenantLabel | undefined {
    return (
      (resource !== undefined ? this.o.world.ownerOfId(value, resource) : undefined) ?? this.o.registry.ownerOf(value)
    );
  }

  /** Registers a fingerprint; a value another tenant already owns is left with its first owner. */
  private safeRegister(
    value: string,
    owner: TenantLabel,
    kind: 'id' | 'canary' | 'generated' | 'token',
    source: string,
  ): boolean {
    const existing = this.o.registry.ownerOf(value);
    if (existing !== undefined) return existing === owner;
    return this.o.registry.register(value, owner, kind, source) || this.o.registry.ownerOf(value) === owner;
  }

  /** Ownership-mode model observation for lists, searches and exports (exact mode is at checkpoints). */
  private observeForModel(step: Step, exchange: Exchange): void {
    const kind =
      step.action === 'list'
        ? 'list'
        : step.action === 'search'
          ? 'search'
          : step.action === 'export'
            ? 'export'
            : undefined;
    if (!kind || !exchange.response || exchange.response.status >= 300) return;
    const ids = extractIds(
      exchange,
      this.planned(step.operationId)?.op.itemsField,
      this.o.plan.resources.get(step.resource ?? '')?.idField ?? 'id',
    );
    const observation: ModelObservation = {
      tenant: step.tenant,
      operationId: step.operationId,
      kind,
      mode: 'ownership',
      exchanges: [exchange.seq],
      observedIds: ids,
      ...(step.resource ? { resource: step.resource } : {}),
    };
    const findings = checkModel([observation], {
      ownerOf: (v, resource) => this.ownerOf(v, resource),
    });
    this.raise(findings, 'model', exchange);
  }

  /**
   * Non-interference, differentially: when A repeats a read with no write of its own in between,
   * whatever other tenants did meanwhile must not change what A sees.
   */
  private observeForNonInterference(step: Step, exchange: Exchange, writesAtStart: number): void {
    if (step.method !== 'GET' || step.relation !== 'own' || step.action === 'audit' || step.action === 'read-missing')
      return;
    const tenant = this.o.world.tenant(step.tenant);
    if (tenant.writes !== writesAtStart) return;
    const key = `${step.tenant} ${exchange.request.path}`;
    const previous = this.observations.get(key);
    this.observations.set(key, { writes: tenant.writes, exchange });
    if (!previous || previous.writes !== tenant.writes) return;
    const others = this.o.world.others(step.tenant);
    const findings = checkNonInterference([
      { tenant: step.tenant, alone: [previous.exchange], together: [exchange], others },
    ]);
    this.raise(findings, 'non-interference', exchange);
  }
}

function coverageRelation(relation: Relation): 'own' | 'foreign' | 'injected' {
  return relation === 'foreign' ? 'foreign' : relation === 'injected' ? 'injected' : 'own';
}

export function joinPath(envelope: string | undefined, field: string): string {
  return envelope ? `${envelope}.${field}` : field;
}

/** An id of the same shape as `example` that no tenant owns. */
export function missingIdLike(example: string): string {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(example)) return randomUUID();
  if (/^\d+$/.test(example)) return String(Number(example) + 9_000_000 + Math.floor(Math.random() * 1_000_000));
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < Math.max(example.length, 12); i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}

/** Ids of the records in a list, search or export response. */
export function extractIds(exchange: Exchange, itemsField: string | undefined, idField: string): string[] {
  const res = exchange.response;
  if (!res) return [];
  const type = res.headers['content-type'] ?? '';
  const rows: unknown[] = [];
  if (/ndjson/i.test(type)) {
    for (const line of res.bodyText.split('\n')) {
      if (!line.trim()) continue;
      try {
        rows.push(JSON.parse(line));
      } catch {
        // a broken line carries no id
      }
    }
  } else if (/csv/i.test(type)) {
    const [header, ...lines] = res.bodyText.split(/\r?\n/);
    const cols = (header ?? '').split(',');
    const idCol = cols.indexOf(idField);
    if (idCol >= 0) for (const line of lines) if (line) rows.push({ [idField]: line.split(',')[idCol] });
  } else {
    const items = getPath(res.json, itemsField ?? '');
    if (Array.isArray(items)) rows.push(...items);
  }
  const ids: string[] = [];
  for (const row of rows) {
    const id = getPath(row, idField);
    if (typeof id === 'string' || typeof id === 'number') ids.push(String(id));
  }
  return ids;
}
