/**
 * `summary.html`: the one page of the buyer's pack. Self-contained like the run report (inline CSS,
 * no script, a CSP that loads nothing), every value escaped, and printable on one A4 page
 * (Chromium prints it to summary.pdf). Deterministic for the same inputs.
 */
import { esc } from '../evidence/report/escape.ts';
import type { BuyerAnswer } from './buyer-answers.ts';

export interface SummaryPage {
  vendor: string;
  generatedAt: string;
  answers: BuyerAnswer[];
  keyId: string;
  keyPinned: boolean;
  /** The commands a buyer runs, offline, from the pack's folder. */
  commands: Array<{ what: string; command: string }>;
  files: Array<{ label: string; href: string }>;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;margin:0;background:#f6f7f9}
main{max-width:900px;margin:0 auto;padding:24px 20px}
h1{font-size:22px;margin:0 0 4px}
.sub{color:#57606a;margin:0 0 18px}
section.answer{background:#fff;border:1px solid #d0d7de;border-left-width:6px;border-radius:6px;padding:12px 16px;margin:0 0 14px}
section.answer.good{border-left-color:#1a7f37}section.answer.warn{border-left-color:#bf8700}
section.answer.bad{border-left-color:#cf222e}section.answer.neutral{border-left-color:#57606a}
h2{font-size:15px;margin:0 0 6px}
p.answer{font-weight:600;margin:0 0 6px}
ul{margin:4px 0 6px;padding-left:20px}li{margin:2px 0;overflow-wrap:anywhere}
.links a{margin-right:12px}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:8px 10px;white-space:pre-wrap;overflow-wrap:anywhere;margin:4px 0 10px}
.key{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 14px;margin:0 0 14px;overflow-wrap:anywhere}
footer{color:#57606a;font-size:12px;margin-top:14px}
@media print{body{background:#fff;font-size:11.5px}main{padding:0}section.answer,.key,pre{break-inside:avoid}}
`;

export function renderSummaryHtml(page: SummaryPage): string {
  const answers = page.answers
    .map(
      (a, n) => `<section class="answer ${esc(a.tone)}" data-answer="${esc(a.id)}">
<h2>${n + 1}. ${esc(a.question)}</h2>
<p class="answer">${esc(a.answer)}</p>
${a.details.length > 0 ? `<ul>${a.details.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>` : ''}
${
  a.links.length > 0
    ? `<p class="links">Evidence: ${a.links.map((l) => `<a href="${esc(l.href)}">${esc(l.label)}</a>`).join(' ')}</p>`
    : ''
}
</section>`,
    )
    .join('\n');
  const commands = page.commands.map((c) => `<p>${esc(c.what)}</p><pre>${esc(c.command)}</pre>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tenant isolation: evidence for ${esc(page.vendor)}</title>
<style>${STYLE}</style></head>
<body><main>
<h1>Tenant isolation: evidence for ${esc(page.vendor)}</h1>
<p class="sub">Three questions a buyer asks before trusting a multi-tenant service, answered from signed,
independently checkable evidence. Pack written ${esc(page.generatedAt)}.</p>
${answers}
<div class="key" data-vendor-key>
<h2>The vendor's signing key</h2>
<p>Key id (SHA-256 of the public key): <code>${esc(page.keyId)}</code>${
    page.keyPinned
      ? ''
      : ' <strong>(not pinned when this pack was made: confirm this key id with the vendor over a channel you trust)</strong>'
  }</p>
<p>Public key: <a href="vendor.pem">vendor.pem</a>. Every run folder and every ledger entry in this pack is signed with it.</p>
</div>
<h2>Check it yourself, offline</h2>
${commands}
<h2>What is in this pack</h2>
<ul>${page.files.map((f) => `<li><a href="${esc(f.href)}">${esc(f.label)}</a></li>`).join('')}</ul>
<footer>Made by tenantproof. The signed JSON files, not this page, are the record; pack-manifest.json lists the SHA-256 of every file.</footer>
</main></body></html>
`;
}
