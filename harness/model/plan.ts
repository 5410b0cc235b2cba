/**
 * The campaign plan: which operations of the inferred ApiModel drive which commands. Operations
 * that are not tenant-owned, or whose required inputs the harness cannot supply, are left out
 * with a reason (they show as out of scope in the evidence).
 */
import type { ApiModel, OperationInfo, ResourceInfo } from '../openapi/api-model.ts';

export interface PlannedOperation {
  op: OperationInfo;
  /** Path parameter → the resource whose id it takes. */
  pathResources: Record<string, string>;
}

export interface CampaignPlan {
  creates: PlannedOperation[];
  reads: PlannedOperation[];
  updates: PlannedOperation[];
  deletes: PlannedOperation[];
  actions: PlannedOperation[];
  collections: PlannedOperation[];
  searches: PlannedOperation[];
  aggregates: PlannedOperation[];
  exports: PlannedOperation[];
  audits: PlannedOperation[];
  singletons: PlannedOperation[];
  inScope: PlannedOperation[];
  outOfScope: {
    operationId: string;
    method: string;
    path: string;
    tenantOwned: boolean;
    reason: string;
    fix?: string;
  }[];
  resources: Map<string, ResourceInfo>;
  byId: Map<string, PlannedOperation>;
}

function pathParams(op: OperationInfo): string[] {
  return [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
}

export function buildPlan(model: ApiModel): CampaignPlan {
  const plan: CampaignPlan = {
    creates: [],
    reads: [],
    updates: [],
    deletes: [],
    actions: [],
    collections: [],
    searches: [],
    aggregates: [],
    exports: [],
    audits: [],
    singletons: [],
    inScope: [],
    outOfScope: [],
    resources: new Map(model.resources.map((r) => [r.name, r])),
    byId: new Map(),
  };
  const producible = new Set(
    model.operations.filter((o) => o.produces && o.tenantOwned).map((o) => o.produces!.resource),
  );

  for (const op of model.operations) {
    const out = (reason: string, fix?: string): void => {
      plan.outOfScope.push({
        operationId: op.operationId,
        method: op.method.toUpperCase(),
        path: op.path,
        tenantOwned: op.tenantOwned,
        reason,
        ...(fix ? { fix } : {}),
      });
    };
    if (!op.tenantOwned) {
      out(
        `not tenant-owned: ${op.tenantOwnedReason}`,
        'if a tenant calls it with its own credentials, add `x-tenantproof-tenant-owned: true` to the operation',
      );
      continue;
    }
    if (op.kind === 'unclassified') {
      out(
        `unclassified: ${op.reason ?? 'no rule matched'}`,
        'say what it is: `x-tenantproof-kind: collection | create | item | action | search | aggregate | export | audit` on the operation',
      );
      continue;
    }
    if (op.requestBody && !/json/i.test(op.requestBody.contentType)) {
      out(`request body is ${op.requestBody.contentType}; only JSON bodies are generated`);
      continue;
    }
    const pathResources: Record<string, string> = {};
    let missing: { reason: string; fix: string } | undefined;
    const tenantPrefix = new Set((op.tenantFields ?? []).filter((f) => f.in === 'path').map((f) => f.name));
    for (const name of pathParams(op)) {
      // A tenant prefix (`/orgs/{orgId}`) is filled with the caller's own tenant at send time.
      if (tenantPrefix.has(name)) continue;
      const use = op.consumes.find((c) => c.in === 'path' && c.name === name);
      if (!use) {
        missing = {
          reason: `path parameter {${name}} does not take the id of any known resource`,
          fix: `name the resource it takes: \`x-tenantproof-resource: <resource>\` on the parameter {${name}}`,
        };
        break;
      }
      if (!producible.has(use.resource)) {
        missing = {
          reason: `path parameter {${name}} takes a ${use.resource} id, and no tenant-owned operation creates ${use.resource}`,
          fix: `mark the operation that creates a ${use.resource}: \`x-tenantproof-produces: ${use.resource}\` (and \`x-tenantproof-id-field\` if the id is not \`id\`), or add a response schema with an id to it`,
        };
        break;
      }
      pathResources[name] = use.resource;
    }
    if (missing) {
      out(missing.reason, missing.fix);
      continue;
    }
    const planned: PlannedOperation = { op, pathResources };
    const kindList = bucketFor(plan, op);
    if (!kindList) {
      out(`kind ${op.kind} has no command`);
      continue;
    }
    kindList.push(planned);
    plan.inScope.push(planned);
    plan.byId.set(op.operationId, planned);
  }
  return plan;
}

function bucketFor(plan: CampaignPlan, op: OperationInfo): PlannedOperation[] | undefined {
  switch (op.kind) {
    case 'create':
      return op.produces ? plan.creates : plan.actions;
    case 'item':
      return op.itemAction === 'read'
        ? plan.reads
        : op.itemAction === 'update'
          ? plan.updates
          : op.itemAction === 'delete'
            ? plan.deletes
            : undefined;
    case 'action':
      return plan.actions;
    case 'collection':
      return plan.collections;
    case 'search':
      return plan.searches;
    case 'aggregate':
      return plan.aggregates;
    case 'export':
      return plan.exports;
    case 'audit':
      return plan.audits;
    case 'singleton':
      return op.method === 'get' ? plan.singletons : undefined;
    default:
      return undefined;
  }
}
