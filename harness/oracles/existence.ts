/**
 * Oracle 3, existence: a response to a foreign id is indistinguishable from a response to a random
 * missing id: same status, same header set (volatile headers aside), same body shape, and the same
 * body text once request ids, timestamps and the probed ids themselves are masked.
 */
import type { Exchange, Finding } from '../model/exchange.ts';
import { CROSS_TENANT_PROBES } from '../model/probe.ts';
import { unreadableBody } from '../model/readable-body.ts';
import { defineOracle, stateless } from './oracle.ts';
import { bodyJson, requestIdOf } from './support/http-text.ts';
import { isVolatileHeader, ISO_TIME_RE, jsonShape, maskLiterals, stableStringify } from './support/normalise.ts';

export interface ExistencePair {
  /**
   * `foreign-id` (default): A's request naming B's id against the same request naming an id that
   * exists nowhere. `unique-value`: A's create reusing a value B uses (an email, a slug) against the
   * same create with a fresh value.
   */
  kind?: 'foreign-id' | 'unique-value';
  /** A's request naming B's id (or reusing B's value). */
  foreign: Exchange;
  /** A's same request naming an id that exists nowhere (or with a fresh value). */
  missing: Exchange;
}

interface Difference {
  aspect: string;
  foreign: unknown;
  missing: unknown;
}

/** Path segments (and query values) that differ between the two requests: the probed ids. */
function differingSegments(a: string, b: string): [string[], string[]] {
  const split = (p: string) => p.split(/[/?&=]/).map((s) => decodeURIComponent(s));
  const sa = split(a);
  const sb = split(b);
  const da: string[] = [];
  const db: string[] = [];
  for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
    if (sa[i] !== sb[i]) {
      if (sa[i]) da.push(sa[i]!);
      if (sb[i]) db.push(sb[i]!);
    }
  }
  return [da, db];
}

function requestIdsIn(ex: Exchange): string[] {
  const ids = new Set<string>();
  const h = requestIdOf(ex);
  if (h) ids.add(h);
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (/^(request_?id|trace_?id|correlation_?id)$/i.test(k) && typeof x === 'string') ids.add(x);
        else walk(x);
      }
    }
  };
  walk(bodyJson(ex.response));
  return [...ids];
}

/** The error a body names, as far as a client can tell: problem `type`, `code` or `error`, and `title`. */
function errorIdentity(json: unknown): string {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return '';
  const o = json as Record<string, unknown>;
  const nested = o['error'] && typeof o['error'] === 'object' ? (o['error'] as Record<string, unknown>) : undefined;
  const pick = (...vals: unknown[]) => vals.filter((v) => typeof v === 'string' || typeof v === 'number').join('|');
  return pick(
    o['type'],
    o['code'],
    typeof o['error'] === 'string' ? o['error'] : undefined,
    nested?.['code'],
    o['title'],
  );
}

/** Differences between A's request on B's id and the same request on an id that exists nowhere. */
function foreignIdDifferences(foreign: Exchange, missing: Exchange): Difference[] {
  const f = foreign.response!;
  const m = missing.response!;
  const differences: Difference[] = [];
  if (f.status !== m.status) differences.push({ aspect: 'status', foreign: f.status, missing: m.status });
  const names = (h: Record<string, string>) =>
    Object.keys(h)
      .filter((n) => !isVolatileHeader(n))
      .sort();
  const fn = names(f.headers);
  const mn = names(m.headers);
  if (fn.join('\n') !== mn.join('\n')) differences.push({ aspect: 'header-set', foreign: fn, missing: mn });
  else if (f.headers['content-type'] !== m.headers['content-type'])
    differences.push({
      aspect: 'header:content-type',
      foreign: f.headers['content-type'],
      missing: m.headers['content-type'],
    });
  const fj = bodyJson(f);
  const mj = bodyJson(m);
  const fShape = fj === undefined ? (f.bodyText === '' ? 'empty' : 'text') : jsonShape(fj);
  const mShape = mj === undefined ? (m.bodyText === '' ? 'empty' : 'text') : jsonShape(mj);
  if (stableStringify(fShape) !== stableStringify(mShape))
    differences.push({ aspect: 'body-shape', foreign: fShape, missing: mShape });
  else {
    const [fIds, mIds] = differingSegments(foreign.request.path, missing.request.path);
    const norm = (text: string, probed: string[], reqIds: string[]) =>
      maskLiterals(maskLiterals(text, reqIds, '<request-id>'), probed, '<probed-id>').replace(ISO_TIME_RE, '<time>');
    // Both ids are masked in both bodies: an id of one side that happens to appear in the other
    // (a page number, a count) is then no difference.
    const ids = [...fIds, ...mIds];
    const ft = norm(f.bodyText, ids, requestIdsIn(foreign));
    const mt = norm(m.bodyText, ids, requestIdsIn(missing));
    if (ft !== mt) differences.push({ aspect: 'body-text', foreign: ft, missing: mt });
  }
  return differences;
}

/** Differences between a create reusing B's unique value and the same create with a fresh value: status or error. */
function uniqueValueDifferences(reused: Exchange, fresh: Exchange): Difference[] {
  const r = reused.response!;
  const f = fresh.response!;
  if (r.status !== f.status) return [{ aspect: 'status', foreign: r.status, missing: f.status }];
  const ri = errorIdentity(bodyJson(r));
  const fi = errorIdentity(bodyJson(f));
  return r.status >= 400 && ri !== fi ? [{ aspect: 'error', foreign: ri, missing: fi }] : [];
}

/**
 * A's answer as a comparison may use it: an answer, not throttling, with a body that reads as what
 * it claims (not cut short); a 5xx only in a unique-value pair, where a bare 500 from a unique index
 * is the very signal.
 */
function usable(ex: Exchange, kind: ExistencePair['kind']): boolean {
  const response = ex.response;
  if (!response || response.status === 429 || unreadableBody(response)) return false;
  return kind === 'unique-value' || response.status < 500;
}

export function checkExistence(pairs: Iterable<ExistencePair>): Finding[] {
  const findings: Finding[] = [];
  for (const pair of pairs) {
    const { foreign, missing } = pair;
    const kind = pair.kind ?? 'foreign-id';
    if (!usable(foreign, kind) || !usable(missing, kind)) continue;
    const differences =
      kind === 'unique-value' ? uniqueValueDifferences(foreign, missing) : foreignIdDifferences(foreign, missing);
    if (differences.length === 0) continue;
    const what =
      kind === 'unique-value'
        ? `a value ${foreign.victim ?? 'another tenant'} uses`
        : `${foreign.victim ?? 'another tenant'}'s id`;
    const against = kind === 'unique-value' ? 'the same request with a fresh value' : 'a missing id';
    findings.push({
      oracle: 'existence',
      proof: 'difference',
      severity: differences.some((d) => d.aspect === 'status' || d.aspect === 'body-shape') ? 'high' : 'medium',
      operationId: foreign.operationId,
      attacker: foreign.tenant,
      ...(foreign.victim ? { victim: foreign.victim } : {}),
      summary: `${foreign.request.method} ${foreign.request.path.split('?')[0]} with ${what} is distinguishable from ${against} by ${differences.map((d) => d.aspect).join(', ')}.`,
      evidence: { kind, differences },
      exchanges: [foreign.seq, missing.seq],
    });
  }
  return findings;
}

export const existence = defineOracle<ExistencePair>({
  name: 'existence',
  title: 'Existence disclosure',
  rule: "A's request naming B's id is answered exactly as the same request naming an id that exists nowhere (same status, header set, body shape, and body text once request ids, times and the probed ids are masked); and A's create reusing a unique value B uses (an email, a slug) gets the same status and error as the same create with a fresh value. A difference is a finding, confirmed when it reproduces on replay; throttled (429) and unreadable (cut-short or broken JSON) answers are never compared, nor a pair between which A wrote anything else (or another tenant's write touching A's records ran).",
  cwes: ['639', '200'],
  controls: ['A.8.3', 'V8.2.2', 'API1:2023'],
  probes: [...CROSS_TENANT_PROBES, 'foreign-unique-value'],
  init: stateless,
  async gather(m, port) {
    if (m.kind !== 'exchange') return [];
    const cell = { operationId: m.exchange.operationId, relation: 'foreign' as const };
    // A probe and its twin are compared only if they asked in the same context: nothing the
    // sender wrote meanwhile (its own delete of the parent, say) can explain a difference.
    if (m.probe === 'foreign-unique-value') {
      const fresh = await port.freshValueTwin();
      if (!fresh || port.attackerBusy()) return [];
      return [{ ...cell, input: { kind: 'unique-value', foreign: m.exchange, missing: fresh } }];
    }
    const missing = await port.missingTwin();
    if (!missing || port.attackerBusy()) return [];
    return [{ ...cell, input: { kind: 'foreign-id', foreign: m.exchange, missing } }];
  },
  judge: (pairs) => checkExistence(pairs),
});
