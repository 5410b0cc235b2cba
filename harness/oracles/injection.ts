/**
 * Oracle 6, injection: a tenant override (a header, query parameter or body field naming B's real
 * tenant id: `X-Tenant-Id`, `X-Org-Id`, `organisationId`, whatever the spec, the JWT claims or the
 * config name) is a finding only when it demonstrably acted as B:
 * - `victim-data`: the answer carries values B owns; or
 * - `victim-state-change`: what A created with the override moved to B: B's own re-read of it
 *   returns values A sent, and A's own re-read does not.
 * A created record that A cannot re-read, and B does not see, is an observation, not a finding.
 */
import type { Exchange, Finding, Observation, TenantLabel } from '../model/exchange.ts';
import { INJECTION_PROBES, type ProbeName } from '../model/probe.ts';
import { getPath, joinPath } from '../model/resolve-step.ts';
import { defineOracle, stateless } from './oracle.ts';
import { bodyJson, comparable, isSuccess } from './support/http-text.ts';

export type InjectionVector = 'header' | 'query' | 'body' | 'path';

export interface InjectionCase {
  /** A's request carrying the override naming `probe.victim`. */
  probe: Exchange;
  vector: InjectionVector;
  /** Id of the record the probe created, if it created one. */
  createdId?: string;
  /** A's re-read of `createdId` (must succeed). */
  attackerReread?: Exchange;
  /** The victim's re-read of `createdId` (must fail as a missing id would). */
  victimReread?: Exchange;
  /** The same request without the override (sent when the answer carried the victim's values). */
  withoutOverride?: Exchange;
}

export interface InjectionContext {
  /** Owner of a value, from the FingerprintRegistry. */
  ownerOf: (value: string) => TenantLabel | undefined;
  /**
   * Whether `tenant` already knew `value` (it sent it in an earlier request, e.g. a body it
   * copied in a probe). Such a value coming back is no leak. Default: nothing is known.
   */
  knownTo?: (tenant: TenantLabel, value: string) => boolean;
  /** Values owned by `attacker` in an answer to another tenant (not in that tenant's own request). */
  attackerValues?: (exchange: Exchange, attacker: TenantLabel) => string[];
}

function stringsIn(v: unknown, out: Set<string>): Set<string> {
  if (typeof v === 'string') out.add(v);
  else if (Array.isArray(v)) for (const x of v) stringsIn(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v as Record<string, unknown>)) stringsIn(x, out);
  return out;
}

export function checkInjection(
  cases: Iterable<InjectionCase>,
  ctx: InjectionContext,
): { findings: Finding[]; observations: Observation[] } {
  const findings: Finding[] = [];
  const observations: Observation[] = [];
  for (const c of cases) {
    const { probe } = c;
    const victim = probe.victim;
    const base = {
      oracle: 'injection' as const,
      severity: 'critical' as const,
      operationId: probe.operationId,
      attacker: probe.tenant,
      ...(victim ? { victim } : {}),
    };
    if (!comparable(probe)) continue;
    const status = probe.response!.status;

    // Read side: the override made the server answer with the victim's data.
    if (isSuccess(status)) {
      const sent = `${probe.request.url}\n${probe.request.bodyText ?? ''}`;
      // Values of the tenant the override named, that the same request without the override does not
      // return: the override caused them (an unscoped read returns them either way; that is for
      // cross-tenant-access and foreign-data to judge).
      const plain =
        c.withoutOverride && comparable(c.withoutOverride) ? c.withoutOverride.response!.bodyText : undefined;
      const foreign = [...stringsIn(bodyJson(probe.response), new Set())].filter((s) => {
        const owner = ctx.ownerOf(s);
        return (
          owner !== undefined &&
          owner === victim &&
          !sent.includes(s) &&
          !(ctx.knownTo?.(probe.tenant, s) ?? false) &&
          (plain === undefined || !plain.includes(s))
        );
      });
      if (foreign.length > 0) {
        const owners = [...new Set(foreign.map((v) => ctx.ownerOf(v)))].join(', ');
        findings.push({
          ...base,
          proof: 'victim-data',
          summary: `A ${c.vector} tenant override naming ${victim ?? 'another tenant'} on ${probe.request.method} ${probe.request.path} was honoured: the response carries ${foreign.length} value(s) owned by ${owners}.`,
          evidence: {
            kind: 'override-honoured-read',
            vector: c.vector,
            status,
            values: foreign.map((v) => ({ value: v, owner: ctx.ownerOf(v) })),
          },
          exchanges: [probe.seq, ...(c.withoutOverride ? [c.withoutOverride.seq] : [])],
        });
      }
    }

    // Write side: what A created with the override is in B's view when B's own re-read returns A's values.
    if (c.createdId === undefined) continue;
    const reread = c.victimReread;
    const shown =
      reread && comparable(reread) && isSuccess(reread.response!.status)
        ? (ctx.attackerValues?.(reread, probe.tenant) ?? [])
        : [];
    // …and A's own re-read does not: the record moved to B (if A sees it too, B reads it through an
    // unscoped read, which cross-tenant-access and foreign-data judge, not through the override).
    const a = c.attackerReread;
    const attackerSees =
      a !== undefined &&
      comparable(a) &&
      isSuccess(a.response!.status) &&
      shown.some((v) => a.response!.bodyText.includes(v));
    if (shown.length > 0 && !attackerSees) {
      findings.push({
        ...base,
        proof: 'victim-state-change',
        summary: `A record ${probe.tenant} created with a ${c.vector} tenant override naming ${victim ?? 'another tenant'} is in ${victim ?? 'the victim'}'s view: its re-read returns ${shown.length} value(s) ${probe.tenant} sent.`,
        evidence: { kind: 'created-in-victim-view', vector: c.vector, createdId: c.createdId, values: shown },
        exchanges: [probe.seq, reread!.seq],
      });
    } else if (c.attackerReread && comparable(c.attackerReread) && !isSuccess(c.attackerReread.response!.status)) {
      observations.push({
        oracle: 'injection',
        kind: 'override-created-record-unreadable',
        operationId: probe.operationId,
        summary: `a record created with a ${c.vector} tenant override was not readable by its creator (${c.attackerReread.response!.status}), nor shown to the tenant it named`,
        exchanges: [probe.seq, c.attackerReread.seq],
      });
    }
  }
  return { findings, observations };
}

const VECTOR: Partial<Record<ProbeName, InjectionVector>> = {
  'header-injection': 'header',
  'query-injection': 'query',
  'body-injection': 'body',
  'path-injection': 'path',
};

export const injection = defineOracle<InjectionCase>({
  name: 'injection',
  title: 'Tenant override injection',
  rule: "A request as A that names B's real tenant id in a header, query parameter or body field is a finding only when it acted as B: its answer carries values B owns, or what it created moved to B (B's own re-read returns values A sent, and A's does not).",
  cwes: ['639', '915'],
  controls: ['CC6.1', 'V8.4.1', 'API3:2023', 'API5:2023', 'AC-3'],
  probes: INJECTION_PROBES,
  init: stateless,
  async gather(m, port) {
    if (m.kind !== 'exchange') return [];
    const { step, exchange } = m;
    const vector = VECTOR[m.probe];
    if (!vector) return [];
    const c: InjectionCase = { probe: exchange, vector };
    if (comparable(exchange) && isSuccess(exchange.response!.status) && port.victimValues(exchange).length > 0) {
      const withoutOverride = await port.withoutOverrideTwin();
      if (withoutOverride) c.withoutOverride = withoutOverride;
    }
    const produced = port.plan.byId.get(step.operationId)?.op.produces;
    const status = exchange.response?.status ?? 0;
    const createdId =
      produced && status >= 200 && status < 300
        ? getPath(exchange.response?.json, joinPath(produced.envelope, produced.idField))
        : undefined;
    if (typeof createdId === 'string' || typeof createdId === 'number') {
      c.createdId = String(createdId);
      const attackerReread = await port.rereadCreated(step.tenant, 'own');
      const victimReread = step.victim ? await port.rereadCreated(step.victim, 'setup') : undefined;
      if (attackerReread) c.attackerReread = attackerReread;
      if (victimReread) c.victimReread = victimReread;
    }
    return [{ operationId: exchange.operationId, relation: 'injected', input: c }];
  },
  judge: (cases, ctx) =>
    checkInjection(cases, {
      ownerOf: (v) => ctx.ownerOf(v),
      knownTo: ctx.knownTo,
      attackerValues: (ex, attacker) => ctx.ownedValues(ex, attacker),
    }),
});
