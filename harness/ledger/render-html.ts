/**
 * The ledger report as one self-contained HTML file (`ledger-report.html`): inline CSS, no script,
 * no external resource. Every text and attribute value goes through `esc`; the only hrefs are
 * evidence folders (relative, percent-encoded, to each run's report.html) and http(s) artifact URLs.
 */
import { esc } from '../evidence/report/escape.ts';
import { leakKindText } from './leaked-kinds.ts';
import type { Incident, RunRef } from './incidents.ts';
import {
  coverageText,
  dateText,
  durationText,
  EVENT_TEXT,
  incidentTitle,
  statusText,
  versionText,
  type LedgerReportModel,
  type SinceRun,
} from './report-model.ts';
import { reproStepText } from './repro-template.ts';
import { pathHref, webUrl } from './render-markdown.ts';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1f24}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de}h3{margin-top:1.6rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}code,.hash{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}.hash{word-break:break-all}
.status-open{color:#b42318;font-weight:600}.status-fixed{color:#1a7f37;font-weight:600}
.summary{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #d0d7de;border-radius:6px;padding:.75rem 1rem;min-width:14rem}
.card .big{font-size:2rem;font-weight:700}.muted{color:#57606a}
ol.repro li.leak{font-weight:600}
`;

function evidenceLinks(model: LedgerReportModel, r: RunRef): string {
  const rel = model.evidenceLinks[r.runId] ?? r.evidencePath;
  const links = [`<a href="${esc(pathHref(rel) + '/report.html')}">evidence</a>`];
  const url = webUrl(r.evidenceUrl);
  if (url) links.push(`<a href="${esc(url)}">artifact</a>`);
  return links.join(' · ');
}

const runText = (r: RunRef): string =>
  `<span class="version">${esc(versionText(r.targetVersion))}</span> · <time datetime="${esc(r.date)}">${esc(dateText(r.date))}</time> · run <code>${esc(r.runId)}</code>`;

function sinceCard(title: string, s: SinceRun | undefined, none: string): string {
  return `<div class="card"><div class="muted">${esc(title)}</div>${
    s
      ? `<div class="big" data-days="${s.days}">${s.days}</div><div>day${s.days === 1 ? '' : 's'} since ${runText(s.run)}</div>`
      : `<div class="big">–</div><div>${esc(none)}</div>`
  }</div>`;
}

function incidentSection(model: LedgerReportModel, i: Incident): string {
  const fixes = i.episodes.filter((e) => e.fixedIn);
  const rows: Array<[string, string]> = [
    ['Status', `<span class="status-${esc(i.status)}">${esc(statusText(i))}</span>`],
    ['Severity', esc(i.severity)],
    [
      'Identity',
      `operation <code>${esc(i.operationId)}</code>, probe <code>${esc(i.probe)}</code>, relation <code>${esc(i.relation)}</code>`,
    ],
    ['Detected by', i.oracles.map((o) => `<code>${esc(o)}</code>`).join(', ')],
    ['First seen', runText(i.firstSeen)],
    ['Last seen', runText(i.lastSeen)],
    [
      'Fixed in',
      fixes.length > 0
        ? fixes.map((e) => `${runText(e.fixedIn!)} (time to fix ${esc(durationText(e.timeToFixMs ?? 0))})`).join('<br>')
        : 'not fixed yet',
    ],
    ['Reopened', i.reopened.length > 0 ? i.reopened.map(runText).join('<br>') : 'never'],
  ];
  const d = i.detection;
  const f = d.finding;
  const confirmation =
    f.confirmation === 'self-proving'
      ? 'proves itself'
      : f.confirmation === 'replay'
        ? 'confirmed by replay'
        : f.confirmation;
  return `<section class="incident" id="${esc(i.id)}" data-status="${esc(i.status)}">
<h3>${esc(i.id)}: ${esc(incidentTitle(i))}</h3>
<table class="facts">${rows.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>
<h4>What leaked <span class="muted">(kinds only; no data of any tenant)</span></h4>
<ul class="leaked">${i.leaked.length > 0 ? i.leaked.map((k) => `<li>${esc(leakKindText(k))}</li>`).join('') : '<li>(the findings record no kind)</li>'}</ul>
<h4>How it was detected</h4>
<p>Run <code>${esc(d.run.runId)}</code> (${esc(versionText(d.run.targetVersion))}, ${esc(dateText(d.run.date))}), oracle <code>${esc(f.oracle)}</code>${f.oracleTitle ? ` (${esc(f.oracleTitle)})` : ''}, finding ${esc(f.id)}, ${esc(f.severity)}${confirmation ? `, ${esc(confirmation)}` : ''}; ${evidenceLinks(model, d.run)}.</p>
<p class="muted">Minimal repro: tenants are pseudonymous labels; method and path templates, no values.</p>
<ol class="repro">${f.repro.map((s) => `<li${s.finding ? ' class="leak"' : ''}>${esc(reproStepText(s))}</li>`).join('')}</ol>
<h4>Timeline</h4>
<table class="timeline"><thead><tr><th>Date</th><th>Target version</th><th>Run</th><th>Event</th><th>Oracles</th><th>Evidence</th><th>sha256 of evidence.json / attestation.json</th></tr></thead><tbody>
${i.events
  .map(
    (e) =>
      `<tr data-event="${esc(e.type)}" data-run="${esc(e.run.runId)}" data-version="${esc(e.run.targetVersion ?? '')}" data-date="${esc(e.run.date)}"><td>${esc(dateText(e.run.date))}</td><td>${esc(versionText(e.run.targetVersion))}</td><td><code>${esc(e.run.runId)}</code></td><td>${esc(EVENT_TEXT[e.type])}</td><td>${esc(e.oracles.join(', ') || '–')}</td><td>${evidenceLinks(model, e.run)}</td><td class="hash">${esc(e.run.evidenceSha256)}<br>${esc(e.run.attestationSha256)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>
</section>`;
}

export function renderLedgerHtml(model: LedgerReportModel): string {
  const l = model.ledger;
  const open = model.incidents.filter((i) => i.status === 'open').length;
  const fullTitle =
    model.fullCoverage >= 1
      ? 'Days since the last run that was clean with full coverage'
      : `Days since the last clean run with at least ${Math.round(model.fullCoverage * 100)}% coverage`;
  const runs = [...model.runs].reverse();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Tenant isolation incident ledger</title><style>${STYLE}</style></head>
<body>
<h1>Tenant isolation incident ledger</h1>
<p>Ledger <code>${esc(l.name)}</code>: ${l.entries} entries, ${model.runs.length} run${model.runs.length === 1 ? '' : 's'}. Its hash chain and every signature verified; ${l.pinned ? 'the signing key is pinned (origin verified)' : 'the key was not pinned (integrity verified, origin not)'}. Head <span class="hash">${esc(l.head)}</span>. Report generated ${esc(dateText(model.generatedAt))}.</p>
<h2>Summary</h2>
<div class="summary">
${sinceCard(fullTitle, model.lastCleanFullCoverage, model.fullCoverage >= 1 ? 'no run so far was clean with every tenant-owned operation probed' : 'no such run so far')}
${sinceCard('Days since the last clean run', model.lastClean, 'no clean run so far')}
<div class="card"><div class="muted">Incidents</div><div class="big" data-incidents="${model.incidents.length}">${model.incidents.length}</div><div>${open} open, ${model.incidents.length - open} fixed</div></div>
</div>
<p class="muted">Incident identity: ${esc(model.grouping === 'location' ? 'operation, probe and relation; every oracle that saw it is listed (one defect caught by several oracles is one incident)' : 'oracle, operation, probe and relation')}. Fixed in: the first later run that exercised the operation with every oracle that saw it (its coverage matrix) and found nothing.</p>
<h2>Incidents</h2>
${model.incidents.length > 0 ? model.incidents.map((i) => incidentSection(model, i)).join('\n') : '<p>No run in this ledger found a confirmed isolation leak.</p>'}
<h2>Runs</h2>
<table class="runs"><thead><tr><th>Date</th><th>Target version</th><th>Run</th><th>Verdict</th><th>Coverage</th><th>Findings</th><th>Evidence</th><th>sha256 of evidence.json</th></tr></thead><tbody>
${runs
  .map(
    (r) =>
      `<tr data-run="${esc(r.ref.runId)}"><td>${esc(dateText(r.ref.date))}</td><td>${esc(versionText(r.ref.targetVersion))}</td><td><code>${esc(r.ref.runId)}</code>${r.mergedRuns ? ` (${r.mergedRuns} merged)` : ''}</td><td>${esc(r.verdict)}${r.partial ? ' (partial)' : ''}${r.fullCoverage ? ', full coverage' : ''}</td><td>${esc(coverageText(r.coverage))}</td><td>${r.findings}</td><td>${evidenceLinks(model, r.ref)}</td><td class="hash">${esc(r.ref.evidenceSha256)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>
<h2>Signing keys</h2>
<table class="keys"><thead><tr><th>Key id (SHA-256 of the public key)</th><th>Signed entries</th></tr></thead><tbody>
${l.keys.map((k) => `<tr><td class="hash">${esc(k.keyId)}</td><td>${k.fromEntry}–${k.retiredBy ?? l.entries}${k.retiredBy ? ` (rotated at entry ${k.retiredBy})` : ' (current)'}</td></tr>`).join('\n')}
</tbody></table>
</body></html>
`;
}
