/**
 * The oracle registry: a one-line description per oracle (for reports, `inspect` and the control
 * mapping), and the check functions the campaign calls.
 */
import { ORACLES, type OracleName } from '../model/exchange.ts';

export { checkForeignData, foreignDataHits, type ForeignDataHit } from './foreign-data.ts';
export { checkCrossTenantAccess, type CrossTenantProbe, type CrossTenantOptions } from './cross-tenant-access.ts';
export { checkExistence, type ExistencePair, type ExistenceOptions } from './existence.ts';
export { checkModel, type ModelObservation, type ModelOracleContext, type ModelQueryKind } from './model.ts';
export {
  checkNonInterference,
  normaliseObservations,
  type NonInterferenceInput,
  type NonInterferenceOptions,
} from './non-interference.ts';
export { checkInjection, type InjectionCase, type InjectionContext, type InjectionVector } from './injection.ts';
export { checkAudit, type AuditedRequest, type TenantAuditView } from './audit.ts';
export { FingerprintScanner, type FingerprintMatch } from './scan/fingerprint-scanner.ts';
export { AhoCorasick } from './scan/aho-corasick.ts';
export {
  plantForeignValue,
  runNegativeControl,
  type NegativeControlInput,
  type NegativeControlResult,
} from './negative-control.ts';

export interface OracleInfo {
  name: OracleName;
  title: string;
  description: string;
}

export const ORACLE_INFO: Readonly<Record<OracleName, OracleInfo>> = {
  'foreign-data': {
    name: 'foreign-data',
    title: 'Foreign data',
    description:
      'No response to a tenant (status line, headers, body, error) contains a value owned by another tenant.',
  },
  'cross-tenant-access': {
    name: 'cross-tenant-access',
    title: 'Cross-tenant access',
    description:
      "Reading, updating or deleting another tenant's id fails as a missing id would, and the victim's record is unchanged.",
  },
  existence: {
    name: 'existence',
    title: 'Existence disclosure',
    description: "A response to another tenant's id is indistinguishable from one to a random missing id.",
  },
  model: {
    name: 'model',
    title: 'Model agreement',
    description: "List, count, search, aggregate and export results equal the model's view of the tenant's own data.",
  },
  'non-interference': {
    name: 'non-interference',
    title: 'Non-interference',
    description: "A tenant's observations with other tenants active equal its observations when it runs alone.",
  },
  injection: {
    name: 'injection',
    title: 'Tenant override injection',
    description:
      'Tenant overrides in headers, query or body are ignored or rejected, and what is created belongs to the caller.',
  },
  audit: {
    name: 'audit',
    title: 'Audit attribution',
    description: "Every request appears in its own tenant's audit log, and in no other tenant's.",
  },
};

export function describeOracle(name: OracleName): string {
  return ORACLE_INFO[name].description;
}

export const ALL_ORACLES: readonly OracleName[] = ORACLES;
