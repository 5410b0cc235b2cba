import type { TenantContext, TenantContextStore } from '../tenancy/tenant-context.ts';
import type { Fault } from './fault.ts';

/** "Simplified" context handling: the current tenant lives in a module-level variable. */
let currentTenant: TenantContext | undefined;

const moduleContextStore: TenantContextStore = {
  set(_request, context) {
    currentTenant = context;
  },
  get() {
    return currentTenant;
  },
};

/**
 * The tenant context is set at request start and read later, after awaits (connection
 * acquisition, body parsing), by which time a concurrent request may have overwritten it.
 */
export const globalContextRace: Fault = {
  name: 'global-context-race',
  description:
    'The tenant context is a module-level variable set at request start and read after an await, so concurrent requests cross.',
  install(components) {
    return { ...components, contextStore: moduleContextStore };
  },
};
