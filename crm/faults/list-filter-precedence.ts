import { CUSTOMER_COLUMNS, toCustomer } from '../repositories/customers.ts';
import { int, likePattern, toPage } from '../repositories/rows.ts';
import type { Fault } from './fault.ts';

/**
 * The customer list with `q` was moved to the reporting replica (the privileged connection)
 * for speed, and its hand-written WHERE lost the parentheses around the OR:
 * `tenant_id = $1 AND … AND name ILIKE $4 OR email ILIKE $4` matches every tenant's emails.
 */
export const listFilterPrecedence: Fault = {
  name: 'list-filter-precedence',
  description:
    'GET /v1/customers?q= runs on the replica connection with `tenant_id = $1 AND name ILIKE $q OR email ILIKE $q` (missing parentheses).',
  install(components, { privileged }) {
    const clean = components.customers.list;
    return {
      ...components,
      customers: {
        ...components.customers,
        async list(scope, request) {
          if (request.q === undefined) return clean(scope, request);
          const rows = await privileged.query(
            `SELECT ${CUSTOMER_COLUMNS} FROM customers c
             WHERE c.tenant_id = $1 AND c.seq < $2 AND c.name ILIKE $4 ESCAPE '\\' OR c.email ILIKE $4 ESCAPE '\\'
             ORDER BY c.seq DESC LIMIT $3`,
            [scope.tenantId, request.after ?? Number.MAX_SAFE_INTEGER, request.limit + 1, likePattern(request.q)],
          );
          const page = toPage(
            rows.map((r) => ({ ...toCustomer(r), seq: int(r.seq) })),
            request.limit,
          );
          return { items: page.items.map(({ seq: _seq, ...customer }) => customer), nextPosition: page.nextPosition };
        },
      },
    };
  },
};
