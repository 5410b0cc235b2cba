/**
 * The negative control on live traffic. After the campaign, on fresh tenants A and B, the harness
 * really creates a record for each, then A lists its own records and reads B's record (a foreign
 * probe) through the real executor and oracles, while an in-process transport wrapper plants B's
 * server-issued id into the responses A receives:
 * - into A's own list, as one more item: the foreign-data and model oracles must raise;
 * - into the 404 of A's foreign read (not into its missing-id twin): existence must raise.
 * Nothing is simulated but the leak itself: requests, responses, ids, registration and oracles are
 * the run's own. When the API has no resource with a create, a read and a list, the control falls
 * back to planting into a copy of a recorded response (`runNegativeControl`).
 */
import fc from 'fast-check';
import type { Exchange, OracleName, TenantLabel } from '../model/exchange.ts';
import type { CampaignPlan, PlannedOperation } from '../model/plan.ts';
import { itemsOf } from '../model/extract-ids.ts';
import { buildOwnStep, buildProbeStep } from '../model/step-builder.ts';
import type { ValueSource } from '../model/value-source.ts';
import {
  PLANT_KEY,
  type NegativeControlOracleOutcome,
  type NegativeControlResult,
} from '../oracles/negative-control.ts';
import { RunContext, type ProvisionedTenant, type RunContextOptions } from './campaign.ts';
import { Coverage } from './coverage.ts';
import { HealthMonitor } from './health.ts';
import type { SendInput, Transport } from './http-client.ts';
import { PlantingTransport, plantValue } from './planting-transport.ts';
import type { StepResult } from './run-context.ts';
import { stopReason } from './wall-limit.ts';

export const CONTROL_ORACLES: readonly OracleName[] = ['foreign-data', 'model', 'existence'];

export interface LiveControlOptions {
  plan: CampaignPlan;
  values: ValueSource;
  client: Transport;
  /** Two fresh tenants (or the run's own, for file/module provisioning). */
  tenants: ProvisionedTenant[];
  freshTenants: boolean;
  seed: number;
  signal: AbortSignal;
  nextSeq: () => number;
  onExchange?: (exchange: Exchange) => void;
}

/** The resource the control plants with: created by its owner, readable by id, listable. */
export function controlResource(
  plan: CampaignPlan,
): { create: PlannedOperation; read: PlannedOperation; list: PlannedOperation } | undefined {
  for (const create of plan.creates) {
    const resource = create.op.produces?.resource;
    if (!resource || create.op.parent) continue;
    const read = plan.reads.find(
      (r) => r.op.resource === resource && !r.op.parent && r.op.probes.includes('cross-tenant-read'),
    );
    const list = plan.collections.find((c) => c.op.resource === resource && !c.op.parent);
    if (read && list) return { create, read, list };
  }
  return undefined;
}

/** Whether the request was sent as `tenant`, by any of its users. */
function sentAs(input: SendInput, tenant: ProvisionedTenant): boolean {
  const sent = Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return [tenant.headers, ...(tenant.users ?? []).map((u) => u.headers)].some((headers) =>
    Object.entries(headers).every(([k, v]) => sent[k.toLowerCase()] === v),
  );
}

/** Whether a sent path (query string aside) is an instance of a path template (`/orgs/{orgId}/boards`). */
function instanceOf(template: string, sentPath: string): boolean {
  const pattern = template
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${pattern}$`).test(sentPath.split('?')[0]!);
}

export async function runLiveNegativeControl(o: LiveControlOptions): Promise<NegativeControlResult> {
  const ops = controlResource(o.plan);
  if (!ops)
    return {
      outcome: 'skipped',
      detail: 'no tenant-owned resource with a create, a read by id and a list to plant into',
      oracles: [],
    };
  const [a, b] = o.tenants;
  if (!a || !b) return { outcome: 'skipped', detail: 'the negative control needs two tenants', oracles: [] };

  const transport = new PlantingTransport(o.client);
  const options: RunContextOptions = {
    plan: o.plan,
    client: transport,
    freshTenants: o.freshTenants,
    signal: o.signal,
    pageSize: 50,
    ...(o.onExchange ? { onExchange: o.onExchange } : {}),
  };
  const ctx = new RunContext(options, [a, b], new Coverage(), o.nextSeq, new HealthMonitor());
  const labels = [a.label, b.label];

  // 1. Each tenant creates a record of its own (a few generated bodies, until one is accepted).
  const produced = ops.create.op.produces!.resource;
  const created = new Map<TenantLabel, boolean>();
  for (const [t, tenant] of labels.entries()) {
    const bodies = o.values.body(ops.create.op, tenant);
    for (const body of bodies ? fc.sample(bodies, { seed: o.seed + t, numRuns: 8 }) : [undefined]) {
      const values = { query: {}, nonce: `negctl${t}`.padEnd(12, '0'), ...(body !== undefined ? { body } : {}) };
      const step = buildOwnStep(ctx.builder, {
        kind: 'own',
        action: 'create',
        operationId: ops.create.op.operationId,
        tenant: t,
        selector: 0,
        values,
      });
      if (!step) break;
      await ctx.runStep(step);
      if (ctx.world.alive(tenant, produced).length > 0) {
        created.set(tenant, true);
        break;
      }
      // Another body helps when the API refused this one; not when the target did not answer at all.
      const unusable = unusableAnswer(ctx.primaryResults.at(-1));
      if (unusable || o.signal.aborted)
        return {
          outcome: 'skipped',
          detail: o.signal.aborted
            ? `the negative control was stopped: ${stopReason(o.signal)}`
            : `the target gave no usable answer to ${ops.create.op.operationId} (${unusable}), so there was nothing to plant`,
          oracles: [],
        };
    }
  }
  if (!created.get(a.label) || !created.get(b.label))
    return {
      outcome: 'skipped',
      detail: `the target did not accept a generated ${ops.create.op.operationId} for both tenants, so there was nothing to plant`,
      oracles: [],
    };
  const victimRecord = ctx.world.alive(b.label, produced)[0]!;
  const planted = victimRecord.id;
  // The byte scan needs a fingerprint of B's: its id when that is one (a UUID), else one of its
  // canaries (an integer id is no fingerprint; the model still owns it per resource).
  const fingerprint =
    ctx.registry.ownerOf(planted) === b.label
      ? planted
      : ctx.world.tenant(b.label).canaries.find((c) => ctx.registry.ownerOf(c) === b.label);
  if (!fingerprint)
    return {
      outcome: 'skipped',
      detail: `${b.label}'s record carries no registered fingerprint to plant`,
      oracles: [],
    };

  // 2. Arm the wrapper: B's id goes into A's own list, and into the answer to A's read of B's record.
  const listPath = ops.list.op.path;
  const itemsField = ops.list.op.itemsField;
  const idField = victimRecord.idField;
  transport.arm({
    label: 'negative-control: foreign id in own list',
    matches: (input) => input.method === 'GET' && instanceOf(listPath, input.path) && sentAs(input, a),
    plant: (response) => {
      const json = structuredClone(response.json);
      const items = itemsOf(json, itemsField);
      if (!Array.isArray(items)) return plantValue(response, fingerprint);
      const item: Record<string, unknown> = {
        ...(typeof items[0] === 'object' && items[0] !== null ? (items[0] as object) : {}),
        [idField]:
          /^\d+$/.test(planted) && typeof (items[0] as Record<string, unknown> | undefined)?.[idField] === 'number'
            ? Number(planted)
            : planted,
      };
      if (fingerprint !== planted) item[PLANT_KEY] = fingerprint;
      items.push(item);
      return { json };
    },
  });
  transport.arm({
    label: 'negative-control: foreign id in a foreign-read answer',
    matches: (input) =>
      input.method === 'GET' &&
      input.path.split('?')[0]!.split('/').includes(encodeURIComponent(planted)) &&
      sentAs(input, a),
    plant: (response) => plantValue(response, fingerprint),
  });

  // 3. A lists its records and probes B's: the real executor, the real oracles.
  const list = buildOwnStep(ctx.builder, {
    kind: 'own',
    action: 'list',
    operationId: ops.list.op.operationId,
    tenant: 0,
    selector: 0,
    values: { query: {}, nonce: 'negctllist00' },
  });
  if (list) await ctx.runStep(list);
  const probe = buildProbeStep(ctx.builder, {
    kind: 'probe',
    probe: 'cross-tenant-read',
    operationId: ops.read.op.operationId,
    tenant: 0,
    victim: 0,
    selector: 0,
    values: { query: {}, nonce: 'negctlread00' },
  });
  if (probe) await ctx.runStep(probe);
  transport.disarm();
  // Cut short, the control proves nothing either way: it did not fail, it did not run.
  if (o.signal.aborted)
    return { outcome: 'skipped', detail: `the negative control was stopped: ${stopReason(o.signal)}`, oracles: [] };

  const findings = ctx.executor.findings;
  const results: NegativeControlOracleOutcome[] = CONTROL_ORACLES.map((oracle) => {
    const fired = findings.some(
      (f) => f.oracle === oracle && f.attacker === a.label && (f.victim === undefined || f.victim === b.label),
    );
    const plantedInto =
      oracle === 'existence'
        ? 'negative-control: foreign id in a foreign-read answer'
        : 'negative-control: foreign id in own list';
    const wasPlanted = (transport.planted.get(plantedInto) ?? 0) > 0;
    const outcome: NegativeControlOracleOutcome['outcome'] = !wasPlanted ? 'failed' : fired ? 'passed' : 'failed';
    return {
      oracle,
      planted: wasPlanted,
      fired,
      outcome,
      ...(!wasPlanted
        ? { detail: `no live response to ${a.label} matched the plant rule "${plantedInto}"` }
        : fired
          ? {}
          : { detail: `${oracle} did not raise on a live response to ${a.label} carrying ${b.label}'s id` }),
    };
  });
  const where = `${ops.list.op.operationId} and ${ops.read.op.operationId}`;
  return {
    outcome: results.every((r) => r.outcome === 'passed') ? 'passed' : 'failed',
    detail: `live: ${b.label}'s ${produced} id${fingerprint !== planted ? ' and canary' : ''} planted by an in-process transport wrapper into real responses to ${a.label} (${where}); responses marked x-tenantproof-planted in the transcript`,
    oracles: results,
  };
}

/**
 * Why a step got no answer at all (a transport error: a timeout, a refused or reset connection), or
 * undefined when it got one. A 4xx or even a 5xx is an answer: some APIs refuse a generated body with
 * a 500, and another body may then be accepted.
 */
function unusableAnswer(result: StepResult | undefined): string | undefined {
  if (!result) return 'no request went out';
  return result.error;
}
