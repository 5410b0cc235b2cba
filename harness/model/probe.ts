/**
 * The probe vocabulary, one for the whole harness: spec analysis says which probes apply to an
 * operation, commands build steps for them, the oracles say which probes they judge, and `inspect`
 * prints the same names. A probe is a kind of request; an oracle is a rule about what its answer
 * may show.
 */
export const PROBE_NAMES = [
  'own-call',
  'list-own',
  'cross-tenant-read',
  'cross-tenant-update',
  'cross-tenant-delete',
  'cross-tenant-action',
  'foreign-reference',
  'foreign-cursor',
  'foreign-idempotency-key',
  'foreign-unique-value',
  'canary-search',
  'aggregate-check',
  'export-check',
  'audit-check',
  'header-injection',
  'query-injection',
  'body-injection',
  'path-injection',
  'interleaved',
] as const;
export type ProbeName = (typeof PROBE_NAMES)[number];

/** Probes a single step carries (`step.probe`): a tenant naming another's data, or overriding its tenant. */
export const STEP_PROBES = [
  'cross-tenant-read',
  'cross-tenant-update',
  'cross-tenant-delete',
  'cross-tenant-action',
  'foreign-reference',
  'foreign-cursor',
  'foreign-idempotency-key',
  'foreign-unique-value',
  'canary-search',
  'header-injection',
  'query-injection',
  'body-injection',
  'path-injection',
] as const satisfies readonly ProbeName[];
export type StepProbe = (typeof STEP_PROBES)[number];

export const PROBE_DESCRIPTIONS: Readonly<Record<ProbeName, string>> = {
  'own-call': 'the tenant calls the operation on its own data',
  'list-own': 'list as the tenant; exactly its own records come back',
  'cross-tenant-read': "read another tenant's record by id",
  'cross-tenant-update': "update another tenant's record by id; it must stay unchanged",
  'cross-tenant-delete': "delete another tenant's record by id; it must still exist",
  'cross-tenant-action': "run an action on another tenant's record",
  'foreign-reference': "name another tenant's id in a path or body field of the tenant's own create",
  'foreign-cursor': "replay another tenant's pagination cursor",
  'foreign-idempotency-key': "reuse another tenant's idempotency key",
  'foreign-unique-value':
    "create with another tenant's unique value (e.g. email); a conflict must not reveal the other record",
  'canary-search': "search for the tenant's own and another tenant's canary",
  'aggregate-check': "counts and totals equal the model's view of the tenant's own data",
  'export-check': "the export holds exactly the tenant's own records",
  'audit-check': 'every request appears in the audit log of its own tenant and no other',
  'header-injection': 'send X-Tenant-Id (and similar) headers naming another tenant',
  'query-injection': 'send tenant_id / tenantId query parameters naming another tenant',
  'body-injection': 'send tenantId / tenant_id body fields naming another tenant',
  'path-injection': "put another tenant's id in the tenant prefix of the path (`/orgs/{orgId}/…`)",
  interleaved: "run in concurrent batches with other tenants' requests",
};

/** Probes that aim at one of the victim's records by id. */
export const CROSS_TENANT_PROBES: readonly StepProbe[] = [
  'cross-tenant-read',
  'cross-tenant-update',
  'cross-tenant-delete',
  'cross-tenant-action',
];

/** Probes that override the caller's tenant. */
export const INJECTION_PROBES: readonly StepProbe[] = [
  'header-injection',
  'query-injection',
  'body-injection',
  'path-injection',
];

/** The probe a step exercises: its own `probe`, else the one its action stands for. */
export function probeOf(step: { probe?: StepProbe | undefined; action: string }): ProbeName {
  if (step.probe) return step.probe;
  switch (step.action) {
    case 'list':
      return 'list-own';
    case 'search':
      return 'canary-search';
    case 'aggregate':
      return 'aggregate-check';
    case 'export':
      return 'export-check';
    case 'audit':
      return 'audit-check';
    default:
      return 'own-call';
  }
}

/** Probe names of counterexample files written before the vocabulary was unified. */
export const LEGACY_PROBE_NAMES: Readonly<Record<string, StepProbe>> = {
  'foreign-read': 'cross-tenant-read',
  'foreign-update': 'cross-tenant-update',
  'foreign-delete': 'cross-tenant-delete',
  'foreign-action': 'cross-tenant-action',
  'foreign-search': 'canary-search',
  'inject-header': 'header-injection',
  'inject-query': 'query-injection',
  'inject-body': 'body-injection',
};
