import { NotFoundError } from '../http/errors.ts';
import type { Fault } from './fault.ts';

/** DELETE /v1/jobs/{id} runs `DELETE FROM jobs WHERE id = $1` on the privileged connection. */
export const deleteUnscoped: Fault = {
  name: 'delete-unscoped',
  description: 'DELETE /v1/jobs/{id} runs `DELETE FROM jobs WHERE id = $1` on the privileged connection.',
  install(components, { privileged }) {
    return {
      ...components,
      jobs: {
        ...components.jobs,
        async remove(_scope, id) {
          const rows = await privileged.query('DELETE FROM jobs WHERE id = $1 RETURNING id', [id]);
          if (rows.length === 0) throw new NotFoundError('job');
        },
      },
    };
  },
};
