/** The report's plain sections: verdict summary, scope and method, negative control, controls, signing. */
import type { Evidence } from '../evidence-schema.ts';
import { esc, token } from './escape.ts';

const VERDICT = {
  clean: { word: 'CLEAN', icon: '✓', meaning: 'No isolation leak found in what this run exercised.' },
  leak: { word: 'LEAK', icon: '✗', meaning: 'Isolation is broken: one tenant saw or changed another tenant’s data.' },
  inconclusive: {
    word: 'INCONCLUSIVE',
    icon: '?',
    meaning: 'This run cannot support a verdict (the reason follows).',
  },
} as const;

export function renderSummary(e: Evidence): string {
  const v = VERDICT[e.verdict];
  const n = (label: string, value: string | number, bad = false, id = '') =>
    `<div${bad ? ' class="bad"' : ''}${id ? ` id="${id}"` : ''}><b>${esc(value)}</b><span>${esc(label)}</span></div>`;
  return (
    `<div class="verdict verdict-${token(e.verdict)}" id="verdict" data-verdict="${esc(e.verdict)}" role="status">` +
    `<span class="icon" aria-hidden="true">${v.icon}</span><div><div class="word">${v.word}</div><div class="meaning">${esc(v.meaning)}</div></div></div>` +
    (e.verdictReason ? `<p class="warn" id="verdict-reason">Why: ${esc(e.verdictReason)}</p>` : '') +
    renderCoverageStatement(e) +
    `<div class="numbers" id="key-numbers">` +
    n('confirmed findings', confirmed(e).length, confirmed(e).length > 0, 'n-findings') +
    n('unconfirmed', e.findings.length - confirmed(e).length, false, 'n-unconfirmed') +
    n('requests', e.method.requestCount) +
    n('operations in scope', e.scope.operations.inScope.length) +
    n('tenants', e.method.tenants.length) +
    n('seed', e.method.seed) +
    n('partial run', e.method.partial ? 'yes' : 'no', e.method.partial) +
    `</div>` +
    (e.method.partial
      ? `<p class="warn">This run is partial${e.method.partialReason ? `: ${esc(e.method.partialReason)}` : ''}. The evidence covers only what ran.</p>`
      : '') +
    (e.negativeControl.outcome !== 'passed'
      ? `<p class="warn">Negative control ${esc(e.negativeControl.outcome)}${e.negativeControl.detail ? `: ${esc(e.negativeControl.detail)}` : ''}. A run whose oracles are not shown to fire cannot be clean.</p>`
      : '')
  );
}

const confirmed = (e: Evidence) => e.findings.filter((f) => f.confirmation !== 'unconfirmed');

/** "k of n tenant-owned operations probed cross-tenant", and those that were not, with the fix. */
function renderCoverageStatement(e: Evidence): string {
  const s = e.coverage.summary;
  if (!s) return '';
  const line = `${s.probed} of ${s.tenantOwned} tenant-owned operations probed cross-tenant (${Math.round(s.ratio * 100)}%; the gate for a CLEAN verdict is ${Math.round(s.minimum * 100)}%).`;
  const rows = s.notProbed
    .map(
      (n) =>
        `<tr><td><code>${esc(n.operationId)}</code></td><td>${esc(n.reason)}</td><td>${n.fix ? esc(n.fix) : ''}</td></tr>`,
    )
    .join('');
  return (
    `<p id="coverage-statement"><b>${esc(line)}</b></p>` +
    (rows
      ? `<details${s.ratio < s.minimum ? ' open' : ''}><summary>Not probed (${s.notProbed.length})</summary><div class="table-wrap"><table id="not-probed"><thead><tr><th>operation</th><th>why</th><th>fix</th></tr></thead><tbody>${rows}</tbody></table></div></details>`
      : '')
  );
}

/** What limits this run's proof, and how the target conformed: never part of the verdict. */
export function renderObservations(e: Evidence): string {
  const list = e.observations ?? [];
  if (list.length === 0) return '<p class="muted" id="no-observations">None.</p>';
  return (
    `<p class="muted">Behaviours that limit what this run can prove, and how the target conformed. They are not findings and do not enter the verdict.</p>` +
    `<div class="table-wrap"><table id="observations"><thead><tr><th>operation</th><th>what</th><th>seen</th><th>transcript lines</th></tr></thead><tbody>` +
    list
      .map(
        (o) =>
          `<tr data-kind="${esc(o.kind)}"><td><code>${esc(o.operationId)}</code></td><td>${esc(o.summary)}</td><td>${esc(o.count)}×</td><td>${(o.transcriptLines ?? []).map((l) => `<code>${esc(l)}</code>`).join(', ')}</td></tr>`,
      )
      .join('') +
    `</tbody></table></div>`
  );
}

function duration(a: string, b: string): string {
  const ms = Date.parse(b) - Date.parse(a);
  if (!Number.isFinite(ms) || ms < 0) return '';
  return ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;
}

export function renderScopeAndMethod(e: Evidence): string {
  const s = e.scope;
  const m = e.method;
  const budget =
    [
      m.budget.ms !== undefined ? `${(m.budget.ms / 1000).toFixed(0)} s search` : '',
      m.budget.runs !== undefined ? `at most ${m.budget.runs} runs` : '',
    ]
      .filter(Boolean)
      .join(', ') || 'not recorded';
  const target =
    s.target.kind === 'embedded'
      ? `embedded reference CRM${s.target.url ? ` at ${s.target.url}` : ''}`
      : (s.target.url ?? 'URL not recorded');
  return (
    `<h3>Scope</h3><dl class="kv" id="scope">` +
    `<dt>spec</dt><dd>${esc(s.spec.title)} ${esc(s.spec.version)}${s.spec.file ? ` (<code>${esc(s.spec.file)}</code>)` : ''}</dd>` +
    `<dt>spec SHA-256</dt><dd><code>${esc(s.spec.sha256)}</code></dd>` +
    `<dt>target</dt><dd>${esc(target)}${s.target.faults && s.target.faults.length > 0 ? ` — faults switched on: <b>${s.target.faults.map(esc).join(', ')}</b>` : ''}</dd>` +
    `<dt>operations</dt><dd>${s.operations.inScope.length} in scope, ${s.operations.outOfScope.length} out of scope</dd></dl>` +
    `<div class="table-wrap"><table id="ops-in"><thead><tr><th>in scope</th><th>method</th><th>path</th><th>kind</th></tr></thead><tbody>` +
    s.operations.inScope
      .map(
        (o) =>
          `<tr><td><code>${esc(o.operationId)}</code></td><td>${esc(o.method)}</td><td class="mono">${esc(o.path)}</td><td>${esc(o.kind ?? '')}</td></tr>`,
      )
      .join('') +
    `</tbody></table></div>` +
    (s.operations.outOfScope.length > 0
      ? `<div class="table-wrap"><table id="ops-out"><thead><tr><th>out of scope</th><th>method</th><th>path</th><th>why</th></tr></thead><tbody>` +
        s.operations.outOfScope
          .map(
            (o) =>
              `<tr><td><code>${esc(o.operationId)}</code></td><td>${esc(o.method ?? '')}</td><td class="mono">${esc(o.path ?? '')}</td><td>${esc(o.reason)}</td></tr>`,
          )
          .join('') +
        `</tbody></table></div>`
      : '<p class="muted">No operation was left out of scope.</p>') +
    `<h3>Method</h3><dl class="kv" id="method">` +
    `<dt>tool</dt><dd>${esc(m.tool.name)} ${esc(m.tool.version)}, git commit <code>${esc(m.tool.gitCommit ?? 'unknown')}</code></dd>` +
    (m.merged
      ? `<dt>seed</dt><dd><code>${esc(m.seed)}</code>${m.merged.shardCount ? ` (the campaign's base seed; each shard's own seed is listed below)` : " (of the first run; each run's seed is listed below)"}</dd>`
      : m.shard
        ? `<dt>seed</dt><dd><code>${esc(m.seed)}</code> (this shard's own seed, derived from the campaign's base seed below)</dd>`
        : `<dt>seed</dt><dd><code>${esc(m.seed)}</code> (re-run with <code>--seed ${esc(m.seed)}</code>)</dd>`) +
    `<dt>budget</dt><dd>${esc(budget)}</dd>` +
    `<dt>tenants</dt><dd>${m.tenants.map((t) => `<code>${esc(t)}</code>`).join(' ')} <span class="muted">(pseudonymous labels)</span></dd>` +
    `<dt>oracles</dt><dd>${m.oracles.map((o) => esc(o)).join(', ')}</dd>` +
    `<dt>requests</dt><dd>${esc(m.requestCount)}</dd>` +
    `<dt>interleaved batches</dt><dd>${esc(m.interleavedBatchCount)}${m.concurrency ? ` (up to ${esc(m.concurrency)} concurrent requests)` : ''}</dd>` +
    (m.shard
      ? `<dt>shard</dt><dd>${esc(m.shard.index)} of ${esc(m.shard.count)} (base seed <code>${esc(m.shard.baseSeed)}</code>; re-run with <code>--seed ${esc(m.shard.baseSeed)} --shard ${esc(m.shard.index)}/${esc(m.shard.count)}</code>)</dd>`
      : '') +
    (m.merged
      ? `<dt>merged</dt><dd>${m.merged.shards.length} run folder${m.merged.shards.length === 1 ? '' : 's'}${m.merged.shardCount ? ` of a campaign sharded ${esc(m.merged.shardCount)} ways` : ''}; requests, batches and coverage are their sums (see <a href="#merged-shards">the runs merged</a>)</dd>`
      : '') +
    `<dt>started (UTC)</dt><dd>${esc(m.startedAt)}</dd>` +
    `<dt>ended (UTC)</dt><dd>${esc(m.endedAt)} <span class="muted">${esc(duration(m.startedAt, m.endedAt))}</span></dd>` +
    `<dt>partial</dt><dd>${m.partial ? `yes${m.partialReason ? `: ${esc(m.partialReason)}` : ''}` : 'no'}</dd>` +
    `</dl>` +
    renderOracleRules(e)
  );
}

/** Each oracle that ran, with its proof rule: what it had to show before it could raise a finding. */
function renderOracleRules(e: Evidence): string {
  const rules = e.method.oracleRules;
  if (!rules || rules.length === 0) return '';
  return (
    `<h3>Oracles and their proof rules</h3><div class="table-wrap"><table id="oracle-rules"><thead><tr><th>oracle</th><th>a finding needs</th></tr></thead><tbody>` +
    rules
      .map(
        (r) =>
          `<tr data-oracle="${esc(r.name)}"><td><b>${esc(r.title)}</b><br><code>${esc(r.name)}</code></td><td>${esc(r.rule)}</td></tr>`,
      )
      .join('') +
    `</tbody></table></div>`
  );
}

/** For a merged folder: the runs it merged, each still sealed under shards/<runId>/. */
export function renderMergedShards(e: Evidence): string {
  const mg = e.method.merged;
  if (!mg) return '';
  const rows = mg.shards
    .map(
      (s) =>
        `<tr data-run-id="${esc(s.runId)}"><td>${s.index !== undefined ? `${esc(s.index)}${mg.shardCount ? ` of ${esc(mg.shardCount)}` : ''}` : '—'}</td><td><code>${esc(s.runId)}</code></td><td><code>${esc(s.seed)}</code></td>` +
        `<td>${esc(s.requestCount)}</td><td>${esc(s.interleavedBatchCount)}</td><td>${esc(s.findings)}</td><td><span class="badge st-${token(s.verdict)}">${esc(s.verdict)}</span></td><td>${esc(s.negativeControl)}</td>` +
        `<td>${s.partial ? `yes${s.partialReason ? `: ${esc(s.partialReason)}` : ''}` : 'no'}</td><td class="mono" title="${esc(s.evidenceSha256)}">${esc(s.evidenceSha256.slice(0, 12))}…</td></tr>`,
    )
    .join('');
  const missing = mg.missing
    .map(
      (i) =>
        `<tr class="missing"><td>${esc(i)}${mg.shardCount ? ` of ${esc(mg.shardCount)}` : ''}</td><td colspan="9"><b>missing</b>: this shard was not merged, so the evidence is partial</td></tr>`,
    )
    .join('');
  return (
    `<h3 id="merged-shards">Runs merged</h3>` +
    `<p>This evidence merges ${mg.shards.length} run folder${mg.shards.length === 1 ? '' : 's'}. Each is kept byte for byte under <code>shards/&lt;runId&gt;/</code> with its own manifest, attestation and public key; findings cite the transcript of the run they came from.</p>` +
    `<div class="table-wrap"><table id="merged-shard-list"><thead><tr><th>shard</th><th>run</th><th>seed</th><th>requests</th><th>batches</th><th>findings</th><th>verdict</th><th>negative control</th><th>partial</th><th>evidence.json SHA-256</th></tr></thead><tbody>${rows}${missing}</tbody></table></div>`
  );
}

export function renderNegativeControl(e: Evidence): string {
  const nc = e.negativeControl;
  return (
    `<p>Before trusting a clean result, the run planted another tenant’s value in a copy of a real response and checked that the oracles raise on it. Overall: <span class="badge st-${token(nc.outcome)}" id="nc-outcome">${esc(nc.outcome)}</span>${nc.detail ? ` — ${esc(nc.detail)}` : ''}</p>` +
    (nc.oracles.length > 0
      ? `<div class="table-wrap"><table id="negative-control"><thead><tr><th>oracle</th><th>planted</th><th>fired</th><th>outcome</th><th>detail</th></tr></thead><tbody>` +
        nc.oracles
          .map(
            (o) =>
              `<tr><td>${esc(o.oracle)}</td><td>${o.planted ? 'yes' : 'no'}</td><td>${o.fired ? 'yes' : 'no'}</td><td><span class="badge st-${token(o.outcome)}">${esc(o.outcome)}</span></td><td>${esc(o.detail ?? '')}</td></tr>`,
          )
          .join('') +
        `</tbody></table></div>`
      : '<p class="muted">No oracle was exercised by the negative control.</p>')
  );
}

export function renderControls(e: Evidence): string {
  return (
    `<div class="table-wrap"><table id="controls"><thead><tr><th>framework</th><th>control</th><th>title</th><th>what this run tested</th><th>oracles</th><th>status</th></tr></thead><tbody>` +
    e.controlMapping
      .map(
        (c) =>
          `<tr><td>${esc(c.framework)}</td><td><b>${esc(c.id)}</b></td><td>${esc(c.title)}</td><td>${esc(c.tested)}</td><td>${c.oracles.map(esc).join(', ')}</td><td><span class="badge st-${token(c.status)}">${esc(c.status)}</span>${c.findings && c.findings.length > 0 ? ` <span class="muted">(${c.findings.map(esc).join(', ')})</span>` : ''}</td></tr>`,
      )
      .join('') +
    `</tbody></table></div>` +
    `<p class="muted">Status: <b>tested-not-violated</b> = tested, and no finding of a kind that violates it; <b>violated</b> = a finding of such a kind (its ids in brackets); <b>not-tested</b> = none of its oracles ran; <b>inconclusive</b> = the run cannot support a verdict. A control is violated by the kinds of finding that bear on it, not by every finding: a read of another tenant's record by id violates the object-level controls, not the tenant-override or shared-resource ones.</p>`
  );
}

export function renderSigning(e: Evidence): string {
  const s = e.signing;
  return (
    `<div class="verify" id="signing">` +
    (s
      ? `<dl class="kv"><dt>algorithm</dt><dd>${esc(s.algorithm)} (in-toto Statement v1, DSSE envelope in <code>attestation.json</code>)</dd><dt>key fingerprint</dt><dd><code id="key-fingerprint">${esc(s.keyFingerprint)}</code> <span class="muted">(SHA-256 of the SPKI DER public key)</span></dd><dt>key origin</dt><dd>${s.keyOrigin === 'env' ? 'the vendor’s key (TENANTPROOF_SIGNING_KEY)' : 'made for this run; <code>public-key.pem</code> is beside the evidence'}</dd></dl>`
      : '<p class="warn">This evidence names no signing key.</p>') +
    `<p>To check that no byte of this run folder changed since it was signed, and who signed it, run in the folder’s parent:</p>` +
    `<pre>npx tenantproof verify ${esc(e.runId)} --public-key vendor-public-key.pem</pre>` +
    (e.method.merged
      ? `<p>It also checks each merged run under <code>shards/</code>: its own manifest, signature and transcript chain.</p>`
      : '') +
    `<p class="muted">Pin the public key you obtained from the vendor, and compare its fingerprint with the one above. Without <code>--public-key</code>, the folder’s own <code>public-key.pem</code> proves integrity but not origin. This report is a rendering of <code>evidence.json</code> and <code>transcript.ndjson</code>; when in doubt, those files, not this page, are the record.</p>` +
    `</div>`
  );
}
