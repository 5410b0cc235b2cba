import type { Fault } from './fault.ts';

/**
 * The email-uniqueness pre-check runs on the privileged connection over all customers, so it is
 * global; and the 409 names the existing customer, which may belong to another tenant.
 */
export const uniqueGlobal: Fault = {
  name: 'unique-global',
  description:
    "Customer email uniqueness is checked across all tenants, and the 409 names the other tenant's customer.",
  install(components, { privileged }) {
    return {
      ...components,
      customers: {
        ...components.customers,
        async findEmailOwner(_scope, email, exceptId) {
          const rows = await privileged.query<{ id: string; name: string }>(
            'SELECT id, name FROM customers WHERE lower(email) = lower($1) AND id IS DISTINCT FROM $2::uuid LIMIT 1',
            [email, exceptId ?? null],
          );
          return rows[0];
        },
      },
    };
  },
};
