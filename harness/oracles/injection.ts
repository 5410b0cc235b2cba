/**
 * Oracle 6, injection: tenant overrides (an `X-Tenant-Id` header, a `tenant_id`/`tenantId` query
 * parameter, a `tenantId` body field) are ignored or rejected with a 4xx, never honoured. Whatever
 * the request creates belongs to A: A can re-read it, and the victim cannot see it. A response that
 * carries values owned by the victim means the override was honoured for reading.
 */
import type { Exchange, Finding, TenantLabel } from '../model/exchange.ts';
import { INJECTION_PROBES, type ProbeName } from '../model/probe.ts';
import { getPath, joinPath } from '../model/resolve-step.ts';
import { defineOracle, stateless } from './oracle.ts';
import { bodyJson, isSuccess } from './support/http-text.ts';

export type InjectionVector = 'header' | 'query' | 'body';

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
}

export interface InjectionContext {
  /** Owner of a value, from the FingerprintRegistry. */
  ownerOf: (value: string) => TenantLabel | undefined;
  /**
   * Whether `tenant` already knew `value` (it sent it in an earlier request, e.g. a body it
   * copied in a probe). Such a value coming back is no leak. Default: nothing is known.
   */
  knownTo?: (tenant: TenantLabel, value: string) => boolean;
}

function stringsIn(v: unknown, out: Set<string>): Set<string> {
  if (typeof v === 'string') out.add(v);
  else if (Array.isArray(v)) for (const x of v) stringsIn(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v as Record<string, unknown>)) stringsIn(x, out);
  return out;
}

export function checkInjection(cases: Iterable<InjectionCase>, ctx: InjectionContext): Finding[] {
  const findings: Finding[] = [];
  for (const c of cases) {
    const { probe } = c;
    const victim = probe.victim;
    const base = {
      oracle: 'injection' as const,
      operationId: probe.operationId,
      attacker: probe.tenant,
      ...(victim ? { victim } : {}),
    };
    const status = probe.response?.status;
    if (status === undefined) continue;

    // Read side: the override made the server answer with the victim's data.
    if (isSuccess(status)) {
      const sent = `${probe.request.url}\n${probe.request.bodyText ?? ''}`;
      const foreign = [...stringsIn(bodyJson(probe.response), new Set())].filter((s) => {
        const owner = ctx.ownerOf(s);
        return (
          owner !== undefined &&
          owner !== probe.tenant &&
          !sent.includes(s) &&
          !(ctx.knownTo?.(probe.tenant, s) ?? false)
        );
      });
      if (foreign.length > 0) {
        const owners = [...new Set(foreign.map((v) => ctx.ownerOf(v)))].join(', ');
        findings.push({
          ...base,
          severity: 'critical',
          summary: `A ${c.vector} tenant override naming ${victim ?? 'another tenant'} on ${probe.request.method} ${probe.request.path} was honoured: the response carries ${foreign.length} value(s) owned by ${owners}.`,
          evidence: {
            kind: 'override-honoured-read',
            vector: c.vector,
            status,
            values: foreign.map((v) => ({ value: v, owner: ctx.ownerOf(v) })),
          },
          exchanges: [probe.seq],
        });
      }
    }

    // Write side: what was created must be A's.
    if (c.createdId !== undefined) {
      const a = c.attackerReread?.response?.status;
      const v = c.victimReread?.response?.status;
      if (a !== undefined && !isSuccess(a)) {
        findings.push({
          ...base,
          severity: 'critical',
          summary: `A record created by ${probe.tenant} with a ${c.vector} tenant override is not readable by ${probe.tenant} (${a}): it was filed under another tenant.`,
          evidence: {
            kind: 'created-not-owned-by-attacker',
            vector: c.vector,
            createdId: c.createdId,
            attackerRereadStatus: a,
          },
          exchanges: [probe.seq, c.attackerReread!.seq],
        });
      }
      if (v !== undefined && isSuccess(v)) {
        findings.push({
          ...base,
          severity: 'critical',
          summary: `A record created by ${probe.tenant} with a ${c.vector} tenant override is readable by ${victim ?? 'the victim'} (${v}).`,
          evidence: {
            kind: 'created-visible-to-victim',
            vector: c.vector,
            createdId: c.createdId,
            victimRereadStatus: v,
          },
          exchanges: [probe.seq, c.victimReread!.seq],
        });
      }
    }
  }
  return findings;
}

const VECTOR: Partial<Record<ProbeName, InjectionVector>> = {
  'header-injection': 'header',
  'query-injection': 'query',
  'body-injection': 'body',
};

export const injection = defineOracle<InjectionCase>({
  name: 'injection',
  title: 'Tenant override injection',
  rule: "A request as A that names B's tenant in a header, query parameter or body field must not act as B: its answer carries no value B owns, and a record it creates is readable by A and not by B.",
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
    const produced = port.plan.byId.get(step.operationId)?.op.produces;
    const status = exchange.response?.status ?? 0;
    const createdId =
      produced && status >= 200 && status < 300
        ? getPath(exchange.response?.json, joinPath(produced.envelope, produced.idField))
        : undefined;
    if (typeof createdId === 'string' || typeof createdId === 'number') {
      c.createdId = String(createdId);
      const attackerReread = await port.rereadCreated(step.tenant, 'own');
      const victimReread = step.victim ? await port.rereadCreated(step.victim, 'foreign') : undefined;
      if (attackerReread) c.attackerReread = attackerReread;
      if (victimReread) c.victimReread = victimReread;
    }
    return [{ operationId: exchange.operationId, relation: 'injected', input: c }];
  },
  judge: (cases, ctx) => checkInjection(cases, { ownerOf: (v) => ctx.ownerOf(v), knownTo: ctx.knownTo }),
});
