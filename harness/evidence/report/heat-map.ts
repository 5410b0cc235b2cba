/**
 * The coverage heat map: one row per operation, one column group per oracle, split into the three
 * relations (own, foreign, injected). A cell's shade grows with its count (log scale) and shows the
 * count itself; a cell where a finding was raised is outlined in red and marked "!". Every coverage
 * cell of the evidence is one `<td>` carrying `data-operation`, `data-oracle`, `data-relation` and
 * `data-count`, so tests (and curious reviewers) can check the map against evidence.json.
 */
import type { Evidence } from '../evidence-schema.ts';
import { esc } from './escape.ts';
import { exchangesOf, type ExchangeSource } from './findings-section.ts';

const RELATIONS = ['own', 'foreign', 'injected'] as const;
type Rel = (typeof RELATIONS)[number];
const REL_SHORT: Record<Rel, string> = { own: 'own', foreign: 'for', injected: 'inj' };

export function shadeLevel(count: number, max: number): number {
  if (count <= 0) return 0;
  if (max <= 1) return 3;
  return Math.min(5, 1 + Math.floor((4 * Math.log(count)) / Math.log(max)));
}

function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 10_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  return `${Math.round(n / 1000)}k`;
}

/** `operationId|oracle|relation` keys of cells that hold a finding (all relations when unknown). */
export function findingCells(evidence: Evidence, exchanges: ExchangeSource): Set<string> {
  const out = new Set<string>();
  for (const f of evidence.findings) {
    const rels = new Set<Rel>();
    const mine = exchangesOf(exchanges, f);
    for (const seq of f.exchanges) {
      const ex = mine.get(seq);
      if (ex && ex.operationId === f.operationId && (RELATIONS as readonly string[]).includes(ex.relation))
        rels.add(ex.relation as Rel);
    }
    for (const r of rels.size > 0 ? rels : RELATIONS) out.add(`${f.operationId}|${f.oracle}|${r}`);
  }
  return out;
}

export function renderHeatMap(evidence: Evidence, exchanges: ExchangeSource): string {
  const oracles = evidence.method.oracles;
  const ops: string[] = evidence.scope.operations.inScope.map((o) => o.operationId);
  for (const c of evidence.coverage.cells) if (!ops.includes(c.operationId)) ops.push(c.operationId);
  const counts = new Map<string, number>();
  for (const c of evidence.coverage.cells) {
    const k = `${c.operationId}|${c.oracle}|${c.relation}`;
    counts.set(k, (counts.get(k) ?? 0) + c.count);
  }
  // Oracles in the coverage but not in method.oracles still get a column.
  const allOracles = [...oracles];
  for (const c of evidence.coverage.cells) if (!allOracles.includes(c.oracle)) allOracles.push(c.oracle);
  const max = Math.max(0, ...counts.values());
  const hot = findingCells(evidence, exchanges);
  const methodOf = new Map(evidence.scope.operations.inScope.map((o) => [o.operationId, `${o.method} ${o.path}`]));

  const head1 = `<tr><th class="op" rowspan="2">operation</th>${allOracles.map((o) => `<th class="group" colspan="3" scope="colgroup">${esc(o)}</th>`).join('')}</tr>`;
  const head2 = `<tr>${allOracles.map(() => RELATIONS.map((r, i) => `<th class="rel${i === 0 ? ' group' : ''}" title="${esc(r)}">${REL_SHORT[r]}</th>`).join('')).join('')}</tr>`;
  const rows = ops.map((op) => {
    const cells = allOracles
      .map((oracle) =>
        RELATIONS.map((rel, i) => {
          const key = `${op}|${oracle}|${rel}`;
          const n = counts.get(key);
          const isHot = hot.has(key);
          const cls = `c l${shadeLevel(n ?? 0, max)}${i === 0 ? ' g0' : ''}${isHot ? ' finding' : ''}`;
          const title = `${op} × ${oracle} × ${rel}: ${n ?? 0} judged${isHot ? ' — FINDING' : ''}`;
          const data =
            n !== undefined
              ? ` data-operation="${esc(op)}" data-oracle="${esc(oracle)}" data-relation="${rel}" data-count="${n}"`
              : '';
          const text = isHot ? `!${n !== undefined ? compact(n) : ''}` : n !== undefined ? compact(n) : '·';
          return `<td class="${cls}"${data}${isHot ? ' data-finding="true"' : ''} title="${esc(title)}">${text}</td>`;
        }).join(''),
      )
      .join('');
    return `<tr><td class="op mono" title="${esc(methodOf.get(op) ?? '')}">${esc(op)}</td>${cells}</tr>`;
  });
  const legend =
    `<p class="muted">Each cell counts the exchanges or observations an oracle judged for an operation, split by relation: <b>own</b> = a tenant's own data, <b>for</b> = another tenant's id or value, <b>inj</b> = a tenant override. A dot means nothing was judged there: the run makes no claim about that cell.</p>` +
    `<div class="legend">` +
    `<span><i class="c l0" style="background:#fff"></i>none</span>` +
    [1, 2, 3, 4, 5]
      .map(
        (l) =>
          `<span><i class="l${l}" style="background:${['', '#ddf4ff', '#b6e3ff', '#80ccff', '#54aeff', '#218bff'][l]}"></i>${l === 1 ? 'fewer' : l === 5 ? 'more' : ''}</span>`,
      )
      .join('') +
    `<span><i style="background:#ffebe9;outline:2px solid #b3261e;outline-offset:-2px"></i>! finding raised here</span></div>`;
  return `${legend}<div class="heat-wrap"><table class="heat" id="heat-map"><thead>${head1}${head2}</thead><tbody>${rows.join('')}</tbody></table></div>`;
}
