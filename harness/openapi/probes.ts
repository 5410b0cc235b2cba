/**
 * The probes the campaign runs, the oracles that judge each, and which probes apply to an
 * operation. A probe is a kind of request; an oracle is a rule about what its response may show.
 */
import { ORACLES, type OracleName } from '../model/exchange.ts';
import type { OperationInfo } from './api-model.ts';

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
  'interleaved',
] as const;
export type ProbeName = (typeof PROBE_NAMES)[number];

export interface ProbeDefinition {
  description: string;
  oracles: readonly OracleName[];
}

export const PROBES: Record<ProbeName, ProbeDefinition> = {
  'own-call': { description: 'the tenant calls the operation on its own data', oracles: ['foreign-data', 'model'] },
  'list-own': {
    description: 'list as the tenant; exactly its own records come back',
    oracles: ['foreign-data', 'model'],
  },
  'cross-tenant-read': {
    description: "read another tenant's record by id",
    oracles: ['cross-tenant-access', 'existence', 'foreign-data'],
  },
  'cross-tenant-update': {
    description: "update another tenant's record by id; it must stay unchanged",
    oracles: ['cross-tenant-access', 'existence', 'foreign-data'],
  },
  'cross-tenant-delete': {
    description: "delete another tenant's record by id; it must still exist",
    oracles: ['cross-tenant-access', 'existence'],
  },
  'cross-tenant-action': {
    description: "run an action on another tenant's record",
    oracles: ['cross-tenant-access', 'existence', 'foreign-data'],
  },
  'foreign-reference': {
    description: "name another tenant's id in a path, query or body field of the tenant's own request",
    oracles: ['cross-tenant-access', 'existence', 'foreign-data'],
  },
  'foreign-cursor': {
    description: "replay another tenant's pagination cursor",
    oracles: ['foreign-data', 'cross-tenant-access'],
  },
  'foreign-idempotency-key': {
    description: "reuse another tenant's idempotency key",
    oracles: ['foreign-data', 'cross-tenant-access'],
  },
  'foreign-unique-value': {
    description: "create with another tenant's unique value (e.g. email); a conflict must not reveal the other record",
    oracles: ['foreign-data', 'existence'],
  },
  'canary-search': {
    description: "search for the tenant's own and another tenant's canary",
    oracles: ['foreign-data', 'model'],
  },
  'aggregate-check': {
    description: "counts and totals equal the model's view of the tenant's own data",
    oracles: ['model', 'non-interference'],
  },
  'export-check': {
    description: "the export holds exactly the tenant's own records",
    oracles: ['foreign-data', 'model'],
  },
  'audit-check': {
    description: 'every request appears in the audit log of its own tenant and no other',
    oracles: ['audit'],
  },
  'header-injection': {
    description: 'send X-Tenant-Id (and similar) headers naming another tenant',
    oracles: ['injection', 'foreign-data'],
  },
  'query-injection': {
    description: 'send tenant_id / tenantId query parameters naming another tenant',
    oracles: ['injection', 'foreign-data'],
  },
  'body-injection': {
    description: 'send tenantId / tenant_id body fields naming another tenant',
    oracles: ['injection', 'foreign-data'],
  },
  interleaved: {
    description: "run in concurrent batches with other tenants' requests",
    oracles: ['non-interference', 'foreign-data'],
  },
};

/** Chooses the probes for an operation from its kind, its id uses and its parameters. */
export function probesFor(
  op: Omit<OperationInfo, 'probes' | 'oracles'>,
  skip: readonly ProbeName[] = [],
): { probes: ProbeName[]; oracles: OracleName[] } {
  if (!op.tenantOwned || (op.kind === 'unclassified' && op.overrides.includes('x-tenantproof-ignore')))
    return { probes: [], oracles: [] };
  const probes = new Set<ProbeName>(['own-call', 'header-injection', 'query-injection', 'interleaved']);
  const hasBody = op.requestBody !== undefined && /json|form/i.test(op.requestBody.contentType);
  switch (op.kind) {
    case 'collection':
      probes.add('list-own');
      if (op.pagination?.style === 'cursor') probes.add('foreign-cursor');
      break;
    case 'item':
      probes.add(
        op.itemAction === 'read'
          ? 'cross-tenant-read'
          : op.itemAction === 'update'
            ? 'cross-tenant-update'
            : 'cross-tenant-delete',
      );
      break;
    case 'action':
      probes.add('cross-tenant-action');
      break;
    case 'create':
      if (op.uniqueFields?.length) probes.add('foreign-unique-value');
      break;
    case 'search':
      probes.add('canary-search');
      break;
    case 'aggregate':
      probes.add('aggregate-check');
      break;
    case 'export':
      probes.add('export-check');
      break;
    case 'audit':
      probes.add('audit-check');
      probes.add('list-own');
      break;
    default:
      break;
  }
  if (op.searchParam) probes.add('canary-search');
  // Ids of other records in the request: path ids of a parent, query filters, body references.
  // The record's own id (the last path parameter of an item or action) is covered by the
  // cross-tenant probes; any other id the request carries can be pointed at a victim's record.
  const ownParam =
    op.kind === 'item' || op.kind === 'action' ? [...op.path.matchAll(/\{([^}]+)\}/g)].at(-1)?.[1] : undefined;
  // Only where the request would make something (a create): there, a foreign parent or reference
  // writes into another tenant's data. On a read, a server that ignores a parent id and returns
  // the caller's own record leaks nothing, so a 2xx there proves nothing.
  if (op.produces && op.consumes.some((u) => !(u.in === 'path' && u.name === ownParam)))
    probes.add('foreign-reference');
  if (op.idempotencyHeader && op.method === 'post') probes.add('foreign-idempotency-key');
  if (op.kind === 'item' && op.itemAction === 'update' && op.uniqueFields?.length) probes.add('foreign-unique-value');
  if (hasBody && op.method !== 'get') probes.add('body-injection');
  for (const s of skip) probes.delete(s);
  const ordered = PROBE_NAMES.filter((p) => probes.has(p));
  const oracles = new Set<OracleName>(ordered.flatMap((p) => PROBES[p].oracles));
  return { probes: ordered, oracles: ORACLES.filter((o) => oracles.has(o)) };
}
