/**
 * Step 5 of `tenantproof init`: does what it wrote work against the real target? It provisions two
 * tenants through the written module (as `run` would), checks that each credential opens a
 * tenant-owned list and that no credential is refused, that the two tenants are distinct (other
 * ids; tenant 2 does not see a record of tenant 1), and creates one record per producer operation,
 * parents first. Every check is one line: ok, warn or FAIL, what happened, and for a failure the fix.
 */
import axios, { type AxiosInstance } from 'axios';
import fc from 'fast-check';
import { schemaArbitrary } from '../generate/schema-arbitrary.ts';
import type { ApiModel, OperationInfo } from '../openapi/api-model.ts';
import { provisionTenants } from '../tenants/provision-tenants.ts';
import { selectorParts } from '../tenants/selector-parts.ts';
import type { TenantCredentials } from '../tenants/tenant-credentials.ts';
import { PROVISION_FILE } from './init-write-files.ts';

export interface CheckLine {
  status: 'ok' | 'warn' | 'FAIL';
  text: string;
  /** What to do about it (failures and warnings). */
  fix?: string;
}

export interface SmokeCheckOptions {
  model: ApiModel;
  /** DIR, where the provisioning module is. */
  dir: string;
  target: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Told each line as it is decided. */
  onLine?: (line: CheckLine) => void;
}

export interface SmokeCheckResult {
  passed: boolean;
  lines: CheckLine[];
}

type Answer = { status: number; data: unknown; text: string };

/** A request as a tenant: its headers, its `header:` selectors as headers, its `path:` selectors in the path. */
interface As {
  headers: Record<string, string>;
  pathValues: Record<string, string>;
}

function asTenant(t: TenantCredentials, headers: Readonly<Record<string, string>> = t.headers): As {
  const parts = selectorParts(t.selectors);
  return { headers: { ...parts.headers, ...headers }, pathValues: parts.pathValues };
}

function withoutCredentials(t: TenantCredentials): As {
  return asTenant(t, {});
}

const pathParams = (path: string): string[] => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);

function fill(path: string, values: Record<string, string>): string | undefined {
  let missing = false;
  const filled = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) missing = true;
    return encodeURIComponent(v ?? '');
  });
  return missing ? undefined : filled;
}

const short = (text: string): string => (text.length > 200 ? `${text.slice(0, 200)}…` : text);
const ok2xx = (status: number): boolean => status >= 200 && status < 300;

async function send(http: AxiosInstance, method: string, path: string, as: As, body?: unknown): Promise<Answer> {
  const res = await http.request({
    method,
    url: path,
    headers: as.headers,
    ...(body !== undefined ? { data: body } : {}),
    responseType: 'text',
    transformResponse: (x: unknown) => x,
  });
  const text = typeof res.data === 'string' ? res.data : '';
  let data: unknown = text;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text.
  }
  return { status: res.status, data, text };
}

/** The new record's id in a create's answer: the spec's id field (in its envelope), else `id`. */
function createdId(op: OperationInfo, data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const record = data as Record<string, unknown>;
  const field = op.produces?.idField ?? 'id';
  const envelope = op.produces?.envelope;
  const inner =
    envelope && record[envelope] && typeof record[envelope] === 'object'
      ? (record[envelope] as Record<string, unknown>)
      : record;
  const value = inner[field] ?? inner.id ?? record.id;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** A tenant-owned GET of a list whose only path parameters are the tenant's own path selectors. */
function listToCheck(model: ApiModel, t: TenantCredentials): OperationInfo | undefined {
  const selectorParams = new Set(Object.keys(asTenant(t).pathValues));
  const lists = model.operations.filter(
    (op) => op.method === 'get' && op.tenantOwned && pathParams(op.path).every((p) => selectorParams.has(p)),
  );
  return lists.find((op) => op.kind === 'collection') ?? lists[0];
}

export async function smokeCheck(options: SmokeCheckOptions): Promise<SmokeCheckResult> {
  const lines: CheckLine[] = [];
  const say = (line: CheckLine): void => {
    lines.push(line);
    options.onLine?.(line);
  };
  const done = (): SmokeCheckResult => ({ passed: lines.every((l) => l.status !== 'FAIL'), lines });

  let tenants: TenantCredentials[];
  try {
    tenants = await provisionTenants(
      { kind: 'module', path: PROVISION_FILE },
      {
        count: 2,
        baseUrl: options.target,
        cwd: options.dir,
        ...(options.env ? { env: options.env } : {}),
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      },
    );
  } catch (err) {
    say({
      status: 'FAIL',
      text: `provisioning 2 tenants: ${(err as Error).message}`,
      fix: `edit ${PROVISION_FILE} (the message names the request, and the line where there is one), then run \`tenantproof doctor\``,
    });
    return done();
  }
  const [t1, t2] = tenants as [TenantCredentials, TenantCredentials];
  say({
    status: 'ok',
    text: `provisioned 2 tenants through ${PROVISION_FILE} (${t1.label}: id ${t1.id}; ${t2.label}: id ${t2.id})`,
  });
  if (t1.id === t2.id)
    say({
      status: 'FAIL',
      text: `the two tenants have the same id ${t1.id}`,
      fix: `${PROVISION_FILE} must create a new tenant per call and return its own id (check findTenantId)`,
    });
  else say({ status: 'ok', text: 'the two tenants have different ids' });

  const http = axios.create({
    baseURL: options.target,
    timeout: options.timeoutMs ?? 10_000,
    validateStatus: () => true,
    maxRedirects: 0,
  });

  // Each credential opens a tenant-owned list; the same request without it is refused.
  const list = listToCheck(options.model, t1);
  if (!list)
    say({
      status: 'warn',
      text: 'no tenant-owned GET without record ids in its path to check the credentials on',
      fix: 'tenantproof doctor lists what a campaign can do with this spec',
    });
  else {
    const users: { who: string; tenant: TenantCredentials; headers: Readonly<Record<string, string>> }[] = [
      ...tenants.map((t) => ({ who: `${t.label}${t.role ? ` (${t.role})` : ''}`, tenant: t, headers: t.headers })),
      ...tenants.flatMap((t) =>
        (t.users ?? []).map((u) => ({ who: `${t.label} (${u.role})`, tenant: t, headers: u.headers })),
      ),
    ];
    for (const u of users) {
      const as = asTenant(u.tenant, u.headers);
      const path = fill(list.path, as.pathValues)!;
      const a = await send(http, 'GET', path, as);
      if (ok2xx(a.status)) say({ status: 'ok', text: `GET ${path} as ${u.who} answered ${a.status}` });
      else
        say({
          status: 'FAIL',
          text: `GET ${path} as ${u.who} answered ${a.status} ${short(a.text)}`,
          fix:
            a.status === 401 || a.status === 403
              ? `the credential is refused: check credentialHeaders (header name, Bearer prefix, cookie) in ${PROVISION_FILE}`
              : a.status === 404
                ? `check how the tenant is selected (the selectors: Host, path) in ${PROVISION_FILE}`
                : `the API refused a plain list: check the target URL and ${PROVISION_FILE}`,
        });
    }
    const bare = withoutCredentials(t1);
    const path = fill(list.path, bare.pathValues)!;
    const anonymous = await send(http, 'GET', path, bare);
    if (anonymous.status === 401 || anonymous.status === 403)
      say({ status: 'ok', text: `GET ${path} without credentials is refused (${anonymous.status})` });
    else
      say({
        status: 'warn',
        text: `GET ${path} without credentials answered ${anonymous.status}, not 401/403`,
        fix: 'the API may be public here, or take the tenant from something else than the credential',
      });
  }

  // One record per producer, parents first, as tenant 1.
  const created = new Map<string, { id: string; op: OperationInfo; path: string }>();
  const t1As = asTenant(t1);
  let pending = options.model.operations.filter((op) => op.produces && op.tenantOwned);
  if (pending.length === 0)
    say({
      status: 'warn',
      text: 'the spec has no tenant-owned operation that creates a record (no producer)',
      fix: 'tenantproof doctor says which operations need a response schema or x-tenantproof-produces',
    });
  let seed = 1;
  for (let progress = true; progress && pending.length > 0;) {
    progress = false;
    for (const op of [...pending]) {
      const values: Record<string, string> = { ...t1As.pathValues };
      if (op.parent) {
        const parent = created.get(op.parent.resource);
        if (parent) values[op.parent.param] = parent.id;
      }
      for (const use of op.consumes)
        if (use.in === 'path' && created.get(use.resource)) values[use.name] = created.get(use.resource)!.id;
      const path = fill(op.path, values);
      if (!path) continue;
      pending = pending.filter((p) => p !== op);
      progress = true;
      const body = bodyFor(options.model, op, created, seed++, t1.id);
      const a = await send(http, op.method.toUpperCase(), path, t1As, body);
      const id = ok2xx(a.status) ? createdId(op, a.data) : undefined;
      if (id) {
        created.set(op.produces!.resource, { id, op, path });
        say({ status: 'ok', text: `${op.method.toUpperCase()} ${path} created ${op.produces!.resource} ${id}` });
      } else if (ok2xx(a.status))
        say({
          status: 'FAIL',
          text: `${op.method.toUpperCase()} ${path} answered ${a.status} but no ${op.produces!.idField} in ${short(a.text) || 'an empty body'}`,
          fix: `say where the new id is: x-tenantproof-id-field or x-tenantproof-envelope on ${op.method.toUpperCase()} ${op.path} in the overlay`,
        });
      else if (a.status === 409 || (op.kind === 'action' && a.status === 422))
        // A state rule (convert only an accepted quote) or a taken value: the request was understood.
        say({
          status: 'warn',
          text: `${op.method.toUpperCase()} ${path} answered ${a.status} ${short(a.text)}`,
          fix: `it depends on the record's state or on a unique value, not on the request's shape; the campaign reaches it when the state allows (tenantproof doctor shows whether it is probed)`,
        });
      else
        say({
          status: 'FAIL',
          text: `${op.method.toUpperCase()} ${path} answered ${a.status} ${short(a.text)}`,
          fix:
            a.status === 401 || a.status === 403
              ? `the tenant may not create ${op.produces!.resource}: check its role, or mark the operation x-tenantproof-ignore in the overlay`
              : 'the request schema does not match what the server accepts; add an example or fix the schema in the overlay',
        });
    }
  }
  for (const op of pending)
    say({
      status: 'warn',
      text: `${op.method.toUpperCase()} ${op.path} not tried: no record to fill ${pathParams(op.path)
        .filter((p) => !(p in t1As.pathValues))
        .map((p) => `{${p}}`)
        .join(', ')}`,
      fix: 'create its parent first: tenantproof doctor says what blocks it',
    });

  // Tenant 2 does not see a record of tenant 1.
  const probe = [...created.values()].find((c) => {
    const resource = options.model.resources.find((r) => r.name === c.op.produces!.resource);
    return resource?.itemPath !== undefined;
  });
  if (probe) {
    const resource = options.model.resources.find((r) => r.name === probe.op.produces!.resource)!;
    const itemOp = options.model.operations.find((o) => o.method === 'get' && o.path === resource.itemPath);
    const t2As = asTenant(t2);
    const values: Record<string, string> = { ...t1As.pathValues };
    // The record's own path as tenant 1 made it, with tenant 2's selectors on top.
    const itemParam = pathParams(resource.itemPath!).pop()!;
    if (itemOp?.parent) {
      const parent = created.get(itemOp.parent.resource);
      if (parent) values[itemOp.parent.param] = parent.id;
    }
    values[itemParam] = probe.id;
    Object.assign(values, t2As.pathValues);
    const path = fill(resource.itemPath!, values);
    if (path && itemOp) {
      const a = await send(http, 'GET', path, t2As);
      const sees = ok2xx(a.status) && a.text.includes(probe.id);
      if (sees)
        say({
          status: 'FAIL',
          text: `${t2.label} reads ${t1.label}'s ${resource.name} ${probe.id} (GET ${path} answered ${a.status})`,
          fix: `the two tenants may be one: check that ${PROVISION_FILE} creates a new tenant per call (or this is a leak: \`tenantproof run\` will tell)`,
        });
      else
        say({
          status: 'ok',
          text: `${t2.label} does not see ${t1.label}'s ${resource.name} ${probe.id} (GET ${path} answered ${a.status}${ok2xx(a.status) ? `, without ${probe.id} in ${a.text.trim() ? 'its body' : 'an empty body'}` : ''})`,
        });
    }
  }
  return done();
}

/** A request body from the operation's schema (required properties only), with ids of records made before. */
function bodyFor(
  model: ApiModel,
  op: OperationInfo,
  created: ReadonlyMap<string, { id: string }>,
  seed: number,
  tenantId: string,
): unknown {
  if (!op.requestBody) return undefined;
  let body: unknown;
  try {
    [body] = fc.sample(schemaArbitrary(op.requestBody.schema, { resolver: model.document, optional: 'none' }), {
      seed,
      numRuns: 1,
    });
  } catch {
    body = {};
  }
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    // A body field that names the tenant carries the tenant's own id (a generated one is refused).
    for (const field of op.tenantFields ?? [])
      if (field.in === 'body' && field.name in body) (body as Record<string, unknown>)[field.name] = tenantId;
    for (const use of op.consumes)
      if (use.in === 'body' && !use.name.includes('.') && !use.name.includes('[') && created.get(use.resource))
        (body as Record<string, unknown>)[use.name] = use.many
          ? [created.get(use.resource)!.id]
          : created.get(use.resource)!.id;
  }
  return body;
}
