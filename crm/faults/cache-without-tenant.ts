import type { Fault } from './fault.ts';

/** The response cache for search and the summary is keyed by method and URL, not by tenant. */
export const cacheWithoutTenant: Fault = {
  name: 'cache-without-tenant',
  description: 'The short-TTL response cache for search and the report summary is keyed by method + URL only.',
  install(components) {
    return { ...components, responseCacheKey: ({ method, url }) => `${method} ${url}` };
  },
};
