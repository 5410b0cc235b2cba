import { NotFoundError } from '../http/errors.ts';
import { CUSTOMER_COLUMNS, CUSTOMER_PATCH_COLUMNS, toCustomer } from '../repositories/customers.ts';
import { setClause } from '../repositories/rows.ts';
import { emailConflict, rethrowUniqueEmail } from '../services/customers.ts';
import type { Fault } from './fault.ts';

/**
 * PATCH /v1/customers/{id} was rewritten as a single `UPDATE … WHERE id = $1 RETURNING *` on the
 * privileged connection ("one round trip instead of two"), dropping both the tenant predicate
 * and RLS.
 */
export const updateUnscoped: Fault = {
  name: 'update-unscoped',
  description: 'PATCH /v1/customers/{id} runs `UPDATE customers … WHERE id = $1` on the privileged connection.',
  install(components, { privileged }) {
    return {
      ...components,
      customers: {
        ...components.customers,
        async update(scope, id, patch) {
          if (patch.email !== undefined) {
            const owner = await components.customers.findEmailOwner(scope, patch.email, id);
            if (owner) throw emailConflict(owner);
          }
          const set = setClause(patch, CUSTOMER_PATCH_COLUMNS, 2);
          const rows = await privileged
            .query(`UPDATE customers c SET ${set.sql} WHERE c.id = $1 RETURNING ${CUSTOMER_COLUMNS}`, [
              id,
              ...set.params,
            ])
            .catch(rethrowUniqueEmail);
          if (!rows[0]) throw new NotFoundError('customer');
          return toCustomer(rows[0]);
        },
      },
    };
  },
};
