/**
 * The report of `tenantproof doctor`: for each tenant-owned operation, whether the campaign can
 * create the records it needs, read the tenant's own answer, probe it cross-tenant and inject a
 * tenant override, each "no" with its reason and fix; the machine-applicable hints; the live
 * provisioning check; and the verdict. It is computed from the plan and scope `run` uses
 * (model/plan.ts, model/scope.ts), so the two never disagree. Stable JSON (`doctorReportSchema`).
 */
import { z } from 'zod';
import type { ApiModel, OperationInfo } from '../openapi/api-model.ts';
import type { CampaignPlan } from '../model/plan.ts';
import type { CampaignScope, OperationScope } from '../model/scope.ts';
import { STEP_PROBES } from '../model/probe.ts';
import { EXIT } from '../exit-codes.ts';
import { article, producibleResources, resourceNamedBy, type DoctorHint } from './doctor-hints.ts';
import type { ProvisioningCheck } from './doctor-provisioning.ts';

export const DOCTOR_REPORT_VERSION = 1;

/** yes; no (with reason and fix); n/a (nothing of that kind applies); unknown (needs the live check). */
export const CELL_VALUES = ['yes', 'no', 'n/a', 'unknown'] as const;
export type CellValue = (typeof CELL_VALUES)[number];

const cellSchema = z.object({
  value: z.enum(CELL_VALUES),
  reason: z.string().nullable(),
  fix: z.string().nullable(),
  /** A yes with a caveat (ids learned from real responses). */
  note: z.string().nullable(),
});
export type Cell = z.infer<typeof cellSchema>;

export const COLUMNS = ['create', 'read', 'probe', 'inject'] as const;
export type Column = (typeof COLUMNS)[number];

export const doctorOperationSchema = z.object({
  method: z.string(),
  path: z.string(),
  operationId: z.string(),
  /** The spec gives no operationId (findings then name it `<method> <path>`). */
  hasOperationId: z.boolean(),
  create: cellSchema,
  read: cellSchema,
  probe: cellSchema,
  inject: cellSchema,
  crossTenantProbes: z.array(z.string()),
  /** `probe` or `inject` is yes (or inject unknown without the live check): `run` can count it as probed. */
  probeable: z.boolean(),
});
export type DoctorOperation = z.infer<typeof doctorOperationSchema>;

export const doctorHintSchema = z.object({
  rule: z.enum(['tenant-owned', 'kind', 'parameter-resource', 'producer']),
  operationId: z.string(),
  method: z.string(),
  path: z.string(),
  target: z.string(),
  update: z.record(z.string(), z.unknown()),
  reason: z.string(),
  snippet: z.string(),
});

export const provisioningSchema = z.object({
  provisioner: z.string(),
  target: z.string(),
  status: z.enum(['ok', 'fail']),
  failureCode: z.union([z.literal(2), z.literal(3)]).nullable(),
  tenantIdsKnown: z.boolean().nullable(),
  checks: z.array(z.object({ status: z.enum(['ok', 'fail', 'gap']), detail: z.string(), fix: z.string().nullable() })),
});

export const doctorReportSchema = z.object({
  reportVersion: z.literal(DOCTOR_REPORT_VERSION),
  spec: z.object({ file: z.string(), overlay: z.string().nullable(), title: z.string(), version: z.string() }),
  operations: z.array(doctorOperationSchema),
  hints: z.array(doctorHintSchema),
  /** null with --offline. */
  provisioning: provisioningSchema.nullable(),
  summary: z.object({
    tenantOwned: z.number().int(),
    probeable: z.number().int(),
    /** Operations counted probe-able only on the condition that provisioning gives real tenant ids. */
    pendingTenantIds: z.number().int(),
    verdict: z.string(),
  }),
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
  /** What `--write-overlay` wrote; null without it. */
  overlayWritten: z
    .object({
      file: z.string(),
      added: z.number().int(),
      present: z.number().int(),
      /** The line to add to the config when it does not apply this overlay yet; null when it does. */
      addToConfig: z.string().nullable(),
    })
    .nullable(),
});
export type DoctorReport = z.infer<typeof doctorReportSchema>;

const yes = (note?: string): Cell => ({ value: 'yes', reason: null, fix: null, note: note ?? null });
const no = (reason: string, fix?: string): Cell => ({ value: 'no', reason, fix: fix ?? null, note: null });
const na = (reason: string): Cell => ({ value: 'n/a', reason, fix: null, note: null });
const unknown = (reason: string): Cell => ({ value: 'unknown', reason, fix: null, note: null });

const isInjection = (probe: string): boolean => probe.endsWith('-injection');
/** Probes that aim at another tenant's records or values (not at its tenant). */
const RECORD_PROBES = new Set<string>(STEP_PROBES.filter((p) => !isInjection(p)));

function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
}

interface Context {
  model: ApiModel;
  plan: CampaignPlan;
  /** Resource → in-plan operations that create it. */
  producers: Map<string, OperationInfo[]>;
  /** Resources a tenant-owned operation creates (what plan.ts accepts for path ids). */
  producible: ReadonlySet<string>;
}

/** The resources an operation needs records of: its path ids, and an item's own resource. */
function neededResources(ctx: Context, op: OperationInfo): { needed: string[]; missing?: Cell } {
  const planned = ctx.plan.byId.get(op.operationId);
  if (planned) {
    const needed = new Set(Object.values(planned.pathResources));
    if (op.kind === 'item' && op.resource && needed.size === 0) needed.add(op.resource);
    return { needed: [...needed] };
  }
  const needed = new Set<string>();
  for (const name of pathParams(op.path)) {
    const use = op.consumes.find((c) => c.in === 'path' && c.name === name);
    if (!use)
      return {
        needed: [],
        missing: no(
          `path parameter {${name}} does not take the id of any known resource`,
          `name the resource it takes: \`x-tenantproof-resource: <resource>\` on the parameter {${name}}`,
        ),
      };
    needed.add(use.resource);
  }
  if (op.kind === 'item' && op.resource && needed.size === 0) needed.add(op.resource);
  return { needed: [...needed] };
}

function createCell(ctx: Context, op: OperationInfo): Cell {
  const { needed, missing } = neededResources(ctx, op);
  if (missing) return missing;
  const reasons: string[] = [];
  const fixes: string[] = [];
  const notes: string[] = [];
  for (const resource of needed) {
    const producers = ctx.producers.get(resource) ?? [];
    if (producers.length === 0) {
      const outside = ctx.model.operations.filter((o) => o.produces?.resource === resource);
      const left = outside
        .map((o) => ctx.plan.outOfScope.find((x) => x.operationId === o.operationId))
        .find((x) => x !== undefined);
      if (left) {
        reasons.push(
          `it needs ${article(resource)}, and ${left.operationId}, which creates one, is left out: ${left.reason}`,
        );
        fixes.push(left.fix ? `${left.operationId}: ${left.fix}` : `make ${left.operationId} usable by the campaign`);
      } else {
        reasons.push(`it needs ${article(resource)}, and no tenant-owned operation the campaign drives creates one`);
        // A parameter whose name says which creatable resource it takes: naming it is the fix.
        const param = op.consumes.find((c) => c.in === 'path' && c.resource === resource)?.name;
        const named = param ? resourceNamedBy(param, ctx.producible) : [];
        if (param && named.length === 1) {
          fixes.push(
            `if {${param}} takes ${article(named[0]!)} id, \`x-tenantproof-resource: ${named[0]}\` on the parameter {${param}}`,
          );
          continue;
        }
        fixes.push(
          `mark the operation that creates ${article(resource)}: \`x-tenantproof-produces: ${resource}\` (and \`x-tenantproof-id-field\` if the id is not \`id\`), or add a response schema with an id to it`,
        );
      }
      continue;
    }
    if (producers.every((p) => p.produces?.learned)) {
      const first = producers[0]!;
      notes.push(
        `${resource} ids are learned from real responses (${first.operationId} documents no record): add a response schema with an id to ${first.operationId}, or \`x-tenantproof-id-field: <field>\``,
      );
    }
  }
  if (reasons.length > 0) return no(reasons.join('; '), [...new Set(fixes)].join('; '));
  return yes(notes.length ? notes.join('; ') : undefined);
}

/**
 * A search's victim canary is sent by the own list or search command (its query modes, see
 * model/command-menu.ts), not as a probe command, so the scope does not list it; it still names
 * another tenant's value.
 */
function canarySearch(op: OperationInfo): string[] {
  const searched = op.kind === 'search' || (op.kind === 'collection' && op.searchParam !== undefined);
  return searched && op.probes.includes('canary-search') ? ['canary-search'] : [];
}

function probeCell(op: OperationInfo, scoped: OperationScope, create: Cell): Cell {
  if (!scoped.planned) return no(scoped.reason ?? 'left out of the campaign', scoped.fix);
  const record = [...scoped.crossTenantProbes.filter((p) => !isInjection(p)), ...canarySearch(op)];
  if (record.length > 0) {
    if (create.value === 'no')
      return no(`its probes need records it cannot create (${create.reason})`, create.fix ?? undefined);
    return yes();
  }
  const possible = op.probes.filter((p) => RECORD_PROBES.has(p));
  if (possible.length === 0)
    return na(`no probe aims at another tenant's records for ${article(op.kind)}; tenant-override probes cover it`);
  return no(
    scoped.reason ?? `its cross-tenant probes (${possible.join(', ')}) are not sent`,
    scoped.fix ?? 'see `tenantproof inspect` for the probes of this operation',
  );
}

function injectCell(scoped: OperationScope, create: Cell, tenantIdsKnown: boolean | null): Cell {
  if (!scoped.planned) return no(scoped.reason ?? 'left out of the campaign', scoped.fix);
  const overrides = scoped.crossTenantProbes.filter(isInjection);
  if (overrides.length === 0) return na('no tenant-override probe applies to it');
  if (create.value === 'no')
    return no(`it cannot be called without records it cannot create (${create.reason})`, create.fix ?? undefined);
  if (tenantIdsKnown === null)
    return unknown('needs real tenant ids from provisioning (checked live; not with --offline)');
  if (!tenantIdsKnown)
    return no(
      'provisioning gives no real tenant ids, so no tenant-override probe can name a victim',
      "return `id` (the tenant's real id) from the provisioning module, or a JWT with a tenant claim",
    );
  return yes();
}

export interface DoctorReportInput {
  model: ApiModel;
  plan: CampaignPlan;
  scope: CampaignScope;
  specFile: string;
  overlayFile?: string;
  hints: DoctorHint[];
  /** undefined with --offline. */
  provisioning?: ProvisioningCheck;
}

export function buildDoctorReport(input: DoctorReportInput): DoctorReport {
  const { model, plan, scope, provisioning } = input;
  const producers = new Map<string, OperationInfo[]>();
  for (const p of plan.inScope)
    if (p.op.produces) producers.set(p.op.produces.resource, [...(producers.get(p.op.produces.resource) ?? []), p.op]);
  const ctx: Context = { model, plan, producers, producible: producibleResources(model) };
  const byId = new Map(model.operations.map((o) => [o.operationId, o]));
  const tenantIdsKnown = provisioning?.tenantIdsKnown ?? null;

  const operations: DoctorOperation[] = scope.operations.map((scoped) => {
    const op = byId.get(scoped.operationId)!;
    const create = createCell(ctx, op);
    // Left out for a path id the campaign cannot make: the create column has the precise cause
    // (which producer, and why it is out), so the other columns repeat it rather than the plan's
    // generic text.
    const left =
      !scoped.planned && create.value === 'no' && scoped.reason?.startsWith('path parameter')
        ? { ...scoped, reason: create.reason ?? scoped.reason, ...(create.fix ? { fix: create.fix } : {}) }
        : scoped;
    const read: Cell = left.planned ? yes() : no(left.reason ?? 'left out of the campaign', left.fix);
    const probe = probeCell(op, left, create);
    const inject = injectCell(left, create, tenantIdsKnown);
    return {
      method: scoped.method,
      path: scoped.path,
      operationId: scoped.operationId,
      hasOperationId: hasOperationId(op),
      create,
      read,
      probe,
      inject,
      crossTenantProbes: [...scoped.crossTenantProbes],
      probeable: probe.value === 'yes' || inject.value === 'yes' || inject.value === 'unknown',
    };
  });

  const tenantOwned = operations.length;
  const probeable = operations.filter((o) => o.probeable).length;
  const pendingTenantIds = operations.filter(
    (o) => o.probeable && o.probe.value !== 'yes' && o.inject.value === 'unknown',
  ).length;
  const provisioningFailed = provisioning?.status === 'fail';
  const allProbeable = probeable === tenantOwned && tenantOwned > 0;
  const verdict =
    tenantOwned === 0
      ? 'no tenant-owned operation: nothing to probe (see `tenantproof inspect` for why)'
      : allProbeable
        ? `${probeable} of ${tenantOwned} tenant-owned operations can be probed${pendingTenantIds ? ` (${pendingTenantIds} only if provisioning gives real tenant ids: run without --offline to check)` : ''}${provisioningFailed ? ', but provisioning failed: see above' : ''}`
        : `${probeable} of ${tenantOwned} tenant-owned operations can be probed: see the fixes above${provisioningFailed ? ', and provisioning failed' : ''}`;
  const exitCode: DoctorReport['exitCode'] = provisioningFailed
    ? (provisioning?.failureCode ?? EXIT.inconclusive)
    : allProbeable
      ? EXIT.clean
      : EXIT.leak;

  return {
    reportVersion: DOCTOR_REPORT_VERSION,
    spec: { file: input.specFile, overlay: input.overlayFile ?? null, title: model.title, version: model.version },
    operations,
    hints: input.hints.map((h) => ({ ...h })),
    provisioning: provisioning
      ? {
          provisioner: provisioning.provisioner,
          target: provisioning.target,
          status: provisioning.status,
          failureCode: provisioning.failureCode ?? null,
          tenantIdsKnown: provisioning.tenantIdsKnown,
          checks: provisioning.checks.map((c) => ({ status: c.status, detail: c.detail, fix: c.fix ?? null })),
        }
      : null,
    summary: { tenantOwned, probeable, pendingTenantIds, verdict },
    exitCode,
    overlayWritten: null,
  };
}

/** Whether the spec itself names the operation (analysis falls back to `<method> <path>`). */
function hasOperationId(op: OperationInfo): boolean {
  return op.operationId !== `${op.method.toUpperCase()} ${op.path}`;
}
