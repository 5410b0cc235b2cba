/**
 * The stable, serialisable view of an ApiModel that `tenantproof inspect --json` prints: sorted
 * keys and arrays, no schemas, with a zod schema so consumers can validate it. Which oracles judge
 * each probe and operation comes from the oracle registry, as it does for `run`.
 */
import { z } from 'zod';
import { ORACLES, type OracleSet } from '../oracles/index.ts';
import { OPERATION_KINDS, type ApiModel } from '../openapi/api-model.ts';
import { PROBE_DESCRIPTIONS, PROBE_NAMES } from '../model/probe.ts';
import { buildPlan } from '../model/plan.ts';
import { campaignScope } from '../model/scope.ts';

export const INSPECT_REPORT_VERSION = 2;

const idUse = z.object({
  in: z.enum(['path', 'query', 'body']),
  many: z.boolean(),
  name: z.string(),
  resource: z.string(),
  source: z.enum(['inferred', 'extension']),
});

export const inspectOperationSchema = z.object({
  consumes: z.array(idUse),
  idempotencyHeader: z.string().nullable(),
  itemAction: z.enum(['read', 'update', 'delete']).nullable(),
  itemsField: z.string().nullable(),
  kind: z.enum(OPERATION_KINDS),
  method: z.string(),
  operationId: z.string(),
  oracles: z.array(z.string()),
  overrides: z.array(z.string()),
  pagination: z
    .object({
      hasMoreField: z.string().nullable(),
      limitParam: z.string().nullable(),
      nextField: z.string().nullable(),
      param: z.string().nullable(),
      style: z.enum(['cursor', 'page', 'offset', 'none']),
    })
    .nullable(),
  parent: z.object({ param: z.string(), resource: z.string() }).nullable(),
  path: z.string(),
  probes: z.array(z.enum(PROBE_NAMES)),
  produces: z
    .object({ envelope: z.string().nullable(), idField: z.string(), resource: z.string(), status: z.string() })
    .nullable(),
  reason: z.string().nullable(),
  resource: z.string().nullable(),
  searchParam: z.string().nullable(),
  tenantOwned: z.boolean(),
  tenantOwnedReason: z.string(),
  uniqueFields: z.array(z.string()),
});

export const inspectReportSchema = z.object({
  edges: z.array(
    z.object({
      consumer: z.string(),
      in: z.enum(['path', 'query', 'body']),
      name: z.string(),
      producer: z.string(),
      resource: z.string(),
    }),
  ),
  operations: z.array(inspectOperationSchema),
  /** Every oracle of the registry, with its proof rule. */
  oracles: z.array(
    z.object({ name: z.string(), probes: z.array(z.enum(PROBE_NAMES)), rule: z.string(), title: z.string() }),
  ),
  /** Every probe, and the oracles that judge it. */
  probes: z.array(z.object({ description: z.string(), name: z.enum(PROBE_NAMES), oracles: z.array(z.string()) })),
  reportVersion: z.literal(INSPECT_REPORT_VERSION),
  /**
   * What `run` will probe, computed by the same code (model/scope.ts): each tenant-owned operation,
   * whether the campaign drives it, the cross-tenant probes it will send, and for one left out, why
   * and the fix.
   */
  scope: z.object({
    crossTenant: z.number().int(),
    tenantOwned: z.number().int(),
    operations: z.array(
      z.object({
        crossTenantProbes: z.array(z.string()),
        fix: z.string().nullable(),
        operationId: z.string(),
        planned: z.boolean(),
        reason: z.string().nullable(),
      }),
    ),
  }),
  resources: z.array(
    z.object({
      collectionPath: z.string().nullable(),
      consumers: z.array(z.string()),
      idField: z.string().nullable(),
      itemPath: z.string().nullable(),
      name: z.string(),
      operations: z.array(z.string()),
      parent: z.string().nullable(),
      producers: z.array(z.string()),
      schemaRef: z.string().nullable(),
    }),
  ),
  spec: z.object({ file: z.string(), openapi: z.string(), sha256: z.string(), title: z.string(), version: z.string() }),
  summary: z.object({
    operations: z.number().int(),
    resources: z.number().int(),
    tenantOwned: z.number().int(),
    unclassified: z.number().int(),
  }),
  unclassified: z.array(
    z.object({ method: z.string(), operationId: z.string(), path: z.string(), reason: z.string() }),
  ),
  warnings: z.array(
    z.object({
      file: z.string(),
      line: z.number().int().nullable(),
      message: z.string(),
      pointer: z.string().nullable(),
    }),
  ),
});
export type InspectReport = z.infer<typeof inspectReportSchema>;

function scopeOf(model: ApiModel): InspectReport['scope'] {
  const scope = campaignScope(model, buildPlan(model));
  const operations = scope.operations.map((o) => ({
    crossTenantProbes: [...o.crossTenantProbes],
    fix: o.fix ?? null,
    operationId: o.operationId,
    planned: o.planned,
    reason: o.reason ?? null,
  }));
  return {
    crossTenant: operations.filter((o) => o.crossTenantProbes.length > 0).length,
    tenantOwned: operations.length,
    operations,
  };
}

/** Recursively sorts object keys so JSON output is byte-stable. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

const byOperation = (
  a: { operationId: string; method: string; path: string },
  b: { operationId: string; method: string; path: string },
) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method) || a.operationId.localeCompare(b.operationId);

export function buildInspectReport(model: ApiModel, displayFile: string, oracles: OracleSet = ORACLES): InspectReport {
  const operations = model.operations
    .map((o) => ({
      consumes: o.consumes.map((u) => ({
        in: u.in,
        many: u.many ?? false,
        name: u.name,
        resource: u.resource,
        source: u.source,
      })),
      idempotencyHeader: o.idempotencyHeader ?? null,
      itemAction: o.itemAction ?? null,
      itemsField: o.itemsField ?? null,
      kind: o.kind,
      method: o.method,
      operationId: o.operationId,
      oracles: oracles.judging(o.probes),
      overrides: [...o.overrides],
      pagination: o.pagination
        ? {
            hasMoreField: o.pagination.hasMoreField ?? null,
            limitParam: o.pagination.limitParam ?? null,
            nextField: o.pagination.nextField ?? null,
            param: o.pagination.param ?? null,
            style: o.pagination.style,
          }
        : null,
      parent: o.parent ?? null,
      path: o.path,
      probes: [...o.probes],
      produces: o.produces
        ? {
            envelope: o.produces.envelope ?? null,
            idField: o.produces.idField,
            resource: o.produces.resource,
            status: o.produces.status,
          }
        : null,
      reason: o.reason ?? null,
      resource: o.resource ?? null,
      searchParam: o.searchParam ?? null,
      tenantOwned: o.tenantOwned,
      tenantOwnedReason: o.tenantOwnedReason,
      uniqueFields: o.uniqueFields ?? [],
    }))
    .sort(byOperation);
  const report: InspectReport = {
    edges: model.edges.map((e) => ({
      consumer: e.consumer,
      in: e.in,
      name: e.name,
      producer: e.producer,
      resource: e.resource,
    })),
    operations,
    oracles: oracles.oracles.map((o) => ({ name: o.name, probes: [...o.probes], rule: o.rule, title: o.title })),
    probes: PROBE_NAMES.map((p) => ({
      description: PROBE_DESCRIPTIONS[p],
      name: p,
      oracles: oracles.forProbe(p).map((o) => o.name),
    })),
    reportVersion: INSPECT_REPORT_VERSION,
    scope: scopeOf(model),
    resources: model.resources.map((r) => ({
      collectionPath: r.collectionPath ?? null,
      consumers: r.consumers,
      idField: r.idField ?? null,
      itemPath: r.itemPath ?? null,
      name: r.name,
      operations: r.operations,
      parent: r.parent ?? null,
      producers: r.producers,
      schemaRef: r.schemaRef ?? null,
    })),
    spec: {
      file: displayFile,
      openapi: model.openapi,
      sha256: model.document.sha256,
      title: model.title,
      version: model.version,
    },
    summary: {
      operations: operations.length,
      resources: model.resources.length,
      tenantOwned: operations.filter((o) => o.tenantOwned).length,
      unclassified: operations.filter((o) => o.kind === 'unclassified').length,
    },
    unclassified: operations
      .filter((o) => o.kind === 'unclassified')
      .map((o) => ({
        method: o.method,
        operationId: o.operationId,
        path: o.path,
        reason: o.reason ?? 'no rule matched',
      })),
    warnings: model.warnings.map((w) => ({
      file: w.location.file,
      line: w.location.line ?? null,
      message: w.message,
      pointer: w.location.pointer ?? null,
    })),
  };
  return sortKeys(report) as InspectReport;
}
