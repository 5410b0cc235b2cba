/**
 * Oracle 7, audit: where the target exposes an audit log, every request A made appears in A's log
 * (by request id), none of A's request ids appears in another tenant's log, and A's log holds no
 * request id of another tenant's.
 */
import type { AuditedRequest } from '../model/checkpoint-view.ts';
import type { Finding, Observation, TenantLabel } from '../model/exchange.ts';
import { bodyJson } from './support/http-text.ts';
import { defineOracle, stateless } from './oracle.ts';

export type { AuditedRequest };

export interface TenantAuditView {
  tenant: TenantLabel;
  /** Requests A made that the log must contain (made before the log was read; provisioning excluded). */
  made: readonly AuditedRequest[];
  /** Request ids in A's log as A read it. */
  logged: readonly string[];
  /** Exchanges that read the log (all pages). */
  logExchanges: readonly number[];
  /** Operation that reads the log, for findings. */
  logOperationId: string;
  /** A page whose body is not JSON (sniffed, not by label): the log cannot be judged. */
  unreadable?: number;
}

export function checkAudit(views: readonly TenantAuditView[]): { findings: Finding[]; observations: Observation[] } {
  const findings: Finding[] = [];
  const observations: Observation[] = [];
  for (const v of views.filter((x) => x.unreadable !== undefined))
    observations.push({
      oracle: 'audit',
      kind: 'audit-log-not-json',
      operationId: v.logOperationId,
      summary: `${v.logOperationId}'s answer is not JSON (whatever its content type says), so ${v.tenant}'s audit log could not be judged`,
      exchanges: [v.unreadable!],
    });
  views = views.filter((x) => x.unreadable === undefined);
  const madeBy = new Map<string, { tenant: TenantLabel; req: AuditedRequest }>();
  for (const v of views) for (const r of v.made) madeBy.set(r.requestId, { tenant: v.tenant, req: r });
  const loggedBy = new Map<TenantLabel, Set<string>>(views.map((v) => [v.tenant, new Set(v.logged)]));

  for (const v of views) {
    const own = loggedBy.get(v.tenant)!;
    // Other tenants' request ids in A's log: A can see B's activity (attacker A reads, victim B).
    const foreignByOwner = new Map<TenantLabel, AuditedRequest[]>();
    for (const id of own) {
      const m = madeBy.get(id);
      if (m && m.tenant !== v.tenant) foreignByOwner.set(m.tenant, [...(foreignByOwner.get(m.tenant) ?? []), m.req]);
    }
    for (const [victim, reqs] of foreignByOwner) {
      findings.push({
        oracle: 'audit',
        proof: 'victim-data',
        severity: 'high',
        operationId: v.logOperationId,
        attacker: v.tenant,
        victim,
        summary: `${v.tenant}'s audit log lists ${reqs.length} request(s) made by ${victim}.`,
        evidence: {
          kind: 'foreign-event-in-log',
          requestIds: reqs.map((r) => r.requestId),
          madeAt: reqs.map((r) => r.seq),
        },
        exchanges: [...v.logExchanges, ...reqs.map((r) => r.seq)],
      });
    }
    // A's requests missing from A's log (and where they went, if anywhere).
    const missing = v.made.filter((r) => !own.has(r.requestId));
    if (missing.length > 0) {
      const elsewhere = new Map<TenantLabel, string[]>();
      for (const r of missing) {
        for (const [t, ids] of loggedBy)
          if (t !== v.tenant && ids.has(r.requestId)) elsewhere.set(t, [...(elsewhere.get(t) ?? []), r.requestId]);
      }
      findings.push({
        oracle: 'audit',
        // Under another tenant's log, A's request ids are data in B's view; missing everywhere, a difference.
        proof: elsewhere.size > 0 ? 'victim-data' : 'difference',
        severity: elsewhere.size > 0 ? 'high' : 'medium',
        operationId: missing[0]!.operationId,
        attacker: v.tenant,
        ...(elsewhere.size === 1 ? { victim: [...elsewhere.keys()][0]! } : {}),
        summary: `${missing.length} of ${v.tenant}'s ${v.made.length} request(s) are missing from its audit log${elsewhere.size > 0 ? `, logged under ${[...elsewhere.keys()].join(', ')} instead` : ''}.`,
        evidence: {
          kind: 'own-event-missing',
          requestIds: missing.map((r) => r.requestId),
          loggedUnder: Object.fromEntries(elsewhere),
        },
        exchanges: [...missing.map((r) => r.seq), ...v.logExchanges],
      });
    }
  }
  return { findings, observations };
}

function stringsIn(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringsIn(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) stringsIn(x, out);
  return out;
}

export const audit = defineOracle<TenantAuditView>({
  name: 'audit',
  title: 'Audit attribution',
  rule: "Where the API has an audit log, read to its end and JSON on every page (sniffed from the bytes, not the label): A's request ids in another tenant's log, or another tenant's in A's, prove themselves; A's request ids missing from every log are a finding confirmed on replay. A log that is not JSON is a conformance note, not a finding.",
  cwes: ['639', '200'],
  controls: ['V8.4.1', 'SC-4'],
  probes: ['audit-check'],
  checkpoint: true,
  init: stateless,
  gather(m) {
    if (m.kind !== 'checkpoint') return [];
    return m.view.audits.map((log) => {
      // The log is judged only when every page is JSON: sniffed from the bytes, not the label.
      const unreadable = log.pages.find((p) => bodyJson(p.response) === undefined);
      return {
        operationId: log.operationId,
        relation: 'own' as const,
        input: {
          ...(unreadable ? { unreadable: unreadable.seq } : {}),
          tenant: log.tenant,
          // Only demand completeness when the whole log was read.
          made: log.complete ? log.requests.filter((r) => !log.pages.some((p) => p.seq === r.seq)) : [],
          logged: log.pages.flatMap((p) => stringsIn(bodyJson(p.response))),
          logExchanges: log.pages.map((p) => p.seq),
          logOperationId: log.operationId,
        },
      };
    });
  },
  judge: (views) => checkAudit(views),
});
