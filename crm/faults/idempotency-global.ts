import type { Fault } from './fault.ts';

/**
 * The idempotency lookup was moved to the shared "infra" connection (privileged) and is keyed by
 * the Idempotency-Key alone, so another tenant's same key + same body replays the first
 * tenant's stored response.
 */
export const idempotencyGlobal: Fault = {
  name: 'idempotency-global',
  description: "Idempotency keys are looked up by key alone, so a replay can return another tenant's stored response.",
  install(components, { privileged }) {
    return {
      ...components,
      idempotency: {
        ...components.idempotency,
        async recall(_scope, key) {
          const rows = await privileged.query<{ request_hash: string; status: number; body: string }>(
            'SELECT request_hash, status, body FROM idempotency_keys WHERE key = $1 AND status IS NOT NULL ORDER BY created_at LIMIT 1',
            [key],
          );
          const row = rows[0];
          return row ? { requestHash: row.request_hash, status: Number(row.status), body: row.body } : undefined;
        },
      },
    };
  },
};
