/**
 * Oracle 2, cross-tenant-access: A's read, update or delete of B's id must fail as a missing id
 * would, and B's record must be unchanged afterwards (re-read as B before and after the probe).
 */
import type { Exchange, Finding } from '../model/exchange.ts';
import { CROSS_TENANT_PROBES } from '../model/probe.ts';
import { defineOracle, stateless } from './oracle.ts';
import { bodyJson, isSuccess } from './support/http-text.ts';
import { jsonDiff, maskVolatileKeys, VOLATILE_KEYS, type JsonChange } from './support/normalise.ts';

export interface CrossTenantProbe {
  /** A's request naming B's id (relation `foreign`, `victim` set). */
  probe: Exchange;
  /** The same operation on a random missing id, as A, if the campaign made one. */
  missing?: Exchange;
  /** B's re-read of the record just before the probe. */
  before?: Exchange;
  /** B's re-read of the record just after the probe. */
  after?: Exchange;
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
  options: CrossTenantOptions = {},
): Finding[] {
  const volatile = options.volatileKeys ?? DEFAULT_VOLATILE;
  const findings: Finding[] = [];
  for (const { probe, missing, before, after } of probes) {
    const victim = probe.victim;
    const status = probe.response?.status;
    const seqs = [probe.seq, ...(missing ? [missing.seq] : [])];
    if (status !== undefined && status < 400) {
      const missingStatus = missing?.response?.status;
      findings.push({
        oracle: 'cross-tenant-access',
        severity: 'critical',
        operationId: probe.operationId,
        attacker: probe.tenant,
        ...(victim ? { victim } : {}),
        summary: `${probe.request.method} ${probe.request.path} as ${probe.tenant} on ${victim ?? 'another tenant'}'s record succeeded with ${status}${missingStatus !== undefined ? `, where a missing id gets ${missingStatus}` : ''}.`,
        evidence: {
          kind: 'foreign-probe-succeeded',
          status,
          ...(missingStatus !== undefined ? { missingStatus } : {}),
        },
        exchanges: seqs,
      });
    }
    if (before?.response && after?.response) {
      const b = before.response;
      const a = after.response;
      let changes: JsonChange[] = [];
      let kind = '';
      if (isSuccess(b.status) && !isSuccess(a.status)) {
        kind = 'victim-record-gone';
      } else if (b.status !== a.status) {
        kind = 'victim-status-changed';
      } else if (isSuccess(b.status)) {
        changes = jsonDiff(
          maskVolatileKeys(bodyJson(b) ?? b.bodyText, volatile),
          maskVolatileKeys(bodyJson(a) ?? a.bodyText, volatile),
        );
        if (changes.length > 0) kind = 'victim-record-changed';
      }
      if (kind) {
        findings.push({
          oracle: 'cross-tenant-access',
          severity: 'critical',
          operationId: probe.operationId,
          attacker: probe.tenant,
          ...(victim ? { victim } : {}),
          summary:
            kind === 'victim-record-changed'
              ? `${probe.tenant}'s ${probe.request.method} ${probe.request.path} changed ${victim ?? 'the victim'}'s record (${changes.map((c) => c.path).join(', ')}).`
              : `After ${probe.tenant}'s ${probe.request.method} ${probe.request.path}, ${victim ?? 'the victim'}'s re-read went from ${b.status} to ${a.status}.`,
          evidence: { kind, beforeStatus: b.status, afterStatus: a.status, ...(changes.length > 0 ? { changes } : {}) },
          exchanges: [before.seq, probe.seq, after.seq],
        });
      }
    }
  }
  return findings;
}

export const crossTenantAccess = defineOracle<CrossTenantProbe>({
  name: 'cross-tenant-access',
  title: 'Cross-tenant access',
  rule: "A's read, update, delete or action on B's id, or A's create that references B's record, must fail; and B's record, re-read by B just before and just after A's attempt, must be unchanged (a change during B's own concurrent write is not counted).",
  cwes: ['639'],
  controls: ['CC6.1', 'A.8.3', 'V8.2.2', 'API1:2023', 'AC-3'],
  probes: [...CROSS_TENANT_PROBES, 'foreign-reference'],
  needsVictimBefore: ['cross-tenant-update', 'cross-tenant-delete', 'cross-tenant-action'],
  init: stateless,
  async gather(m, port) {
    if (m.kind !== 'exchange') return [];
    const { exchange } = m;
    const cell = { operationId: exchange.operationId, relation: 'foreign' as const };
    if (m.probe === 'foreign-reference') return [{ ...cell, input: { probe: exchange } }];
    const missing = await port.missingTwin();
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
  judge: (probes) => checkCrossTenantAccess(probes),
});
