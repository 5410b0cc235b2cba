import { NotFoundError } from '../http/errors.ts';
import { insertJob } from '../repositories/jobs.ts';
import { assertJobWindow } from '../services/jobs.ts';
import type { Fault } from './fault.ts';

/**
 * The classic ORM bug: POST /v1/jobs loads the parent customer by id alone (privileged unit of
 * work) and the child "inherits" tenant_id from its parent. A foreign customerId therefore
 * yields a job in the other tenant, and the 201 shows that tenant's customer name.
 */
export const foreignParent: Fault = {
  name: 'foreign-parent',
  description:
    "POST /v1/jobs loads the parent customer by id alone and copies the parent's tenant_id onto the new job.",
  install(components, { privileged }) {
    return {
      ...components,
      jobs: {
        ...components.jobs,
        async create(_scope, input) {
          assertJobWindow(input.scheduledStart, input.scheduledEnd);
          return privileged.transaction(async (sql) => {
            const parent = (
              await sql.query<{ id: string; tenant_id: string }>('SELECT id, tenant_id FROM customers WHERE id = $1', [
                input.customerId,
              ])
            )[0];
            if (!parent) throw new NotFoundError('customer');
            return insertJob(sql, parent.tenant_id, input);
          });
        },
      },
    };
  },
};
