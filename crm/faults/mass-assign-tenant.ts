import type { JsonSchema } from '../spec/load-spec.ts';
import type { Fault } from './fault.ts';

const CREATE_OPERATIONS = new Set([
  'createCustomer',
  'createCustomerNote',
  'createJob',
  'createQuote',
  'createInvoice',
]);

/**
 * For a bulk-import tool, create bodies were allowed an internal `tenantId` property, and the
 * create then runs in that tenant's context, instead of the 400 for an unknown property.
 */
export const massAssignTenant: Fault = {
  name: 'mass-assign-tenant',
  description: 'A `tenantId` in a create body is accepted and the create runs in that tenant.',
  install(components) {
    return {
      ...components,
      requestBodySchema(operationId, schema) {
        const base = components.requestBodySchema(operationId, schema);
        if (!CREATE_OPERATIONS.has(operationId)) return base;
        const properties = (base.properties ?? {}) as JsonSchema;
        return { ...base, properties: { ...properties, tenantId: { type: 'string', format: 'uuid' } } };
      },
      beforeHandler(request, store) {
        components.beforeHandler(request, store);
        const body = request.body as { tenantId?: unknown } | undefined;
        if (body && typeof body === 'object' && typeof body.tenantId === 'string') {
          store.set(request, { tenantId: body.tenantId.toLowerCase(), tenantName: '' });
          delete body.tenantId;
        }
      },
    };
  },
};
