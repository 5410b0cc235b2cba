/**
 * The ledger report as Markdown (`ledger-report.md`), for a repository or a questionnaire answer.
 * Every piece of text is escaped (`md`), so nothing in a ledger can add a link, an image, HTML or a
 * table cell; the only links are to evidence folders (relative paths, each segment percent-encoded)
 * and to `--evidence-url` values that are http(s) URLs.
 */
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

/**
 * Escapes text for Markdown: the characters that make emphasis, code, links, HTML, table cells or
 * strikethrough, `&` (entities), and a leading `-`, `+` or `#` (a list or heading); newlines become
 * spaces.
 */
export function md(text: unknown): string {
  return String(text ?? '')
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`)
    .replace(/^[-+#]/, (c) => `\\${c}`);
}

/** A relative path as a link target: each segment percent-encoded. */
export function pathHref(path: string): string {
  return path
    .split('/')
    .map((s) => (s === '..' || s === '.' ? s : encodeURIComponent(s)))
    .join('/');
}

/** An http(s) URL, else undefined. */
export function webUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

const mdLink = (label: string, href: string): string =>
  `[${md(label)}](<${href.replace(/[<>\s]/g, encodeURIComponent)}>)`;

function evidence(model: LedgerReportModel, r: RunRef): string {
  const links = [mdLink('evidence', pathHref(model.evidenceLinks[r.runId] ?? r.evidencePath))];
  const url = webUrl(r.evidenceUrl);
  if (url) links.push(mdLink('artifact', url));
  return `${links.join(' · ')}`;
}

const runLine = (r: RunRef): string =>
  `${md(versionText(r.targetVersion))} · ${md(dateText(r.date))} · run ${md(r.runId)}`;

function since(label: string, s: SinceRun | undefined, none: string): string {
  return s
    ? `- **${label}:** ${s.days} day${s.days === 1 ? '' : 's'} (${runLine(s.run)})`
    : `- **${label}:** ${md(none)}`;
}

function incidentSection(model: LedgerReportModel, i: Incident): string {
  const rows: Array<[string, string]> = [
    ['Status', md(statusText(i))],
    ['Severity', md(i.severity)],
    ['Identity', md(`operation ${i.operationId}, probe ${i.probe}, relation ${i.relation}`)],
    ['Detected by', md(i.oracles.join(', '))],
    ['First seen', runLine(i.firstSeen)],
    ['Last seen', runLine(i.lastSeen)],
    [
      'Fixed in',
      i.episodes.some((e) => e.fixedIn)
        ? i.episodes
            .filter((e) => e.fixedIn)
            .map((e) => `${runLine(e.fixedIn!)} (time to fix ${md(durationText(e.timeToFixMs ?? 0))})`)
            .join('<br>')
        : 'not fixed yet',
    ],
    ['Reopened', i.reopened.length > 0 ? i.reopened.map(runLine).join('<br>') : 'never'],
  ];
  const d = i.detection;
  const f = d.finding;
  const out: string[] = [
    `### ${md(i.id)}: ${md(incidentTitle(i))}`,
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '**What leaked** (kinds only; no data of any tenant):',
    '',
    ...(i.leaked.length > 0 ? i.leaked.map((k) => `- ${md(leakKindText(k))}`) : ['- (the findings record no kind)']),
    '',
    `**How it was detected:** run ${md(d.run.runId)} (${md(versionText(d.run.targetVersion))}, ${md(dateText(d.run.date))}), ` +
      `oracle ${md(f.oracle)}${f.oracleTitle ? ` (${md(f.oracleTitle)})` : ''}, finding ${md(f.id)}, ${md(f.severity)}` +
      `${f.confirmation ? `, ${md(f.confirmation === 'self-proving' ? 'proves itself' : f.confirmation === 'replay' ? 'confirmed by replay' : 'unconfirmed')}` : ''}; ${evidence(model, d.run)}.`,
    '',
    '**Minimal repro** (tenants are pseudonymous labels; method and path templates, no values):',
    '',
    ...f.repro.map((s, n) => `${n + 1}. ${md(reproStepText(s))}`),
    '',
    '**Timeline:**',
    '',
    '| Date | Target version | Run | Event | Oracles | Evidence | sha256 of evidence.json | sha256 of attestation.json |',
    '|---|---|---|---|---|---|---|---|',
    ...i.events.map(
      (e) =>
        `| ${md(dateText(e.run.date))} | ${md(versionText(e.run.targetVersion))} | ${md(e.run.runId)} | ${md(EVENT_TEXT[e.type])} | ${md(e.oracles.join(', ') || '–')} | ${evidence(model, e.run)} | ${md(e.run.evidenceSha256)} | ${md(e.run.attestationSha256)} |`,
    ),
    '',
  ];
  return out.join('\n');
}

export function renderLedgerMarkdown(model: LedgerReportModel): string {
  const l = model.ledger;
  const runs = model.runs;
  const open = model.incidents.filter((i) => i.status === 'open').length;
  const full =
    model.fullCoverage >= 1
      ? 'clean with full coverage (every tenant-owned operation probed cross-tenant, negative control passed, not partial)'
      : `clean with coverage of at least ${Math.round(model.fullCoverage * 100)}% (negative control passed, not partial)`;
  const out: string[] = [
    '# Tenant isolation incident ledger',
    '',
    `Ledger ${md(l.name)}: ${l.entries} entries, ${runs.length} run${runs.length === 1 ? '' : 's'}${runs.length > 0 ? ` from ${md(dateText(runs[0]!.ref.date))} to ${md(dateText(runs.at(-1)!.ref.date))}` : ''}. ` +
      `Its hash chain and every signature verified; ${l.pinned ? 'the signing key is pinned (origin verified)' : 'the key was not pinned (integrity verified, origin not)'}. ` +
      `Head ${md(l.head)}. Report generated ${md(dateText(model.generatedAt))}.`,
    '',
    '## Summary',
    '',
    since('Days since the last run that was ' + full, model.lastCleanFullCoverage, 'no run so far'),
    since('Days since the last clean run', model.lastClean, 'no clean run so far'),
    `- **Incidents:** ${model.incidents.length} (${open} open, ${model.incidents.length - open} fixed)`,
    `- **Incident identity:** ${md(model.grouping === 'location' ? 'operation, probe and relation; every oracle that saw it is listed (one defect caught by several oracles is one incident)' : 'oracle, operation, probe and relation')}`,
    '',
    '## Incidents',
    '',
    ...(model.incidents.length > 0
      ? model.incidents.map((i) => incidentSection(model, i))
      : ['No run in this ledger found a confirmed isolation leak.', '']),
    '## Runs',
    '',
    '| Date | Target version | Run | Verdict | Coverage | Findings | Evidence | sha256 of evidence.json |',
    '|---|---|---|---|---|---|---|---|',
    ...[...runs]
      .reverse()
      .map(
        (r) =>
          `| ${md(dateText(r.ref.date))} | ${md(versionText(r.ref.targetVersion))} | ${md(r.ref.runId)}${r.mergedRuns ? ` (${r.mergedRuns} merged)` : ''} | ${md(r.verdict)}${r.partial ? ' (partial)' : ''}${r.fullCoverage ? ', full coverage' : ''} | ${md(coverageText(r.coverage))} | ${r.findings} | ${evidence(model, r.ref)} | ${md(r.ref.evidenceSha256)} |`,
      ),
    '',
    '## Signing keys',
    '',
    '| Key id (SHA-256 of the public key) | Signed entries |',
    '|---|---|',
    ...l.keys.map(
      (k) =>
        `| ${md(k.keyId)} | ${k.fromEntry}–${k.retiredBy ?? l.entries}${k.retiredBy ? ` (rotated at entry ${k.retiredBy})` : ' (current)'} |`,
    ),
    '',
    `Verify: \`tenantproof ledger verify --ledger ${/^[\w.\/-]+$/.test(l.name) ? l.name : 'FILE'} --public-key VENDOR.pem\``,
    '',
  ];
  return out.join('\n');
}
