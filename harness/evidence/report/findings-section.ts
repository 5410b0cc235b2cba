/**
 * Findings: each with oracle, severity, operation, attacker → victim, summary, reproduction rate,
 * transcript lines, the minimal repro as a sequence diagram, and the offending bytes. Foreign-data
 * hits (`evidence.hits[]` with `context: {before, match, after}`) are shown as an excerpt with the
 * match in `<mark>`; other oracles' evidence fields are shown as a readable list.
 */
import type { Exchange } from '../../model/exchange.ts';
import type { Evidence, EvidenceFinding } from '../evidence-schema.ts';
import { hitContext } from '../findings.ts';
import { esc, token } from './escape.ts';
import { renderSequenceDiagram } from './sequence-diagram.ts';
import { stepReplies } from './step-replies.ts';

interface Hit {
  value?: unknown;
  owner?: unknown;
  kind?: unknown;
  source?: unknown;
  part?: unknown;
  offset?: unknown;
  context: { before: string; match: string; after: string };
}

function isHit(v: unknown): v is Hit {
  return hitContext(v) !== undefined;
}

function renderHits(hits: Hit[]): string {
  return hits
    .map((h, i) => {
      const where = [
        h.part !== undefined ? `in the ${esc(h.part)}` : '',
        h.offset !== undefined ? `at byte ${esc(h.offset)}` : '',
      ]
        .filter(Boolean)
        .join(' ');
      const what = [
        h.kind !== undefined ? esc(h.kind) : 'value',
        h.owner !== undefined ? `owned by <b>${esc(h.owner)}</b>` : '',
        h.source !== undefined ? `(first seen in <code>${esc(h.source)}</code>)` : '',
      ]
        .filter(Boolean)
        .join(' ');
      return (
        `<div class="hit"><div>Hit ${i + 1}: ${what}, ${where || 'location not recorded'}</div>` +
        `<pre class="excerpt">…${esc(h.context.before)}<mark>${esc(h.context.match)}</mark>${esc(h.context.after)}…</pre></div>`
      );
    })
    .join('');
}

function renderValue(v: unknown): string {
  if (v === null || v === undefined) return '<span class="muted">none</span>';
  if (typeof v === 'string') return `<code>${esc(v)}</code>`;
  if (typeof v === 'number' || typeof v === 'boolean') return esc(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number') && v.length <= 20)
    return v.length === 0 ? '<span class="muted">(empty)</span>' : v.map((x) => `<code>${esc(x)}</code>`).join(', ');
  return `<pre class="json">${esc(JSON.stringify(v, null, 2))}</pre>`;
}

/** The oracle-specific evidence, readable: hits as highlighted excerpts, everything else as a list. */
export function renderFindingEvidence(evidence: Record<string, unknown>): string {
  const parts: string[] = [];
  const hits = Array.isArray(evidence['hits']) ? (evidence['hits'] as unknown[]) : [];
  const good = hits.filter(isHit);
  if (good.length > 0) parts.push(`<h4>Offending bytes</h4>${renderHits(good)}`);
  const rest = Object.entries(evidence).filter(
    ([k]) => !(k === 'hits' && good.length === hits.length && hits.length > 0),
  );
  if (rest.length > 0)
    parts.push(
      `<dl class="kv evidence-fields">${rest.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${renderValue(v)}</dd>`).join('')}</dl>`,
    );
  return parts.join('');
}

/** The exchanges findings cite: one map for a run, or one per finding (a merged folder). */
export type ExchangeSource = ReadonlyMap<number, Exchange> | ((f: EvidenceFinding) => ReadonlyMap<number, Exchange>);

export function exchangesOf(source: ExchangeSource, f: EvidenceFinding): ReadonlyMap<number, Exchange> {
  return typeof source === 'function' ? source(f) : source;
}

function renderExchanges(f: EvidenceFinding, exchanges: ReadonlyMap<number, Exchange>): string {
  const rows = f.exchanges
    .map((seq) => exchanges.get(seq))
    .filter((e): e is Exchange => e !== undefined)
    .map(
      (e) =>
        `<tr><td>${esc(e.transcriptLine ?? '')}</td><td>${esc(e.tenant)}${e.victim ? ` → ${esc(e.victim)}` : ''}</td><td>${esc(e.relation)}</td><td class="mono">${esc(e.request.method)} ${esc(e.request.path)}</td><td>${e.response ? esc(e.response.status) : esc(e.error ? `error ${e.error.code}` : 'no response')}</td></tr>`,
    );
  if (rows.length === 0) return '';
  return `<div class="table-wrap"><table class="exchanges"><thead><tr><th>transcript line</th><th>tenant</th><th>relation</th><th>request</th><th>status</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

/** Where the diagram's statuses come from, in a sentence under it. */
function repliesNote(f: EvidenceFinding): string {
  if (f.repro.steps.some((s) => s.response))
    return 'Statuses and bytes on the return arrows are from the run of this minimal repro, on fresh tenants with fresh values: ids and canaries differ from the exchanges cited above.';
  return 'This evidence recorded no response per repro step: a status shown is that of the exchange the finding cites, as the finding first fired.';
}

export function renderFinding(f: EvidenceFinding, exchanges: ReadonlyMap<number, Exchange>, index: number): string {
  const rate =
    f.reproduction.attempts > 0
      ? `${f.reproduction.reproduced}/${f.reproduction.attempts} on fresh tenants`
      : 'not replayed';
  const confirmation =
    f.confirmation === 'unconfirmed'
      ? 'UNCONFIRMED: it does not prove itself and did not reproduce on replay, so it cannot make a LEAK verdict'
      : f.confirmation === 'replay'
        ? 'confirmed: it reproduced on replay'
        : f.proof === 'victim-state-change'
          ? "confirmed: it proves itself (the victim's own re-read shows the change)"
          : 'confirmed: it proves itself (values the victim owns came back)';
  const concurrent = f.repro.steps.some((s) => (s.concurrentWith?.length ?? 0) > 0);
  return (
    `<article class="finding${f.confirmation === 'unconfirmed' ? ' unconfirmed' : ''}" id="finding-${esc(f.id)}" data-finding-id="${esc(f.id)}" data-oracle="${esc(f.oracle)}" data-confirmation="${esc(f.confirmation ?? 'self-proving')}">` +
    `<h3>${esc(f.id)} · <span class="badge sev-${token(f.severity)}">${esc(f.severity)}</span> · ${esc(f.oracle)} · <code>${esc(f.operationId)}</code></h3>` +
    `<p class="summary">${esc(f.summary)}</p>` +
    `<dl class="kv">` +
    `<dt>attacker → victim</dt><dd><b>${esc(f.attacker)}</b> → <b>${esc(f.victim ?? 'unknown')}</b></dd>` +
    `<dt>confirmation</dt><dd>${esc(confirmation)}</dd>` +
    (f.probe ? `<dt>probe</dt><dd><code>${esc(f.probe)}</code></dd>` : '') +
    `<dt>reproduction</dt><dd>${esc(rate)}</dd>` +
    `<dt>transcript lines</dt><dd>${f.transcriptLines.length > 0 ? f.transcriptLines.map((l) => `<code>${esc(l)}</code>`).join(', ') : '<span class="muted">none</span>'} <span class="muted">(${esc(f.transcript ?? 'transcript.ndjson')}, 1-based)</span></dd>` +
    (f.origin ? `<dt>from run</dt><dd><code>${esc(f.origin.runId)}</code>, where it is ${esc(f.origin.id)}</dd>` : '') +
    (f.counterexample
      ? `<dt>counterexample</dt><dd><code>${esc(f.counterexample)}</code> — replay with <code>npx tenantproof replay ${esc(f.counterexample)}</code> in this folder</dd>`
      : '') +
    `</dl>` +
    renderExchanges(f, exchanges) +
    `<h4>Minimal repro (${f.repro.steps.length} step${f.repro.steps.length === 1 ? '' : 's'}${concurrent ? ', some concurrent' : ''})</h4>` +
    `<div class="seq">${renderSequenceDiagram(f.repro.steps, { attacker: f.attacker, ...(f.victim ? { victim: f.victim } : {}), idPrefix: `f${index}` }, stepReplies(f, exchanges))}</div>` +
    `<p class="seq-note muted">${esc(repliesNote(f))}</p>` +
    renderFindingEvidence(f.evidence) +
    `</article>`
  );
}

export function renderFindings(evidence: Evidence, exchanges: ExchangeSource): string {
  if (evidence.findings.length === 0) {
    return `<p class="none" id="no-findings">No finding: no oracle raised on any exchange of this run. This is evidence of absence only for what the coverage map shows was exercised.</p>`;
  }
  // Confirmed findings first; the unconfirmed ones apart, under their own heading.
  const indexed = evidence.findings.map((f, i) => ({ f, i }));
  const confirmed = indexed.filter(({ f }) => f.confirmation !== 'unconfirmed');
  const unconfirmed = indexed.filter(({ f }) => f.confirmation === 'unconfirmed');
  return (
    confirmed.map(({ f, i }) => renderFinding(f, exchangesOf(exchanges, f), i)).join('') +
    (unconfirmed.length > 0
      ? `<h3 id="unconfirmed-findings">Unconfirmed (${unconfirmed.length}): neither self-proving nor reproduced; they cannot make a LEAK verdict</h3>` +
        unconfirmed.map(({ f, i }) => renderFinding(f, exchangesOf(exchanges, f), i)).join('')
      : '')
  );
}
