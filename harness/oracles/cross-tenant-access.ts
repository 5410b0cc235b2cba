/**
 * Oracle 2, cross-tenant-access. A's read, update, delete or action on B's id, or A's create that
 * references B's record, is a finding only when it is proven:
 *
 * - `victim-data`: the answer carries values B owns (that A never sent or knew); or
 * - `victim-state-change`: B's record, re-read by B just before and just after A's attempt, changed
 *   or disappeared, and no other write that may touch B's records (B's own, or another tenant's
 *   probe aimed at B) was in flight in between; or
 * - `difference`, for a foreign reference: the create succeeded where the same create naming an id
 *   that exists nowhere is refused (the server resolved B's record). It needs a replay to confirm.
 *
 * A success with none of these proves nothing: an API that answers 2xx for ids it does not hold
 * (as it does for the missing-id twin) leaks nothing. That is an observation, not a finding.
 * 429, 5xx and transport errors are never observations.
 */
import type { Exchange, Finding, Observation } from '../model/exchange.ts';
import { CROSS_TENANT_PROBES } from '../model/probe.ts';
import { defineOracle, stateless, type JudgeResult } from './oracle.ts';
import { bodyJson, comparable, isSuccess } from './support/http-text.ts';
import { jsonDiff, maskVolatileKeys, VOLATILE_KEYS, type JsonChange } from './support/normalise.ts';

export interface CrossTenantProbe {
  /** A's request naming B's id (relation `foreign`, `victim` set). */
  probe: Exchange;
  /** A reference to B's record in A's own create, rather than a request on B's record. */
  reference?: boolean;
  /** The same request naming an id that exists nowhere, as A, if the campaign made one. */
  missing?: Exchange;
  /** B's re-read of the record just before the probe. */
  before?: Exchange;
  /** B's re-read of the record just after the probe. */
  after?: Exchange;
}

export interface CrossTenantContext {
  /** Values in an answer owned by the probe's victim that the attacker neither sent nor knew. */
  victimValues(exchange: Exchange): string[];
}

export interface CrossTenantOptions {
  /** Keys ignored when comparing B's record before and after (defaults: request ids; timestamps are kept, since a changed `updatedAt` is a change). */
  volatileKeys?: readonly string[];
}

const DEFAULT_VOLATILE = VOLATILE_KEYS.filter(
  (k) => !['createdAt', 'updatedAt', 'created_at', 'updated_at', 'deletedAt', 'etag'].includes(k),
);

export function checkCrossTenantAccess(
  probes: Iterable<CrossTenantProbe>,
  ctx: CrossTenantContext,
  options: CrossTenantOptions = {},
): { findings: Finding[]; observations: Observation[] } {
  const volatile = options.volatileKeys ?? DEFAULT_VOLATILE;
  const findings: Finding[] = [];
  const observations: Observation[] = [];
  for (const input of probes) {
    const { probe, missing, before, after } = input;
    const victim = probe.victim;
    const base = {
      oracle: 'cross-tenant-access' as const,
      severity: 'critical' as const,
      operationId: probe.operationId,
      attacker: probe.tenant,
      ...(victim ? { victim } : {}),
    };
    const what = `${probe.request.method} ${probe.request.path} as ${probe.tenant}`;
    const status = probe.response?.status;
    if (comparable(probe) && isSuccess(status!)) {
      const values = ctx.victimValues(probe);
      const twin = missing?.response?.status;
      if (values.length > 0) {
        findings.push({
          ...base,
          proof: 'victim-data',
          summary: `${what} on ${victim ?? 'another tenant'}'s record succeeded with ${status} and returned ${values.length} value(s) ${victim ?? 'it'} owns.`,
          evidence: { kind: 'foreign-answer-carries-victim-data', status, values },
          exchanges: [probe.seq],
        });
      } else if (input.reference && missing && comparable(missing) && !isSuccess(twin!)) {
        findings.push({
          ...base,
          proof: 'difference',
          summary: `${what} referencing ${victim ?? 'another tenant'}'s record succeeded with ${status}, where the same request naming an id that exists nowhere gets ${twin}.`,
          evidence: { kind: 'foreign-reference-accepted', status, missingStatus: twin },
          exchanges: [probe.seq, missing.seq],
        });
      } else if (!missing || (comparable(missing) && isSuccess(twin!))) {
        observations.push({
          oracle: 'cross-tenant-access',
          kind: input.reference ? 'references-not-checked' : 'answers-2xx-for-unheld-ids',
          operationId: probe.operationId,
          summary: input.reference
            ? `${probe.operationId} accepts a reference to another tenant's record${missing ? ', as it accepts one to a record that exists nowhere' : ''}, without returning its data`
            : `${probe.operationId} answers ${status} for ids the caller does not hold${missing ? `, as it does for an id that exists nowhere (${twin})` : ''}, without returning their data`,
          exchanges: [probe.seq, ...(missing ? [missing.seq] : [])],
        });
      }
    }
    const change = before && after ? victimChange(before, after, volatile) : undefined;
    if (change) {
      findings.push({
        ...base,
        proof: 'victim-state-change',
        summary:
          change.kind === 'victim-record-changed'
            ? `${probe.tenant}'s ${probe.request.method} ${probe.request.path} changed ${victim ?? 'the victim'}'s record (${change.changes.map((c) => c.path).join(', ')}).`
            : `After ${probe.tenant}'s ${probe.request.method} ${probe.request.path}, ${victim ?? 'the victim'}'s re-read went from ${before!.response!.status} to ${after!.response!.status}.`,
        evidence: {
          kind: change.kind,
          beforeStatus: before!.response!.status,
          afterStatus: after!.response!.status,
          ...(change.changes.length > 0 ? { changes: change.changes } : {}),
        },
        exchanges: [before!.seq, probe.seq, after!.seq],
      });
    }
  }
  return { findings, observations };
}

/** How B's record differs between its re-reads; undefined when it does not (or they are not comparable). */
function victimChange(
  before: Exchange,
  after: Exchange,
  volatile: readonly string[],
): { kind: string; changes: JsonChange[] } | undefined {
  if (!comparable(before) || !comparable(after)) return undefined;
  const b = before.response!;
  const a = after.response!;
  if (isSuccess(b.status) && !isSuccess(a.status)) return { kind: 'victim-record-gone', changes: [] };
  if (b.status !== a.status) return { kind: 'victim-status-changed', changes: [] };
  if (!isSuccess(b.status)) return undefined;
  const changes = jsonDiff(
    maskVolatileKeys(bodyJson(b) ?? b.bodyText, volatile),
    maskVolatileKeys(bodyJson(a) ?? a.bodyText, volatile),
  );
  return changes.length > 0 ? { kind: 'victim-record-changed', changes } : undefined;
}

export const crossTenantAccess = defineOracle<CrossTenantProbe>({
  name: 'cross-tenant-access',
  title: 'Cross-tenant access',
  rule: "A's read, update, delete or action on B's id is a finding only when its answer carries values B owns, or B's own re-reads just before and after show the record changed or gone while no other write that may touch B's records (B's own, or another probe aimed at B) was in flight. A's create referencing B's record is a finding when it succeeds where the same create naming an id that exists nowhere is refused, with no other write of A's (or touching A's records) in between. A 2xx that is neither (as for an id that exists nowhere) is an observation.",
  cwes: ['639'],
  controls: ['CC6.1', 'A.8.3', 'V8.2.2', 'API1:2023', 'AC-3'],
  probes: [...CROSS_TENANT_PROBES, 'foreign-reference'],
  needsVictimBefore: ['cross-tenant-update', 'cross-tenant-delete', 'cross-tenant-action'],
  init: stateless,
  async gather(m, port) {
    if (m.kind !== 'exchange') return [];
    const { exchange } = m;
    const cell = { operationId: exchange.operationId, relation: 'foreign' as const };
    const missing = await port.missingTwin();
    // A reference's twin proves a difference only if the sender wrote nothing else in between.
    if (m.probe === 'foreign-reference')
      return [
        {
          ...cell,
          input: { probe: exchange, reference: true, ...(missing && !port.attackerBusy() ? { missing } : {}) },
        },
      ];
    const after = await port.victimAfter();
    const before = port.victimBefore();
    const input: CrossTenantProbe = { probe: exchange };
    if (missing) input.missing = missing;
    if (before && after && !port.victimBusy()) {
      input.before = before;
      input.after = after;
    }
    return [{ ...cell, input }];
  },
  judge: (probes, ctx): JudgeResult =>
    checkCrossTenantAccess(probes, {
      victimValues: (ex) => ctx.victimValues(ex),
    }),
});
