import { NotFoundError } from '../http/errors.ts';
import { CUSTOMER_COLUMNS, toCustomer } from '../repositories/customers.ts';
import type { Fault } from './fault.ts';

/**
 * GET /v1/customers/{id} goes through a read-through "customer loader" that batches lookups on
 * the privileged replica connection and is keyed by id alone. The owner connection bypasses RLS,
 * and the loader's `WHERE id = $1` has no tenant predicate.
 */
export const getUnscoped: Fault = {
  name: 'get-unscoped',
  description:
    'GET /v1/customers/{id} reads through an id-keyed loader on the privileged connection (no tenant predicate, RLS bypassed).',
  install(components, { privileged }) {
    const loadCustomer = async (id: string) =>
      (await privileged.query(`SELECT ${CUSTOMER_COLUMNS} FROM customers c WHERE c.id = $1`, [id]))[0];
    return {
      ...components,
      customers: {
        ...components.customers,
        async get(_scope, id) {
          const row = await loadCustomer(id);
          if (!row) throw new NotFoundError('customer');
          return toCustomer(row);
        },
      },
    };
  },
};
