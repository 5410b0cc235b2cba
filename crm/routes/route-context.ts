/** What a route handler gets, and what it returns. */
import type { FastifyRequest } from 'fastify';
import type { CrmComponents } from '../components.ts';
import type { Database } from '../db/database.ts';
import type { Page } from '../repositories/rows.ts';
import type { ListRequest } from '../services/paging.ts';
import type { RateLimit } from '../tenancy/rate-limiter.ts';
import type { TenantScope } from '../tenancy/tenant-scope.ts';

export interface HandlerResult {
  status: number;
  body?: unknown;
  /** A non-JSON body (export). */
  raw?: { contentType: string; text: string };
  /** Ids the request touched, when they are not visible in `body` (export). */
  recordIds?: string[];
}

export interface RouteContext {
  request: FastifyRequest;
  params: Record<string, string>;
  query: Record<string, unknown>;
  /** The validated JSON body (an empty object when the operation has none). */
  body: Record<string, unknown>;
  /** The scope of the request's own tenant. */
  scope: TenantScope;
  scopeForTenant(tenantId: string): TenantScope;
  components: CrmComponents;
  /**
   * Runs one page of a list, with the cursor decoded and the next one issued. `list` names the
   * list and its filters; a cursor is only valid for the same list.
   */
  page<T extends { id: string }>(
    list: string,
    fetch: (scope: TenantScope, request: ListRequest) => Promise<Page<T>>,
  ): Promise<HandlerResult>;
  /** Only for provisioning: the privileged database. */
  admin: { db: Database; rateLimit: RateLimit };
}

export type Handler = (ctx: RouteContext) => Promise<HandlerResult>;
