/** The public fault catalogue (README: The reference CRM; crm/README.md). All off by default. */
import type { CrmComponents, FaultContext } from '../components.ts';
import { auditMisattributed } from './audit-misattributed.ts';
import { cacheWithoutTenant } from './cache-without-tenant.ts';
import { cursorUnbound } from './cursor-unbound.ts';
import { deleteUnscoped } from './delete-unscoped.ts';
import { exportUnscoped } from './export-unscoped.ts';
import { FAULT_NAMES, UnknownFaultError, type Fault, type FaultName } from './fault.ts';
import { foreignParent } from './foreign-parent.ts';
import { getUnscoped } from './get-unscoped.ts';
import { globalContextRace } from './global-context-race.ts';
import { idempotencyGlobal } from './idempotency-global.ts';
import { listFilterPrecedence } from './list-filter-precedence.ts';
import { massAssignTenant } from './mass-assign-tenant.ts';
import { searchUnscoped } from './search-unscoped.ts';
import { sessionSetPooled } from './session-set-pooled.ts';
import { summaryUnscoped } from './summary-unscoped.ts';
import { tenantHeaderOverride } from './tenant-header-override.ts';
import { uniqueGlobal } from './unique-global.ts';
import { updateUnscoped } from './update-unscoped.ts';

export { FAULT_NAMES, UnknownFaultError, type Fault, type FaultName };

const FAULTS: Record<FaultName, Fault> = {
  'get-unscoped': getUnscoped,
  'list-filter-precedence': listFilterPrecedence,
  'update-unscoped': updateUnscoped,
  'delete-unscoped': deleteUnscoped,
  'foreign-parent': foreignParent,
  'summary-unscoped': summaryUnscoped,
  'export-unscoped': exportUnscoped,
  'search-unscoped': searchUnscoped,
  'unique-global': uniqueGlobal,
  'cache-without-tenant': cacheWithoutTenant,
  'session-set-pooled': sessionSetPooled,
  'global-context-race': globalContextRace,
  'tenant-header-override': tenantHeaderOverride,
  'mass-assign-tenant': massAssignTenant,
  'cursor-unbound': cursorUnbound,
  'idempotency-global': idempotencyGlobal,
  'audit-misattributed': auditMisattributed,
};

export const FAULT_CATALOGUE: readonly { name: FaultName; description: string }[] = FAULT_NAMES.map((name) => ({
  name,
  description: FAULTS[name].description,
}));

export function isFaultName(name: string): name is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(name);
}

/** Validates names (throws UnknownFaultError) and removes duplicates, keeping catalogue order. */
export function parseFaultNames(names: readonly string[]): FaultName[] {
  for (const name of names) if (!isFaultName(name)) throw new UnknownFaultError(name);
  return FAULT_NAMES.filter((name) => names.includes(name));
}

export function installFaults(
  components: CrmComponents,
  names: readonly FaultName[],
  context: FaultContext,
): CrmComponents {
  return names.reduce((current, name) => FAULTS[name].install(current, context), components);
}
