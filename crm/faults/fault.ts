/** The shape of one fault: a name, a one-line description, and the broken part it installs. */
import type { CrmComponents, FaultContext } from '../components.ts';

export const FAULT_NAMES = [
  'get-unscoped',
  'list-filter-precedence',
  'update-unscoped',
  'delete-unscoped',
  'foreign-parent',
  'summary-unscoped',
  'export-unscoped',
  'search-unscoped',
  'unique-global',
  'cache-without-tenant',
  'session-set-pooled',
  'global-context-race',
  'tenant-header-override',
  'mass-assign-tenant',
  'cursor-unbound',
  'idempotency-global',
  'audit-misattributed',
] as const;

export type FaultName = (typeof FAULT_NAMES)[number];

export interface Fault {
  name: FaultName;
  description: string;
  /** Returns the components with this fault's broken part swapped in. */
  install(components: CrmComponents, context: FaultContext): CrmComponents;
}

export class UnknownFaultError extends Error {
  override name = 'UnknownFaultError';
  constructor(readonly faultName: string) {
    super(`unknown fault "${faultName}"; run \`tenantproof crm --list-faults\` for the catalogue`);
  }
}
