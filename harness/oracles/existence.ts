/**
 * Oracle 3, existence: a response to a foreign id is indistinguishable from a response to a random
 * missing id: same status, same header set (volatile headers aside), same body shape, and the same
 * body text once request ids, timestamps and the probed ids themselves are masked.
 */
import type { Exchange, Finding } from '../model/exchange.ts';
import { CROSS_TENANT_PROBES } from '../model/probe.ts';
import { defineOracle, stateless } from './oracle.ts';
import { bodyJson, requestIdOf } from './support/http-text.ts';
import { ISO_TIME_RE, jsonShape, maskLiterals, stableStringify, VOLATILE_HEADERS } from './support/normalise.ts';

export interface ExistencePair {
  /** A's request naming B's id. */
  foreign: Exchange;
  /** A's same request naming a random id that exists nowhere. */
  missing: Exchange;
}

export interface ExistenceOptions {
  volatileHeaders?: readonly string[];
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

export function checkExistence(pairs: Iterable<ExistencePair>, options: ExistenceOptions = {}): Finding[] {
  const volatile = new Set(options.volatileHeaders ?? VOLATILE_HEADERS);
  const findings: Finding[] = [];
  for (const { foreign, missing } of pairs) {
    const f = foreign.response;
    const m = missing.response;
    if (!f || !m) continue;
    const differences: Array<{ aspect: string; foreign: unknown; missing: unknown }> = [];
    if (f.status !== m.status) differences.push({ aspect: 'status', foreign: f.status, missing: m.status });

    const names = (h: Record<string, string>) =>
      Object.keys(h)
        .filter((n) => !volatile.has(n))
        .sort();
    const fn = names(f.headers);
    const mn = names(m.headers);
    if (fn.join('\n') !== mn.join('\n')) differences.push({ aspect: 'header-set', foreign: fn, missing: mn });
    else {
      for (const n of fn)
        if (f.headers[n] !== m.headers[n])
          differences.push({ aspect: `header:${n}`, foreign: f.headers[n], missing: m.headers[n] });
    }

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
      const ft = norm(f.bodyText, fIds, requestIdsIn(foreign));
      const mt = norm(m.bodyText, mIds, requestIdsIn(missing));
      if (ft !== mt) differences.push({ aspect: 'body-text', foreign: ft, missing: mt });
    }

    if (differences.length > 0) {
      findings.push({
        oracle: 'existence',
        severity: differences.some((d) => d.aspect === 'status' || d.aspect === 'body-shape') ? 'high' : 'medium',
        operationId: foreign.operationId,
        attacker: foreign.tenant,
        ...(foreign.victim ? { victim: foreign.victim } : {}),
        summary: `${foreign.request.method} on ${foreign.victim ?? 'another tenant'}'s id is distinguishable from a missing id by ${differences.map((d) => d.aspect).join(', ')}.`,
        evidence: { differences },
        exchanges: [foreign.seq, missing.seq],
      });
    }
  }
  return findings;
}

export const existence = defineOracle<ExistencePair>({
  name: 'existence',
  title: 'Existence disclosure',
  rule: "A's request naming B's id is answered exactly as the same request naming an id that exists nowhere: same status, header set, body shape, and body text once request ids, times and the probed ids are masked.",
  cwes: ['639', '200'],
  controls: ['A.8.3', 'V8.2.2', 'API1:2023'],
  probes: CROSS_TENANT_PROBES,
  init: stateless,
  async gather(m, port) {
    if (m.kind !== 'exchange') return [];
    const missing = await port.missingTwin();
    return missing
      ? [{ operationId: m.exchange.operationId, relation: 'foreign', input: { foreign: m.exchange, missing } }]
      : [];
  },
  judge: (pairs) => checkExistence(pairs),
});
