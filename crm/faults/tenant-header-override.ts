import type { Fault } from './fault.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A support/debug `X-Tenant-Id` header, meant for staff impersonation, is honoured for everyone. */
export const tenantHeaderOverride: Fault = {
  name: 'tenant-header-override',
  description: "A debug `X-Tenant-Id` header is honoured and replaces the API key's tenant.",
  install(components) {
    return {
      ...components,
      resolveRequestTenant(request, credential) {
        const override = request.headers['x-tenant-id'];
        if (typeof override === 'string' && UUID.test(override))
          return { tenantId: override.toLowerCase(), tenantName: credential.tenantName };
        return credential;
      },
    };
  },
};
