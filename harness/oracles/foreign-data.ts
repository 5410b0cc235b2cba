/**
 * Oracle 1, foreign-data: no response to tenant A (status line, headers, body, transport error)
 * contains a fingerprint owned by another tenant B.
 *
 * A value that A itself put in the request (a victim's id in the path of a cross-tenant probe, a
 * victim's canary in a search query) is echoed by many correct servers ("customer X not found"), so
 * such reflected values are not counted: A already knew them. They are reported as `reflected` in
 * the evidence of any finding on the same exchange.
 */
import type { Exchange, Finding, TenantLabel } from '../model/exchange.ts';
import { PROBE_NAMES } from '../model/probe.ts';
import { defineOracle, stateless, type JudgeContext } from './oracle.ts';
import type { FingerprintMatch, FingerprintScanner } from './scan/fingerprint-scanner.ts';
import { excerpt, renderHead, type Part } from './support/http-text.ts';

export interface ForeignDataHit {
  value: string;
  owner: TenantLabel;
  kind: FingerprintMatch['kind'];
  source: string;
  part: Part;
  /** Header name, when `part` is `header`. */
  header?: string;
  /** Byte offset of the value within the part (the body, the header value, the status line, the error message). */
  offset: number;
  /** The same offset in UTF-16 characters, for highlighting. */
  charOffset: number;
  context: { before: string; match: string; after: string };
}

/** Request text in which a fingerprint counts as reflected rather than leaked. */
function requestText(exchange: Exchange): string {
  const r = exchange.request;
  return `${r.method} ${r.url}\n${r.path}\n${Object.entries(r.headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}\n${r.bodyText ?? ''}`;
}

/** Foreign fingerprints in one exchange (reflected values excluded). */
export function foreignDataHits(
  exchange: Exchange,
  scanner: FingerprintScanner,
): { hits: ForeignDataHit[]; reflected: string[] } {
  const tenant = exchange.tenant;
  const sent = requestText(exchange);
  const hits: ForeignDataHit[] = [];
  const reflected = new Set<string>();
  const take = (m: FingerprintMatch, part: Part, text: string, base: number, header?: string) => {
    if (sent.includes(m.value)) {
      reflected.add(m.value);
      return;
    }
    const ex = excerpt(text, m.offset, m.offset + m.length);
    const charBase = base === 0 ? 0 : Buffer.from(text).subarray(0, base).toString('utf8').length;
    hits.push({
      value: m.value,
      owner: m.owner,
      kind: m.kind,
      source: m.source,
      part,
      ...(header !== undefined ? { header } : {}),
      offset: m.offset - base,
      charOffset: ex.charOffset - charBase,
      context: { before: ex.before, match: ex.match, after: ex.after },
    });
  };
  const res = exchange.response;
  if (res) {
    const head = renderHead(res);
    for (const m of scanner.scanForeign(head.text, tenant)) {
      const h = head.headerAt.find((x) => m.offset >= x.start && m.offset < x.end);
      if (!h) take(m, 'status', head.text, 0);
      else if (m.offset >= h.valueStart) take(m, 'header', head.text, h.valueStart, h.name);
      else take(m, 'header', head.text, h.start, h.name); // a fingerprint in a header *name*
    }
    for (const m of scanner.scanForeign(res.bodyText, tenant)) take(m, 'body', res.bodyText, 0);
  }
  if (exchange.error) {
    const text = `${exchange.error.code}: ${exchange.error.message}`;
    for (const m of scanner.scanForeign(text, tenant)) take(m, 'error', text, 0);
  }
  return { hits, reflected: [...reflected] };
}

/** One finding per exchange and victim tenant, listing every foreign fingerprint and where it appeared. */
export function checkForeignData(exchanges: Iterable<Exchange>, scanner: FingerprintScanner): Finding[] {
  const findings: Finding[] = [];
  for (const ex of exchanges) {
    if (ex.relation === 'setup') continue;
    const { hits, reflected } = foreignDataHits(ex, scanner);
    if (hits.length === 0) continue;
    const byVictim = new Map<TenantLabel, ForeignDataHit[]>();
    for (const h of hits) byVictim.set(h.owner, [...(byVictim.get(h.owner) ?? []), h]);
    for (const [victim, vs] of byVictim) {
      const first = vs[0]!;
      const where = first.part === 'header' ? `header ${first.header}` : first.part;
      findings.push({
        oracle: 'foreign-data',
        proof: 'victim-data',
        severity: 'critical',
        operationId: ex.operationId,
        attacker: ex.tenant,
        victim,
        summary: `${ex.request.method} ${ex.request.path} as ${ex.tenant} returned ${vs.length} value(s) owned by ${victim}, first a ${first.kind} in the ${where} at byte ${first.offset}.`,
        evidence: {
          status: ex.response?.status ?? null,
          hits: vs,
          ...(reflected.length > 0 ? { reflected } : {}),
          ...(ex.transcriptLine !== undefined ? { transcriptLine: ex.transcriptLine } : {}),
        },
        exchanges: [ex.seq],
      });
    }
  }
  return findings;
}

/**
 * Drops foreign values the attacker had sent itself in an earlier request (a victim id it probed
 * with, echoed later in its own audit log): it learns nothing from them. Other values of the
 * finding stay, and the echoed ones are listed as `knownToAttacker`.
 */
export function discountKnown(findings: readonly Finding[], ctx: Pick<JudgeContext, 'knownTo'>): Finding[] {
  const kept: Finding[] = [];
  for (const f of findings) {
    const hits = (f.evidence['hits'] as { value: string }[] | undefined) ?? [];
    // Substring match: a victim's canary inside an email the attacker itself sent is known too.
    const isKnown = (v: string): boolean => ctx.knownTo(f.attacker, v);
    const fresh = hits.filter((h) => !isKnown(h.value));
    if (fresh.length === 0) continue;
    const echoed = hits.filter((h) => isKnown(h.value)).map((h) => h.value);
    kept.push(
      fresh.length === hits.length ? f : { ...f, evidence: { ...f.evidence, hits: fresh, knownToAttacker: echoed } },
    );
  }
  return kept;
}

export const foreignData = defineOracle<Exchange>({
  name: 'foreign-data',
  title: 'Foreign data',
  rule: "A response to tenant A (status line, headers, body, or transport error) carries a value owned by tenant B (B's server-issued id, canary, generated unique value, cursor or token) that A never sent itself. Values echoed from A's own requests are reflected, not leaked. It proves itself.",
  cwes: ['639', '200'],
  controls: ['CC6.1', 'A.8.3', 'IVS-06', 'V8.4.1', 'API1:2023', 'API3:2023', 'AC-4', 'SC-4'],
  probes: PROBE_NAMES,
  gate: true,
  init: stateless,
  gather: (m) =>
    m.kind === 'exchange' && m.exchange.relation !== 'setup'
      ? [{ operationId: m.exchange.operationId, relation: m.exchange.relation, input: m.exchange }]
      : [],
  judge: (exchanges, ctx) => discountKnown(checkForeignData(exchanges, ctx.scanner), ctx),
});
