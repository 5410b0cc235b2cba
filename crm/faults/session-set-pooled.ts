import { JOB_SELECT, toJob } from '../repositories/jobs.ts';
import { assertScheduleWindow } from '../services/jobs.ts';
import type { Fault } from './fault.ts';

/**
 * The tenant context is set with a session-level `set_config(…, false)` (i.e. `SET`, not
 * `SET LOCAL`), so it outlives the transaction on a pooled connection. GET /v1/schedule "relies
 * on RLS": it drops to crm_app but neither sets the context nor filters, so it runs with whatever
 * tenant that connection served last.
 */
export const sessionSetPooled: Fault = {
  name: 'session-set-pooled',
  description:
    'Tenant context is set per session on pooled connections; GET /v1/schedule forgets to set it and relies on RLS.',
  install(components, { privileged }) {
    return {
      ...components,
      contextLifetime: 'session',
      jobs: {
        ...components.jobs,
        async schedule(_scope, window) {
          assertScheduleWindow(window);
          const rows = await privileged.transaction(async (sql) => {
            await sql.query('SET LOCAL ROLE crm_app');
            return sql.query(
              `${JOB_SELECT} WHERE j.scheduled_start < $2 AND j.scheduled_end > $1 AND ($3::text IS NULL OR j.assigned_to = $3)
               ORDER BY j.scheduled_start, j.seq LIMIT 1000`,
              [window.from, window.to, window.assignedTo ?? null],
            );
          });
          return rows.map(toJob);
        },
      },
    };
  },
};
