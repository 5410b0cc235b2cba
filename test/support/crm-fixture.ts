/**
 * Helpers for everyone's tests against the reference CRM: provisioning tenants, a tiny HTTP
 * client, and the backends to run on (PGlite always; PostgreSQL when TEST_DATABASE_URL is set).
 */
import type { Database } from '../../crm/db/database.ts';
import { openDatabase } from '../../crm/db/open-database.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../crm/db/scratch-database.ts';
import { startCrmOnDatabase, type RunningCrm, type StartCrmOptions } from '../../crm/server.ts';

export interface ProvisionedTenant {
  tenantId: string;
  apiKey: string;
  name: string;
}

let tenantCounter = 0;

export class CrmFixtureError extends Error {
  override name = 'CrmFixtureError';
}

export async function createTenant(crm: RunningCrm, name?: string): Promise<ProvisionedTenant> {
  const tenantName = name ?? `tenant-${++tenantCounter}-${Math.random().toString(36).slice(2, 8)}`;
  const response = await fetch(`${crm.url}/v1/tenants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-admin-token': crm.adminToken },
    body: JSON.stringify({ name: tenantName }),
  });
  if (response.status !== 201)
    throw new CrmFixtureError(`createTenant failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { tenant: { id: string; name: string }; apiKey: string };
  return { tenantId: body.tenant.id, apiKey: body.apiKey, name: body.tenant.name };
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is (no JSON encoding). */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** A minimal client bound to one API key (or none). */
export function api(crm: { url: string }, apiKey?: string) {
  return async function request<T = any>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience: callers index into bodies freely
    const headers: Record<string, string> = { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) };
    let payload: string | undefined;
    if (options.rawBody !== undefined) payload = options.rawBody;
    else if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    Object.assign(headers, options.headers);
    const response = await fetch(`${crm.url}${path}`, {
      method,
      headers,
      ...(payload !== undefined ? { body: payload } : {}),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, text, body: body as T };
  };
}

export type ApiClient = ReturnType<typeof api>;

export interface Backend {
  name: 'pglite' | 'postgres';
  /** Base PostgreSQL URL (postgres only). */
  url?: string;
}

/** PGlite always, PostgreSQL when TEST_DATABASE_URL is set; use with describe.each + skipIf. */
export function backends(): Backend[] {
  const url = process.env.TEST_DATABASE_URL;
  return [{ name: 'pglite' }, url ? { name: 'postgres', url } : { name: 'postgres' }];
}

export function backendAvailable(backend: Backend): boolean {
  return backend.name === 'pglite' || Boolean(backend.url);
}

/**
 * One database per test file: PGlite in-process, or a fresh `tp_<random>` PostgreSQL database.
 * Start as many servers on it as needed (one per fault configuration) with `start()`.
 */
export interface TestDatabase {
  db: Database;
  start(options?: Omit<StartCrmOptions, 'databaseUrl' | 'poolSize'>): Promise<RunningCrm>;
  close(): Promise<void>;
}

export async function openTestDatabase(backend: Backend, options: { poolSize?: number } = {}): Promise<TestDatabase> {
  let scratch: ScratchDatabase | undefined;
  if (backend.name === 'postgres') {
    if (!backend.url) throw new CrmFixtureError('TEST_DATABASE_URL is not set');
    scratch = await createScratchDatabase(backend.url);
  }
  const db = await openDatabase({ ...(scratch ? { databaseUrl: scratch.url } : {}), poolSize: options.poolSize ?? 10 });
  const servers: RunningCrm[] = [];
  return {
    db,
    async start(startOptions = {}) {
      const crm = await startCrmOnDatabase(db, { faults: [], ...startOptions });
      servers.push(crm);
      return crm;
    },
    async close() {
      for (const server of servers) await server.close();
      await db.close();
      await scratch?.drop();
    },
  };
}
