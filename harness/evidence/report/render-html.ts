/**
 * `renderReportHtml(evidence, { exchanges })`: the whole report as ONE self-contained HTML string.
 * Inline CSS only, no script, no external resource of any kind; a CSP meta tag forbids everything
 * else (`default-src 'none'; style-src 'unsafe-inline'; img-src data:`). The output depends only
 * on its inputs (no clock, no randomness), so re-rendering the same run gives the same bytes; the
 * evidence's age in the header is measured against the `now` the caller passes (the time of
 * rendering: `writeReportFiles` passes the system's).
 */
import type { Exchange } from '../../model/exchange.ts';
import type { Evidence } from '../evidence-schema.ts';
import { esc } from './escape.ts';
import { renderFreshness } from './freshness-line.ts';
import { renderFindings, type ExchangeSource } from './findings-section.ts';
import { renderHeatMap } from './heat-map.ts';
import {
  renderControls,
  renderMergedShards,
  renderNegativeControl,
  renderObservations,
  renderScopeAndMethod,
  renderSigning,
  renderSummary,
} from './sections.ts';
import { REPORT_CSS } from './styles.ts';

export const REPORT_HTML_FILE = 'report.html';
export const REPORT_PDF_FILE = 'report.pdf';
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

export interface RenderOptions {
  /** Exchanges by seq (from `exchangesFromTranscript`); only those cited by findings are used. */
  exchanges?: ReadonlyMap<number, Exchange>;
  /**
   * Exchanges by finding id, for findings that cite different transcripts (a merged folder, where
   * exchange numbers repeat across shards). Takes precedence over `exchanges`.
   */
  findingExchanges?: ReadonlyMap<string, ReadonlyMap<number, Exchange>>;
  /** The time of rendering: the header says how old the evidence is then (without it, no age). */
  now?: Date;
}

export function renderReportHtml(evidence: Evidence, options: RenderOptions = {}): string {
  const all = options.exchanges ?? new Map<number, Exchange>();
  const perFinding = options.findingExchanges;
  const exchanges: ExchangeSource = perFinding ? (f) => perFinding.get(f.id) ?? new Map<number, Exchange>() : all;
  const title = `tenantproof ${evidence.verdict.toUpperCase()} — ${evidence.scope.spec.title} ${evidence.scope.spec.version} — run ${evidence.runId}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>Tenant isolation report: ${esc(evidence.scope.spec.title)} ${esc(evidence.scope.spec.version)}</h1>
<p class="subtitle">run <code>${esc(evidence.runId)}</code> · ${esc(evidence.method.startedAt)} → ${esc(evidence.method.endedAt)} (UTC) · evidence schema ${esc(evidence.schemaVersion)}</p>
${renderFreshness(evidence, options.now)}
</header>
<main>
<section id="summary"><h2>Verdict</h2>${renderSummary(evidence)}</section>
<section id="findings"><h2>Findings (${evidence.findings.length})</h2>${renderFindings(evidence, exchanges)}</section>
<section id="coverage" class="big"><h2>Coverage</h2>${renderHeatMap(evidence, exchanges)}</section>
<section id="scope-method" class="big"><h2>Scope and method</h2>${renderScopeAndMethod(evidence)}${renderMergedShards(evidence)}</section>
<section id="negative-control-section"><h2>Negative control</h2>${renderNegativeControl(evidence)}</section>
<section id="observations-section"><h2>Observations and limitations</h2>${renderObservations(evidence)}</section>
<section id="control-mapping" class="big"><h2>Control mapping</h2>${renderControls(evidence)}</section>
<section id="verification"><h2>Signature and verification</h2>${renderSigning(evidence)}</section>
</main>
<footer>Rendered by ${esc(evidence.method.tool.name)} ${esc(evidence.method.tool.version)} from <code>evidence.json</code> and ${evidence.method.merged ? `the transcripts under <code>shards/</code> of merged` : '<code>transcript.ndjson</code> of'} run <code>${esc(evidence.runId)}</code>. What a report does not prove: operations outside the spec or out of scope; inputs the randomized search did not reach (see the coverage map); that the deployment tested is the one in production; side channels such as timing.</footer>
</body>
</html>
`;
}
