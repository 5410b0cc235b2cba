/**
 * An in-memory, tenant-aware, stateful model of the reference CRM. It speaks plain requests and
 * responses (see handlers.ts for the msw adapter) and follows the real server's pipeline: route →
 * credentials → rate limit → validation → idempotency → business rules → audit event, with the same
 * problem+json errors. Every API key maps to exactly one tenant's TenantData.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { operations, type OperationId } from '../generated/operations.ts';
import { querySchemas } from '../generated/params.ts';
import { schemas, type SchemaName } from '../generated/zod.ts';
import { CursorCodec } from './cursor.ts';
import { FakeProblem, problems, type FieldError } from './problems.ts';
import { ROUTES, type RouteContext, type RouteResult } from './routes.ts';
import { TenantData } from './tenant-data.ts';

export const DEFAULT_FAKE_ADMIN_TOKEN = 'fake-admin-token';
export const BODY_LIMIT_BYTES = 256 * 1024;

export interface FakeRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface FakeResponse {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

export interface FakeCrmOptions {
  /** The X-Admin-Token that `POST /v1/tenants` requires. Default `fake-admin-token`. */
  adminToken?: string;
  /** Per-tenant token bucket; default as the CRM (200 rps, burst 400). */
  rateLimit?: { requestsPerSecond: number; burst: number };
}

export interface FakeTenant {
  tenantId: string;
  apiKey: string;
  name: string;
}

/** A scripted failure, for testing an integration's retry and error handling. */
export interface InjectedFault {
  status: number;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Only this operation (default: any). */
  operationId?: OperationId;
  /** Adds a Retry-After header (seconds). */
  retryAfterSeconds?: number;
}

interface CompiledRoute {
  operationId: OperationId;
  method: string;
  pattern: RegExp;
  params: string[];
  /** The route template as the audit log shows it, e.g. `/v1/customers/:customerId`. */
  template: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function compileRoutes(): CompiledRoute[] {
  return Object.values(operations).map((op) => {
    const params: string[] = [];
    const pattern = new RegExp(
      `^${op.path.replace(/\{([^}]+)\}/g, (_, name: string) => (params.push(name), '([^/]+)'))}/?$`,
    );
    return {
      operationId: op.operationId,
      method: op.method.toUpperCase(),
      pattern,
      params,
      template: op.path.replace(/\{([^}]+)\}/g, ':$1'),
    };
  });
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: `/${issue.path.map(String).join('/')}`.replace(/\/$/, '') || '/',
    message: issue.message,
  }));
}

/** The ids a response shows, as the CRM collects them for the audit event. */
function collectRecordIds(...sources: unknown[]): string[] {
  const ids = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > 3 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    for (const [key, field] of Object.entries(value)) {
      if ((key === 'id' || key.endsWith('Id')) && typeof field === 'string' && UUID.test(field) && key !== 'tenantId')
        ids.add(field.toLowerCase());
      else if (key === 'data' || key === 'tenant') visit(field, depth + 1);
    }
  };
  for (const source of sources) visit(source, 0);
  return [...ids].slice(0, 200);
}

export class FakeCrm {
  readonly adminToken: string;
  readonly rateLimit: { requestsPerSecond: number; burst: number };
  private readonly routes = compileRoutes();
  private readonly tenants = new Map<string, TenantData>();
  private readonly apiKeys = new Map<string, string>();
  private readonly adminReplays = new Map<string, { hash: string; status: number; body: string }>();
  private readonly buckets = new Map<string, { tokens: number; updated: number }>();
  private readonly cursors = new CursorCodec();
  private faults: Array<Required<Pick<InjectedFault, 'status' | 'times'>> & InjectedFault> = [];
  private seq = 0;

  constructor(options: FakeCrmOptions = {}) {
    this.adminToken = options.adminToken ?? DEFAULT_FAKE_ADMIN_TOKEN;
    this.rateLimit = options.rateLimit ?? { requestsPerSecond: 200, burst: 400 };
  }

  /** Provisions a tenant directly (no HTTP) and returns its API key. */
  createTenant(name = 'Fake tenant'): FakeTenant {
    const tenantId = randomUUID();
    const apiKey = `tpk_${randomBytes(24).toString('base64url')}`;
    const data = new TenantData(tenantId, name, () => ++this.seq);
    this.tenants.set(tenantId, data);
    this.apiKeys.set(apiKey, tenantId);
    return { tenantId, apiKey, name };
  }

  /** A tenant's records, for seeding and assertions in tests. */
  tenant(tenantId: string): TenantData {
    const data = this.tenants.get(tenantId);
    if (!data) throw new Error(`no fake tenant ${tenantId}`);
    return data;
  }

  /** Forgets every tenant, key, record and fault. */
  reset(): void {
    this.tenants.clear();
    this.apiKeys.clear();
    this.adminReplays.clear();
    this.buckets.clear();
    this.faults = [];
  }

  /** The next matching request(s) fail with `status` (a problem+json like the CRM's). */
  injectFault(fault: InjectedFault): void {
    this.faults.push({ times: 1, ...fault });
  }

  handle(request: FakeRequest): FakeResponse {
    const requestId = `req_${randomUUID()}`;
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const url = new URL(request.url, 'http://fake.invalid');
    const method = request.method.toUpperCase();
    let tenant: TenantData | undefined;
    let route: CompiledRoute | undefined;
    let recordIds: string[] = [];
    let response: FakeResponse;
    try {
      const matches = this.routes.filter((r) => r.pattern.test(url.pathname));
      route = matches.find((r) => r.method === method);
      if (!route)
        throw matches.length > 0
          ? problems.methodNotAllowed([...new Set(matches.map((r) => r.method))])
          : problems.routeNotFound();
      const params: Record<string, string> = {};
      const m = route.pattern.exec(url.pathname)!;
      route.params.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      tenant = this.authenticate(route.operationId, headers);
      this.takeToken(tenant ? `tenant:${tenant.tenantId}` : 'admin');
      this.applyFault(route.operationId);
      const query = this.validateQuery(route.operationId, url.searchParams);
      this.validateParams(params);
      const body = this.parseBody(route.operationId, method, headers, request.body);
      const result = this.runWithIdempotency(route, tenant, headers, params, query, body);
      recordIds = collectRecordIds(
        params,
        result.body,
        ...(result.recordIds ? [{ data: result.recordIds.map((id) => ({ id })) }] : []),
      );
      response = this.toResponse(result);
    } catch (error) {
      const problem = error instanceof FakeProblem ? error : problems.internal();
      response = {
        status: problem.status,
        headers: { 'content-type': 'application/problem+json', ...lower(problem.headers) },
        body: JSON.stringify(problem.toBody(requestId)),
      };
      recordIds = route && tenant ? collectRecordIds(paramsOf(route, url.pathname)) : [];
    }
    response.headers['x-request-id'] = requestId;
    if (tenant && route)
      tenant.recordAudit({ requestId, method, route: route.template, status: response.status, recordIds });
    return response;
  }

  private authenticate(operationId: OperationId, headers: Record<string, string>): TenantData | undefined {
    if (operationId === 'createTenant') {
      if (headers['x-admin-token'] !== this.adminToken) throw problems.unauthorized('Missing or invalid admin token.');
      return undefined;
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
    const tenantId = match ? this.apiKeys.get(match[1]!) : undefined;
    if (!tenantId) throw problems.unauthorized();
    return this.tenants.get(tenantId);
  }

  private takeToken(key: string): void {
    const now = performance.now();
    const { requestsPerSecond, burst } = this.rateLimit;
    const bucket = this.buckets.get(key) ?? { tokens: burst, updated: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updated) / 1000) * requestsPerSecond);
    bucket.updated = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) throw problems.rateLimited(Math.max(1, Math.ceil((1 - bucket.tokens) / requestsPerSecond)));
    bucket.tokens -= 1;
  }

  private applyFault(operationId: OperationId): void {
    const fault = this.faults.find(
      (f) => f.times > 0 && (f.operationId === undefined || f.operationId === operationId),
    );
    if (!fault) return;
    fault.times--;
    this.faults = this.faults.filter((f) => f.times > 0);
    const p =
      fault.status === 429
        ? problems.rateLimited(fault.retryAfterSeconds ?? 1)
        : fault.status >= 500
          ? problems.internal(fault.status)
          : problems.injected(fault.status);
    if (fault.retryAfterSeconds !== undefined) p.headers['Retry-After'] = String(fault.retryAfterSeconds);
    throw p;
  }

  private validateParams(params: Record<string, string>): void {
    for (const [name, value] of Object.entries(params)) {
      if (!UUID.test(value))
        throw problems.validation(`params/${name} must match format "uuid"`, [
          { path: `/${name}`, message: 'must match format "uuid"' },
        ]);
    }
  }

  private validateQuery(operationId: OperationId, search: URLSearchParams): Record<string, unknown> {
    const raw: Record<string, string> = {};
    for (const [k, v] of search) raw[k] = v;
    const parsed = querySchemas[operationId].safeParse(raw);
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error);
      throw problems.validation(`querystring${errors[0]!.path} ${errors[0]!.message}`, errors);
    }
    return parsed.data as Record<string, unknown>;
  }

  private parseBody(operationId: OperationId, method: string, headers: Record<string, string>, text: string): unknown {
    if (method !== 'POST' && method !== 'PATCH' && method !== 'PUT') return undefined;
    const op = operations[operationId];
    if (Buffer.byteLength(text) > BODY_LIMIT_BYTES)
      throw problems.payloadTooLarge(`The body exceeds ${BODY_LIMIT_BYTES} bytes.`);
    const contentType = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (text.length > 0 && contentType !== 'application/json') throw problems.unsupportedMediaType();
    let body: unknown;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        throw problems.validation('The body is not valid JSON.', [{ path: '/', message: 'is not valid JSON' }]);
      }
    }
    if (!op.requestSchema) return body;
    if (body === undefined && !op.requestRequired) return undefined;
    const schema = schemas[op.requestSchema as SchemaName] as z.ZodType<unknown>;
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error);
      throw problems.validation(`body${errors[0]!.path === '/' ? '' : errors[0]!.path} ${errors[0]!.message}`, errors);
    }
    return body;
  }

  private runWithIdempotency(
    route: CompiledRoute,
    tenant: TenantData | undefined,
    headers: Record<string, string>,
    params: Record<string, string>,
    query: Record<string, unknown>,
    body: unknown,
  ): RouteResult {
    const key = route.method === 'POST' ? headers['idempotency-key'] : undefined;
    const run = () => ROUTES[route.operationId](this.context(tenant, params, query, body, route));
    if (key === undefined) return run();
    const hash = createHash('sha256')
      .update(canonicalJson([route.method, route.template, params, body ?? null]))
      .digest('hex');
    const store = tenant ? tenant.idempotency : this.adminReplays;
    const stored = store.get(key);
    if (stored) {
      if (stored.hash !== hash) throw problems.idempotencyKeyReused();
      return { status: stored.status, body: JSON.parse(stored.body) as unknown, replayed: true };
    }
    const result = run();
    if (result.status >= 200 && result.status < 300)
      store.set(key, { hash, status: result.status, body: JSON.stringify(result.body) });
    return result;
  }

  private context(
    tenant: TenantData | undefined,
    params: Record<string, string>,
    query: Record<string, unknown>,
    body: unknown,
    route: CompiledRoute,
  ): RouteContext {
    return {
      params,
      query,
      body,
      fake: this,
      get tenant(): TenantData {
        if (!tenant) throw problems.unauthorized();
        return tenant;
      },
      page: (list, fetch) => {
        const t = tenant!;
        const limit = typeof query.limit === 'number' ? query.limit : 20;
        const after = typeof query.cursor === 'string' ? this.cursors.decode(query.cursor, t.tenantId, list) : null;
        const result = fetch({ limit, after });
        const nextCursor =
          result.nextPosition === null ? null : this.cursors.encode(result.nextPosition, t.tenantId, list);
        return { status: 200, body: { data: result.items.map(({ seq: _seq, ...rest }) => rest), nextCursor } };
      },
      operationId: route.operationId,
    };
  }

  private toResponse(result: RouteResult): FakeResponse {
    const headers: Record<string, string> = {};
    if (result.replayed) headers['idempotent-replayed'] = 'true';
    if (result.raw)
      return {
        status: result.status,
        headers: { ...headers, 'content-type': result.raw.contentType },
        body: result.raw.text,
      };
    if (result.status === 204) return { status: 204, headers, body: null };
    return {
      status: result.status,
      headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(result.body),
    };
  }
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function paramsOf(route: CompiledRoute, pathname: string): Record<string, string> {
  const m = route.pattern.exec(pathname);
  const out: Record<string, string> = {};
  if (m) route.params.forEach((name, i) => (out[name] = m[i + 1]!));
  return out;
}
