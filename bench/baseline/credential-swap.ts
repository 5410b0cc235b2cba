/**
 * The baseline: credential-swap replay, the method behind Burp's Autorize, Akto's BOLA tests
 * ("replace auth token") and RESTler's namespace-rule checker. Implemented here from their
 * published rules, as its own module, so the detection benchmark can compare tenantproof with it
 * on the same target, the same spec operations and the same seeds.
 *
 * How it works (one session per seed):
 * 1. Two fresh tenants, A (the victim, whose traffic is recorded) and B (the attacker), are made
 *    through the target's provisioning endpoint, exactly as the harness makes its tenants.
 * 2. A's traffic is driven from the spec (spec analysis and plan from harness/openapi and
 *    harness/model, bodies and parameters from the harness's own generators, harness/generate,
 *    sampled with the seed): every create operation twice in dependency order (ids a request
 *    consumes are A's own, parents included), then every item read on each record, every update,
 *    every collection (first page of 2 and the next page by its cursor, filtered by A's ids where
 *    the operation takes one, and with A's canary as the search term where it has one), every
 *    search for A's canaries, every aggregate, export (each value of its required parameters the
 *    generator yields), audit and singleton call, every action, and finally every delete (children
 *    first). Within each phase the order is shuffled with the seed.
 * 3. Each of A's requests is replayed with B's credential (only the Authorization header changes;
 *    body, query and other headers, including A's Idempotency-Key, are kept, as Autorize does).
 *    The copy is sent right after A's original (Autorize sits in a proxy and replays what passed),
 *    except for DELETE, whose copy goes right before A's original: otherwise it would always
 *    meet an already deleted record, and RESTler's namespace checker attacks live resources.
 * 4. The copy is flagged (one flag per rule that holds) when its status is 2xx and:
 *    - `similar` (Autorize's "Bypassed!", Akto's `percentage_match >= 90`): A's original was 2xx
 *      too, and the bodies are equal or at least 90 % similar. Similarity here is our own
 *      measure: the share of JSON leaf `path=value` pairs (array indexes dropped) the two bodies
 *      have in common, over the larger of the two counts (lines for non-JSON bodies). A body with
 *      nothing of A's in it (every leaf an empty list or object, null, false, 0, "", or a value
 *      the request itself carried, such as an echoed search term) is not compared: two empty
 *      result lists are equal and prove nothing, and an analyst dismisses them;
 *    - `a-ids` (Autorize's content match on the victim's identifiers): the body contains the id of
 *      any record A created;
 *    - `namespace` (RESTler's namespace-rule checker): the request carries an id of A's records
 *      (path, query or body) and still succeeded.
 * No shrinking, no model, no concurrency: requests go one at a time, as these tools send them.
 * A 429 is retried after its Retry-After (each try counts as a request).
 *
 * Judging: a rule that fires on the clean target too is the method's false positive (for example
 * `similar` on B's copy of A's create, which makes B an equal record). The benchmark therefore
 * runs the same seed on the clean target, and counts a flag on the faulty target as a detection
 * only when the same operation and rule did not flag on the clean run (`differentialFlags`); the
 * clean run's flags are reported as the baseline's false positives.
 */
import fc from 'fast-check';
import { CANARY_PATTERN } from '../../harness/generate/canary.ts';
import { buildPlan, type CampaignPlan, type PlannedOperation } from '../../harness/model/plan.ts';
import { getPath } from '../../harness/model/resolve-step.ts';
import { specValueSource } from '../../harness/model/spec-value-source.ts';
import { widenTimeWindows, type ValueSource } from '../../harness/model/value-source.ts';
import { analyzeSpecFile } from '../../harness/openapi/analyze.ts';
import type { ApiModel, IdUse, OperationInfo } from '../../harness/openapi/api-model.ts';

export type BaselineRule = 'similar' | 'a-ids' | 'namespace';

export interface BaselineFlag {
  rule: BaselineRule;
  operationId: string;
  method: string;
  /** Path and query of the replayed request. */
  path: string;
  status: number;
  /** Requests the baseline had sent when this flag was raised (A's and B's, 429 retries included). */
  requests: number;
  /** Milliseconds since the first request of the session. */
  elapsedMs: number;
  similarity?: number;
  /** A's ids found in the body (`a-ids`) or carried by the request (`namespace`). */
  ids?: string[];
}

export interface BaselineResult {
  seed: number;
  requests: number;
  /** A's original requests, and how many of them were 2xx. */
  aRequests: number;
  aSuccess: number;
  replays: number;
  flags: BaselineFlag[];
  elapsedMs: number;
  operationsCovered: string[];
}

export interface BaselineOptions {
  url: string;
  adminToken: string;
  seed: number;
  specFile?: string;
  /** Records made per create operation (default 2, so that lists have a second page). */
  recordsPerCreate?: number;
  similarityThreshold?: number;
}

export interface Sent {
  status: number;
  text: string;
  json: unknown;
}

interface Req {
  op: OperationInfo;
  method: string;
  path: string;
  headers: Record<string, string>;
  bodyText?: string;
}

interface RecordRef {
  id: string;
  parentId?: string;
  canaries: string[];
}

const UUIDISH = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** mulberry32: a small seeded PRNG for the order of A's requests. */
function rng(seed: number): () => number {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** Leaves of a JSON value as `path=value` strings, array indexes dropped. */
function leaves(value: unknown, prefix = '', out: string[] = []): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) out.push(`${prefix}=[]`);
    for (const v of value) leaves(v, `${prefix}[]`, out);
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) out.push(`${prefix}={}`);
    for (const [k, v] of entries) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.push(`${prefix}=${JSON.stringify(value)}`);
  return out;
}

/** Nothing of A's in it: every JSON leaf empty, null, false, 0, "" or echoed from the request; or an empty non-JSON body. */
export function isTrivial(a: Sent, request = ''): boolean {
  if (a.json === undefined) return a.text.trim().length === 0;
  const decoded = (() => {
    try {
      return decodeURIComponent(request.replace(/\+/g, ' '));
    } catch {
      return request;
    }
  })();
  return leaves(a.json).every((l) => {
    if (/=(\[\]|\{\}|null|false|0|"")$/.test(l)) return true;
    const v = /="(.*)"$/.exec(l)?.[1];
    return v !== undefined && v.length > 0 && decoded.includes(v);
  });
}

/** 1 for equal bodies; else the shared share of leaf pairs (or lines) over the larger count. */
export function similarity(a: Sent, b: Sent): number {
  if (a.text === b.text) return 1;
  const xs = a.json !== undefined && b.json !== undefined ? leaves(a.json) : a.text.split('\n');
  const ys = a.json !== undefined && b.json !== undefined ? leaves(b.json) : b.text.split('\n');
  if (xs.length === 0 && ys.length === 0) return 1;
  const counts = new Map<string, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  let shared = 0;
  for (const y of ys) {
    const n = counts.get(y) ?? 0;
    if (n > 0) {
      shared++;
      counts.set(y, n - 1);
    }
  }
  return shared / Math.max(xs.length, ys.length);
}

/** Sets `value` at a dotted IdUse path (`customerId`, `address.ownerId`, `lines[].productId`). */
function setAt(target: unknown, dotted: string, value: () => unknown): void {
  const segs = dotted.split('.');
  const walk = (node: unknown, i: number): void => {
    if (node === null || typeof node !== 'object') return;
    const raw = segs[i]!;
    const many = raw.endsWith('[]');
    const key = many ? raw.slice(0, -2) : raw;
    const obj = node as Record<string, unknown>;
    if (i === segs.length - 1) {
      if (many)
        obj[key] =
          Array.isArray(obj[key]) && (obj[key] as unknown[]).length > 0
            ? (obj[key] as unknown[]).map(() => value())
            : [value()];
      else obj[key] = value();
      return;
    }
    const next = obj[key];
    if (many && Array.isArray(next)) for (const n of next) walk(n, i + 1);
    else walk(next, i + 1);
  };
  walk(target, 0);
}

/** The harness's own dotted-path reader; an absent path means the root. */
const getAt = (root: unknown, dotted: string | undefined): unknown => getPath(root, dotted ?? '');

class Session {
  requests = 0;
  readonly flags: BaselineFlag[] = [];
  private started = 0;
  aRequests = 0;
  aSuccess = 0;
  replays = 0;
  readonly covered = new Set<string>();

  constructor(
    private readonly url: string,
    private readonly keyA: string,
    private readonly keyB: string,
    private readonly aIds: Set<string>,
    private readonly threshold: number,
  ) {}

  private async send(req: Req, apiKey: string): Promise<Sent> {
    if (this.started === 0) this.started = performance.now();
    for (let attempt = 0; ; attempt++) {
      this.requests++;
      const res = await fetch(this.url + req.path, {
        method: req.method,
        headers: {
          ...req.headers,
          authorization: `Bearer ${apiKey}`,
          ...(req.bodyText !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(req.bodyText !== undefined ? { body: req.bodyText } : {}),
        redirect: 'manual',
      });
      const text = await res.text();
      if (res.status === 429 && attempt < 5) {
        const wait = Number(res.headers.get('retry-after') ?? '1');
        await new Promise((r) => setTimeout(r, Math.max(50, (Number.isFinite(wait) ? wait : 1) * 1000)));
        continue;
      }
      let json: unknown;
      if (/json/i.test(res.headers.get('content-type') ?? '') && text.length > 0) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
      return { status: res.status, text, json };
    }
  }

  /** A's request and B's copy; returns A's response. */
  async exchange(req: Req): Promise<Sent> {
    this.covered.add(req.op.operationId);
    let a: Sent;
    let b: Sent;
    if (req.method === 'DELETE') {
      b = await this.send(req, this.keyB);
      a = await this.send(req, this.keyA);
    } else {
      a = await this.send(req, this.keyA);
      b = await this.send(req, this.keyB);
    }
    this.aRequests++;
    this.replays++;
    if (a.status >= 200 && a.status < 300) this.aSuccess++;
    this.judge(req, a, b);
    return a;
  }

  private judge(req: Req, a: Sent, b: Sent): void {
    if (b.status < 200 || b.status >= 300) return;
    const base = {
      operationId: req.op.operationId,
      method: req.method,
      path: req.path,
      status: b.status,
      requests: this.requests,
      elapsedMs: Math.round(performance.now() - this.started),
    };
    if (a.status >= 200 && a.status < 300 && !isTrivial(a, `${req.path} ${req.bodyText ?? ''}`)) {
      const sim = similarity(a, b);
      if (sim >= this.threshold)
        this.flags.push({ rule: 'similar', ...base, similarity: Math.round(sim * 1000) / 1000 });
    }
    const inBody = [...this.aIds].filter((id) => b.text.includes(id));
    if (inBody.length > 0) this.flags.push({ rule: 'a-ids', ...base, ids: inBody.slice(0, 5) });
    const carried = [...this.aIds].filter((id) => req.path.includes(id) || (req.bodyText ?? '').includes(id));
    if (carried.length > 0) this.flags.push({ rule: 'namespace', ...base, ids: carried.slice(0, 5) });
  }

  elapsed(): number {
    return this.started === 0 ? 0 : performance.now() - this.started;
  }
}

async function createTenant(url: string, adminToken: string, name: string): Promise<string> {
  const res = await fetch(`${url}/v1/tenants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-admin-token': adminToken },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201)
    throw new Error(`baseline: creating tenant ${name} failed with ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { apiKey: string }).apiKey;
}

/** Builds and sends A's session, replaying each request as B. */
export async function runCredentialSwap(o: BaselineOptions): Promise<BaselineResult> {
  const model: ApiModel = await analyzeSpecFile(o.specFile ?? 'specs/crm.openapi.yaml');
  const plan: CampaignPlan = buildPlan(model);
  const values: ValueSource = specValueSource(model, `bl${o.seed}`);
  const rand = rng(o.seed);
  let sampleSeed = o.seed * 100_003;
  const sample = <T>(arb: fc.Arbitrary<T>): T => fc.sample(arb, { seed: sampleSeed++, numRuns: 1 })[0]!;
  const perCreate = o.recordsPerCreate ?? 2;

  const keyA = await createTenant(o.url, o.adminToken, `baseline-a-${o.seed}-${Date.now().toString(36)}`);
  const keyB = await createTenant(o.url, o.adminToken, `baseline-b-${o.seed}-${Date.now().toString(36)}`);
  const aIds = new Set<string>();
  const session = new Session(o.url, keyA, keyB, aIds, o.similarityThreshold ?? 0.9);
  const records = new Map<string, RecordRef[]>();
  const canaries: string[] = [];
  let idem = 0;

  const pickRecord = (resource: string, k = 0): RecordRef | undefined => {
    const rs = records.get(resource) ?? [];
    return rs.length === 0 ? undefined : rs[k % rs.length];
  };
  const anyId = (resource: string): string | undefined => {
    const rs = records.get(resource) ?? [];
    return rs.length === 0 ? undefined : rs[Math.floor(rand() * rs.length)]!.id;
  };
  const paramValue = (op: OperationInfo, name: string): unknown => {
    const p = op.parameters.find((x) => x.name === name)!;
    return sample(values.param(op, p, 'T1'));
  };

  /** Fills path parameters with A's records (the operation's own record chosen first, its parent from it). */
  const buildPath = (planned: PlannedOperation, own?: RecordRef): string | undefined =>
    buildPathParams(planned, own)?.path;
  const buildPathParams = (
    planned: PlannedOperation,
    own?: RecordRef,
  ): { path: string; params: Map<string, string> } | undefined => {
    const op = planned.op;
    let path = op.path;
    const chosen = new Map<string, string>();
    if (own && op.resource) {
      const ownParam = Object.entries(planned.pathResources).find(([, r]) => r === op.resource)?.[0];
      if (ownParam) chosen.set(ownParam, own.id);
      if (op.parent && own.parentId) chosen.set(op.parent.param, own.parentId);
    }
    for (const [param, resource] of Object.entries(planned.pathResources)) {
      if (chosen.has(param)) continue;
      const id = anyId(resource);
      if (!id) return undefined;
      chosen.set(param, id);
    }
    for (const [param, id] of chosen) path = path.replace(`{${param}}`, encodeURIComponent(id));
    return /\{[^}]+\}/.test(path) ? undefined : { path, params: chosen };
  };

  const queryString = (q: Record<string, unknown>): string => {
    const sp = new URLSearchParams();
    for (const [k, v] of Object.entries(widenTimeWindows(q)))
      if (v !== undefined && v !== null) sp.append(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
    const s = sp.toString();
    return s ? `?${s}` : '';
  };
  const requiredQuery = (op: OperationInfo): Record<string, unknown> => {
    const q: Record<string, unknown> = {};
    for (const p of op.parameters)
      if (p.in === 'query' && p.required && p.name !== op.searchParam) q[p.name] = paramValue(op, p.name);
    return q;
  };
  const headersFor = (op: OperationInfo): Record<string, string> =>
    op.idempotencyHeader
      ? { [op.idempotencyHeader.toLowerCase()]: `bl-${o.seed}-${++idem}-${Math.floor(rand() * 1e9).toString(36)}` }
      : {};

  const bodyFor = (op: OperationInfo): string | undefined => {
    const arb = values.body(op, 'T1');
    if (!arb) return undefined;
    const body = sample(arb);
    const uses: IdUse[] = op.consumes.filter((u) => u.in === 'body');
    for (const u of uses) {
      if (!records.get(u.resource)?.length) continue;
      setAt(body, u.name, () => anyId(u.resource));
    }
    return JSON.stringify(body);
  };

  // Phase 1: creates, in dependency order, `perCreate` rounds.
  const producers = plan.creates;
  for (let round = 0; round < perCreate; round++) {
    const pending = shuffle([...producers], rand);
    let progress = true;
    while (pending.length > 0 && progress) {
      progress = false;
      for (let i = 0; i < pending.length; i++) {
        const planned = pending[i]!;
        const op = planned.op;
        const needs = [
          ...new Set([
            ...Object.values(planned.pathResources),
            ...op.consumes.filter((u) => u.in === 'body').map((u) => u.resource),
          ]),
        ];
        if (!needs.every((r) => (records.get(r)?.length ?? 0) > 0)) continue;
        pending.splice(i--, 1);
        progress = true;
        const built = buildPathParams(planned);
        if (!built) continue;
        const { path, params } = built;
        const bodyText = bodyFor(op);
        const req: Req = {
          op,
          method: op.method.toUpperCase(),
          path,
          headers: headersFor(op),
          ...(bodyText !== undefined ? { bodyText } : {}),
        };
        const a = await session.exchange(req);
        const id = getAt(getAt(a.json, op.produces?.envelope), op.produces?.idField ?? 'id');
        if (a.status >= 200 && a.status < 300 && typeof id === 'string' && op.produces) {
          const found = bodyText
            ? [...bodyText.matchAll(CANARY_PATTERN)].filter((m) => m[1] === 'T1').map((m) => m[0])
            : [];
          canaries.push(...found);
          const parentId = op.parent ? params.get(op.parent.param) : undefined;
          const rs = records.get(op.produces.resource) ?? [];
          rs.push({ id, canaries: found, ...(parentId ? { parentId } : {}) });
          records.set(op.produces.resource, rs);
          aIds.add(id);
        }
      }
    }
  }
  const canary = (k: number): string | undefined => (canaries.length === 0 ? undefined : canaries[k % canaries.length]);

  const run = async (
    reqs: Array<() => Req | undefined>,
    follow?: (req: Req, a: Sent) => Req | undefined,
  ): Promise<void> => {
    for (const make of shuffle(reqs, rand)) {
      const req = make();
      if (!req) continue;
      const a = await session.exchange(req);
      const next = follow?.(req, a);
      if (next) await session.exchange(next);
    }
  };
  const get = (planned: PlannedOperation, path: string | undefined, q: Record<string, unknown>): Req | undefined =>
    path === undefined
      ? undefined
      : { op: planned.op, method: planned.op.method.toUpperCase(), path: path + queryString(q), headers: {} };

  // Phase 2: item reads of every record.
  const reads: Array<() => Req | undefined> = [];
  for (const planned of plan.reads)
    for (const r of records.get(planned.op.resource ?? '') ?? [])
      reads.push(() => get(planned, buildPath(planned, r), {}));
  await run(reads);

  // Phase 3: updates (one record each).
  await run(
    plan.updates.map((planned) => () => {
      const path = buildPath(planned, pickRecord(planned.op.resource ?? ''));
      if (!path) return undefined;
      const bodyText = bodyFor(planned.op);
      return {
        op: planned.op,
        method: planned.op.method.toUpperCase(),
        path,
        headers: headersFor(planned.op),
        ...(bodyText !== undefined ? { bodyText } : {}),
      };
    }),
  );

  // Phase 4: collections: first page, next page by cursor, by A's ids, by A's canary, with optional filters.
  const collections: Array<() => Req | undefined> = [];
  for (const planned of plan.collections) {
    const op = planned.op;
    const limit = op.pagination?.limitParam ? { [op.pagination.limitParam]: 2 } : {};
    const base = (): Record<string, unknown> => ({ ...requiredQuery(op), ...limit });
    collections.push(() => get(planned, buildPath(planned), base()));
    const idParams = op.consumes.filter((u) => u.in === 'query');
    if (idParams.length > 0)
      collections.push(() =>
        get(planned, buildPath(planned), {
          ...base(),
          ...Object.fromEntries(idParams.map((u) => [u.name, anyId(u.resource)])),
        }),
      );
    // A searches its own records of this collection by their canary (a name or email it typed).
    if (op.searchParam)
      collections.push(() =>
        get(planned, buildPath(planned), {
          ...base(),
          [op.searchParam!]:
            pickRecord(op.resource ?? '', Math.floor(rand() * 1000))?.canaries[0] ?? canary(Math.floor(rand() * 1000)),
        }),
      );
    const optional = op.parameters.filter(
      (p) =>
        p.in === 'query' &&
        !p.required &&
        p.name !== op.searchParam &&
        p.name !== op.pagination?.param &&
        p.name !== op.pagination?.limitParam &&
        !idParams.some((u) => u.name === p.name),
    );
    if (optional.length > 0)
      collections.push(() =>
        get(planned, buildPath(planned), {
          ...base(),
          ...Object.fromEntries(optional.map((p) => [p.name, paramValue(op, p.name)])),
        }),
      );
  }
  await run(collections, (req, a) => {
    const p = req.op.pagination;
    if (!p || p.style !== 'cursor' || !p.param || !p.nextField) return undefined;
    const next = getAt(a.json, p.nextField);
    if (typeof next !== 'string' || next.length === 0) return undefined;
    const u = new URL(req.path, 'http://x');
    u.searchParams.set(p.param, next);
    return { ...req, path: u.pathname + u.search };
  });

  // Phase 5: searches for A's canaries; aggregates, exports, audit log, singletons.
  const misc: Array<() => Req | undefined> = [];
  for (const planned of plan.searches) {
    const op = planned.op;
    for (let k = 0; k < 3; k++)
      misc.push(() =>
        get(planned, buildPath(planned), {
          ...requiredQuery(op),
          ...(op.searchParam ? { [op.searchParam]: canary(k) } : {}),
        }),
      );
  }
  for (const planned of [...plan.aggregates, ...plan.exports, ...plan.audits, ...plan.singletons]) {
    const op = planned.op;
    const required = op.parameters.filter((p) => p.in === 'query' && p.required);
    if (required.length === 0) {
      misc.push(() =>
        get(planned, buildPath(planned), op.pagination?.limitParam ? { [op.pagination.limitParam]: 100 } : {}),
      );
      continue;
    }
    // Each distinct value the generator yields for the required parameters (an enum gives each member).
    const seen = new Set<string>();
    for (let k = 0; k < 8; k++) {
      const q = requiredQuery(op);
      const key = JSON.stringify(q);
      if (seen.has(key)) continue;
      seen.add(key);
      misc.push(() => get(planned, buildPath(planned), q));
    }
  }
  await run(misc);

  // Phase 6: actions on each record.
  for (const planned of plan.actions) {
    const reqs: Array<() => Req | undefined> = [];
    for (const r of records.get(planned.op.resource ?? '') ?? []) {
      reqs.push(() => {
        const path = buildPath(planned, r);
        if (!path) return undefined;
        const bodyText = bodyFor(planned.op);
        return {
          op: planned.op,
          method: planned.op.method.toUpperCase(),
          path,
          headers: headersFor(planned.op),
          ...(bodyText !== undefined ? { bodyText } : {}),
        };
      });
    }
    await run(reqs);
  }

  // Phase 7: deletes, children first, one record each.
  const deletes = shuffle([...plan.deletes], rand).sort(
    (x, y) => Number(Boolean(y.op.parent)) - Number(Boolean(x.op.parent)),
  );
  for (const planned of deletes) {
    const rs = records.get(planned.op.resource ?? '') ?? [];
    const victim = rs.at(-1);
    if (!victim) continue;
    const path = buildPath(planned, victim);
    if (!path) continue;
    await session.exchange({ op: planned.op, method: 'DELETE', path, headers: {} });
    rs.pop();
  }

  return {
    seed: o.seed,
    requests: session.requests,
    aRequests: session.aRequests,
    aSuccess: session.aSuccess,
    replays: session.replays,
    flags: session.flags,
    elapsedMs: Math.round(session.elapsed()),
    operationsCovered: [...session.covered].sort(),
  };
}

export const flagKey = (f: BaselineFlag): string => `${f.operationId} ${f.rule}`;

/** Flags on the faulty target whose operation and rule did not flag on the clean target with the same seed. */
export function differentialFlags(faulty: BaselineResult, clean: BaselineResult): BaselineFlag[] {
  const cleanKeys = new Set(clean.flags.map(flagKey));
  return faulty.flags.filter((f) => !cleanKeys.has(flagKey(f)));
}

/**
 * The embedded reference CRM for baseline sessions: one PGlite database, a server per fault
 * configuration on it, and the data reset before each session (so a seed's generated values never
 * meet an earlier session's, which a global-uniqueness fault would otherwise see).
 */
export class EmbeddedBaselineTarget {
  private constructor(private readonly db: import('../../crm/db/database.ts').Database) {}

  static async open(): Promise<EmbeddedBaselineTarget> {
    const { openDatabase } = await import('../../crm/db/open-database.ts');
    return new EmbeddedBaselineTarget(await openDatabase({}));
  }

  async run(faults: readonly string[], seed: number): Promise<BaselineResult> {
    const { startCrmOnDatabase } = await import('../../crm/server.ts');
    const crm = await startCrmOnDatabase(this.db, { faults });
    try {
      await crm.reset();
      return await runCredentialSwap({ url: crm.url, adminToken: crm.adminToken, seed });
    } finally {
      await crm.close();
    }
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
