/**
 * What a run really probed, stated first on a CLEAN verdict: "k of n tenant-owned operations probed
 * cross-tenant". An operation counts when at least one request to it named another tenant (its id,
 * value or tenant) and an oracle judged the answer. Each operation that does not count gets the
 * reason and the fix: the scope's (left out of the plan), or one read off the run's answers.
 */
import { coverageLine, type CoverageSummary } from '../evidence/coverage-gate.ts';
import type { CoverageCell } from '../evidence/evidence-schema.ts';
import type { CampaignPlan } from '../model/plan.ts';
import type { CampaignScope } from '../model/scope.ts';

export interface NotProbed {
  operationId: string;
  reason: string;
  fix?: string;
}

export type { CoverageSummary };

export interface RunFacts {
  /** Status codes of the tenants' own answers, per operation. */
  answers: ReadonlyMap<string, ReadonlyMap<number, number>>;
  /** Answers no oracle could read (transport errors, truncated bodies), per operation and cause. */
  unusable?: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Whether provisioning gave real tenant ids (override probes need them). */
  tenantIdsKnown: boolean;
}

function statuses(counts: ReadonlyMap<number, number> | undefined, unusable?: ReadonlyMap<string, number>): string {
  const all = [...(counts ?? [])].map(([s, n]) => `${s}×${n}`);
  for (const [cause, n] of unusable ?? []) all.push(`${cause}×${n}`);
  return all.length === 0 ? 'never called' : all.join(', ');
}

const UNUSABLE_FIX =
  'the target must answer readably (no redirect, a body that parses), within --request-timeout and under --max-response-size; the observations and the transcript show what it sent';

/** An operation none of whose answers could be read: the cause, not the budget, is why. */
function unusableReason(operationId: string, facts: RunFacts, what: string): NotProbed | undefined {
  const unusable = facts.unusable?.get(operationId);
  if (!unusable || unusable.size === 0) return undefined;
  const ok = [...(facts.answers.get(operationId) ?? [])].some(([s]) => s < 500);
  if (ok) return undefined;
  return {
    operationId,
    reason: `${what}: ${operationId} gave no usable answer (${statuses(facts.answers.get(operationId), unusable)})`,
    fix: UNUSABLE_FIX,
  };
}

/** Why a planned operation with cross-tenant probes got none in this run, and what to do. */
function runtimeReason(operationId: string, plan: CampaignPlan, scope: CampaignScope, facts: RunFacts): NotProbed {
  const planned = plan.byId.get(operationId)!;
  const probes = scope.operations.find((o) => o.operationId === operationId)?.crossTenantProbes ?? [];
  const onlyOverrides = probes.every((p) => p.endsWith('-injection'));
  if (onlyOverrides && !facts.tenantIdsKnown)
    return {
      operationId,
      reason: 'provisioning gave no real tenant ids, so no tenant-override probe could name a victim',
      fix: "return `id` (the tenant's real id) from the provisioning module, or a JWT with a tenant claim",
    };
  const needed = new Set([
    ...Object.values(planned.pathResources),
    ...(probes.some((p) => p.startsWith('cross-tenant')) && planned.op.resource ? [planned.op.resource] : []),
  ]);
  for (const resource of needed) {
    const creates = plan.creates.filter((c) => c.op.produces?.resource === resource);
    const made = creates.some((c) =>
      [...(facts.answers.get(c.op.operationId) ?? new Map<number, number>())].some(([s]) => s >= 200 && s < 300),
    );
    const called = creates.some(
      (c) => (facts.answers.get(c.op.operationId)?.size ?? 0) + (facts.unusable?.get(c.op.operationId)?.size ?? 0) > 0,
    );
    if (!made)
      for (const c of creates) {
        const dead = unusableReason(c.op.operationId, facts, `no ${resource} was created to aim at`);
        if (dead) return { ...dead, operationId };
      }
    if (!made && creates.length > 0 && !called)
      return {
        operationId,
        reason: `no ${resource} was created to aim at: ${creates.map((c) => c.op.operationId).join(', ')} not reached within the budget`,
        fix: 'raise --budget (or --runs)',
      };
    if (!made)
      return {
        operationId,
        reason: `no ${resource} was created to aim at: ${creates.map((c) => `${c.op.operationId} answered ${statuses(facts.answers.get(c.op.operationId))}`).join('; ') || 'nothing creates one'}`,
        fix: `make ${creates[0]?.op.operationId ?? `a create of ${resource}`} succeed: check its request body schema against what the server accepts (the transcript shows the answers)`,
      };
    if (creates.every((c) => c.op.produces?.learned))
      return {
        operationId,
        reason: `${resource}s were created, but their ids could not be read from the answers (no response schema, no id-like field, no Location header)`,
        fix: `add a response schema with an id to ${creates[0]!.op.operationId}, or \`x-tenantproof-id-field: <field>\``,
      };
  }
  return (
    unusableReason(operationId, facts, 'probed, but never answered readably') ?? {
      operationId,
      reason: 'not reached within the budget',
      fix: 'raise --budget (or --runs)',
    }
  );
}

export function coverageSummary(
  plan: CampaignPlan,
  scope: CampaignScope,
  cells: readonly CoverageCell[],
  facts: RunFacts,
  minimum: number,
): CoverageSummary {
  const probed = new Set(cells.filter((c) => c.relation !== 'own' && c.count > 0).map((c) => c.operationId));
  const notProbed: NotProbed[] = [];
  for (const op of scope.operations) {
    if (probed.has(op.operationId)) continue;
    if (!op.planned || op.crossTenantProbes.length === 0)
      notProbed.push({
        operationId: op.operationId,
        reason: op.reason ?? 'left out',
        ...(op.fix ? { fix: op.fix } : {}),
      });
    else notProbed.push(runtimeReason(op.operationId, plan, scope, facts));
  }
  const tenantOwned = scope.operations.length;
  const count = tenantOwned - notProbed.length;
  return { tenantOwned, probed: count, ratio: tenantOwned === 0 ? 0 : count / tenantOwned, minimum, notProbed };
}

export { coverageLine };
