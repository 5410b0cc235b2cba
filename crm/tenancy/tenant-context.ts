/** Who the request acts for. Set once from the API key; read by every tenant-scoped operation. */
import type { FastifyRequest } from 'fastify';

export interface TenantContext {
  readonly tenantId: string;
  readonly tenantName: string;
}

/** Holds the tenant context of a request. The clean store keeps it on the request object itself. */
export interface TenantContextStore {
  set(request: FastifyRequest, context: TenantContext): void;
  get(request: FastifyRequest): TenantContext | undefined;
}

const CONTEXT = Symbol('tenantContext');
type WithContext = FastifyRequest & { [CONTEXT]?: TenantContext };

export const requestScopedContextStore: TenantContextStore = {
  set(request, context) {
    (request as WithContext)[CONTEXT] = context;
  },
  get(request) {
    return (request as WithContext)[CONTEXT];
  },
};
