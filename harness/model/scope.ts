/**
 * The campaign's scope, computed once for `inspect` and `run` alike: every tenant-owned operation,
 * whether the campaign plan drives it, which cross-tenant probes the command menu will send to it
 * (the very menu fast-check draws from), and, for each one left out or with no cross-tenant probe,
 * the reason and the exact fix.
 */
import type { ApiModel } from '../openapi/api-model.ts';
import { commandMenu } from './command-menu.ts';
import type { CampaignPlan } from './plan.ts';
import type { StepProbe } from './probe.ts';

export interface OperationScope {
  operationId: string;
  method: string;
  path: string;
  /** In the campaign plan. */
  planned: boolean;
  /** Probes the campaign sends to it that name another tenant (its ids, values, or its tenant). */
  crossTenantProbes: StepProbe[];
  /** Why it is left out, or why it gets no cross-tenant probe. */
  reason?: string;
  /** What would let the campaign probe it: an `x-tenantproof-*` snippet, a schema to add. */
  fix?: string;
}

export interface CampaignScope {
  /** Every tenant-owned operation of the spec. */
  operations: OperationScope[];
}

export function campaignScope(model: ApiModel, plan: CampaignPlan): CampaignScope {
  const menu = commandMenu(plan);
  const operations: OperationScope[] = [];
  for (const op of model.operations.filter((o) => o.tenantOwned)) {
    const base = { operationId: op.operationId, method: op.method.toUpperCase(), path: op.path };
    const left = plan.outOfScope.find((o) => o.operationId === op.operationId);
    if (left) {
      operations.push({
        ...base,
        planned: false,
        crossTenantProbes: [],
        reason: left.reason,
        ...(left.fix ? { fix: left.fix } : {}),
      });
      continue;
    }
    const probes = [
      ...new Set(
        menu
          .filter((m) => m.planned.op.operationId === op.operationId && m.command.kind === 'probe')
          .map((m) => (m.command as { probe: StepProbe }).probe),
      ),
    ];
    operations.push({
      ...base,
      planned: true,
      crossTenantProbes: probes,
      ...(probes.length === 0
        ? {
            reason: 'no cross-tenant probe applies to it (all its probes are skipped)',
            fix: 'remove the probes from its `x-tenantproof-skip-probes`',
          }
        : {}),
    });
  }
  return { operations };
}
