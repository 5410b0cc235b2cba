import { exportRows } from '../repositories/insights.ts';
import type { Fault } from './fault.ts';

/** Bulk export streams from the privileged "bulk" connection and forgets the tenant predicate. */
export const exportUnscoped: Fault = {
  name: 'export-unscoped',
  description: 'GET /v1/export reads from the privileged bulk connection without the tenant predicate.',
  install(components, { privileged }) {
    return {
      ...components,
      insights: {
        ...components.insights,
        exportRows: (_scope, resource) => exportRows(privileged, resource, { predicate: () => 'true', params: [] }),
      },
    };
  },
};
