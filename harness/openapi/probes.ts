/**
 * Which probes apply to an operation, from its kind, its id uses and its parameters. The probe
 * vocabulary itself is model/probe.ts; which oracles judge each probe is the oracle registry's.
 */
import { PROBE_NAMES, PROBE_DESCRIPTIONS, type ProbeName } from '../model/probe.ts';
import type { OperationInfo } from './api-model.ts';

export { PROBE_NAMES, PROBE_DESCRIPTIONS, type ProbeName };

/** Chooses the probes for an operation from its kind, its id uses and its parameters. */
export function probesFor(op: Omit<OperationInfo, 'probes'>, skip: readonly ProbeName[] = []): ProbeName[] {
  if (!op.tenantOwned || (op.kind === 'unclassified' && op.overrides.includes('x-tenantproof-ignore'))) return [];
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
  if (op.tenantFields?.some((f) => f.in === 'path')) probes.add('path-injection');
  for (const s of skip) probes.delete(s);
  return PROBE_NAMES.filter((p) => probes.has(p));
}
