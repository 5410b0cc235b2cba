/**
 * Unit tests of the HTML report, on evidence saved from real runs (test/report/fixtures): a clean
 * run and a leak (get-unscoped fault). Pure string rendering; the real-browser test is browser.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { renderReportHtml, REPORT_CSP } from '../../harness/evidence/report/render-html.ts';
import { renderSequenceDiagram, concurrentGroups } from '../../harness/evidence/report/sequence-diagram.ts';
import { esc } from '../../harness/evidence/report/escape.ts';
import { showStepRefs } from '../../harness/evidence/report/step-refs.ts';
import { EvidenceSchema, type Evidence, type EvidenceFinding } from '../../harness/evidence/evidence-schema.ts';
import { loadFixture } from './support.ts';

const attr = (s: string) => esc(s);

/** Every opening tag name in the document, to prove nothing outside the allowed vocabulary appears. */
function tagNames(html: string): Set<string> {
  return new Set([...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1]!.toLowerCase()));
}

describe('renderReportHtml: the leak run', () => {
  const { evidence, exchanges } = loadFixture('leak');
  const html = renderReportHtml(evidence, { exchanges });

  it('states the verdict with colour class, icon and word', () => {
    expect(evidence.verdict).toBe('leak');
    expect(html).toContain('class="verdict verdict-leak"');
    expect(html).toContain('data-verdict="leak"');
    expect(html).toMatch(/<div class="word">LEAK<\/div>/);
    expect(html).toContain(`<b>${evidence.method.requestCount}</b><span>requests</span>`);
    expect(html).toContain(`<b>${evidence.method.seed}</b><span>seed</span>`);
  });

  it('is self-contained: a strict CSP, no script, no external reference', () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(REPORT_CSP).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(tagNames(html).has('script')).toBe(false);
    expect(tagNames(html).has('link')).toBe(false);
    expect(tagNames(html).has('img')).toBe(false);
    expect(tagNames(html).has('iframe')).toBe(false);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/url\((?!#)/); // only in-document references (SVG markers)
    expect(html).not.toMatch(/@import|@font-face/);
  });

  it('renders every finding with its oracle, severity, attacker → victim, rate, transcript lines and repro', () => {
    expect(evidence.findings.length).toBeGreaterThan(0);
    for (const f of evidence.findings) {
      const start = html.indexOf(`data-finding-id="${attr(f.id)}"`);
      expect(start).toBeGreaterThan(-1);
      const block = html.slice(start, html.indexOf('</article>', start));
      expect(block).toContain(esc(f.oracle));
      expect(block).toContain(`sev-${f.severity}`);
      expect(block).toContain(`<b>${esc(f.attacker)}</b> → <b>${esc(f.victim ?? 'unknown')}</b>`);
      expect(block).toContain(`${f.reproduction.reproduced}/${f.reproduction.attempts} on fresh tenants`);
      for (const l of f.transcriptLines) expect(block).toContain(`<code>${l}</code>`);
      expect(block).toContain(esc(f.summary));
      expect((block.match(/<g class="step"/g) ?? []).length).toBe(f.repro.steps.length);
      f.repro.steps.forEach((s, i) =>
        expect(block).toContain(esc(`${i + 1}. ${s.method} ${showStepRefs(s.path, f.repro.steps.length)}`)),
      );
    }
  });

  it('highlights the offending bytes of each foreign-data hit in <mark>', () => {
    const f = evidence.findings.find((x) => x.oracle === 'foreign-data')!;
    const hits = f.evidence['hits'] as Array<{ context: { before: string; match: string; after: string } }>;
    for (const h of hits)
      expect(html).toContain(`${esc(h.context.before)}<mark>${esc(h.context.match)}</mark>${esc(h.context.after)}`);
    expect((html.match(/<mark>/g) ?? []).length).toBe(
      evidence.findings.flatMap((x) => (x.evidence['hits'] as unknown[] | undefined) ?? []).length,
    );
  });

  it('has a heat-map cell for every coverage cell, with its count, and marks the finding cell', () => {
    expect(evidence.coverage.cells.length).toBeGreaterThan(10);
    for (const c of evidence.coverage.cells) {
      expect(html).toMatch(
        new RegExp(
          `data-operation="${c.operationId}" data-oracle="${c.oracle}" data-relation="${c.relation}" data-count="${c.count}"`,
        ),
      );
    }
    const cellCount = (html.match(/<td class="c [^"]*" data-operation=/g) ?? []).length;
    expect(cellCount).toBe(
      new Set(evidence.coverage.cells.map((c) => `${c.operationId}|${c.oracle}|${c.relation}`)).size,
    );
    for (const f of evidence.findings)
      expect(html).toMatch(
        new RegExp(`class="c [^"]*finding" data-operation="${f.operationId}" data-oracle="${f.oracle}"`),
      );
  });

  it('shows scope, method, negative control, control mapping and the signing key', () => {
    expect(html).toContain(evidence.scope.spec.sha256);
    for (const o of evidence.scope.operations.inScope) expect(html).toContain(`<code>${esc(o.operationId)}</code>`);
    for (const o of evidence.scope.operations.outOfScope) expect(html).toContain(esc(o.reason));
    expect(html).toContain(evidence.method.tool.gitCommit ?? 'unknown');
    expect(html).toContain(evidence.method.startedAt);
    expect(html).toContain(evidence.method.endedAt);
    for (const t of evidence.method.tenants) expect(html).toContain(`<code>${t}</code>`);
    for (const o of evidence.negativeControl.oracles)
      expect(html).toMatch(
        new RegExp(`<tr><td>${o.oracle}</td><td>${o.planted ? 'yes' : 'no'}</td><td>${o.fired ? 'yes' : 'no'}</td>`),
      );
    for (const c of evidence.controlMapping) {
      expect(html).toContain(`<td>${esc(c.framework)}</td><td><b>${esc(c.id)}</b></td>`);
      expect(html).toContain(esc(c.tested));
    }
    expect(html).toContain(evidence.signing!.keyFingerprint);
    expect(html).toContain(`npx tenantproof verify ${evidence.runId} --public-key`);
  });

  it('is deterministic (same input, same bytes)', () => {
    expect(renderReportHtml(evidence, { exchanges })).toBe(html);
  });
});

describe('renderReportHtml: the clean run', () => {
  const { evidence, exchanges } = loadFixture('clean');
  const html = renderReportHtml(evidence, { exchanges });

  it('says CLEAN, lists no finding, and still maps every coverage cell', () => {
    expect(evidence.verdict).toBe('clean');
    expect(html).toContain('class="verdict verdict-clean"');
    expect(html).toMatch(/<div class="word">CLEAN<\/div>/);
    expect(html).toContain('id="no-findings"');
    expect(html).not.toContain('<article class="finding"');
    expect(html).not.toContain('data-finding="true"');
    for (const c of evidence.coverage.cells)
      expect(html).toContain(
        `data-operation="${c.operationId}" data-oracle="${c.oracle}" data-relation="${c.relation}" data-count="${c.count}"`,
      );
  });

  it('renders an inconclusive, partial variant with its warnings', () => {
    const e: Evidence = {
      ...evidence,
      verdict: 'inconclusive',
      method: { ...evidence.method, partial: true, partialReason: 'stopped by SIGINT' },
      negativeControl: { outcome: 'failed', detail: 'foreign-data did not fire', oracles: [] },
    };
    const h = renderReportHtml(EvidenceSchema.parse(e));
    expect(h).toContain('verdict-inconclusive');
    expect(h).toContain('INCONCLUSIVE');
    expect(h).toContain('This run is partial: stopped by SIGINT');
    expect(h).toContain('Negative control failed: foreign-data did not fire');
  });
});

describe('escaping attacker-controlled text', () => {
  const XSS = '<script>alert(1)</script>';
  const { evidence, exchanges } = loadFixture('leak');
  const f0 = evidence.findings[0]!;
  const hits = (f0.evidence['hits'] as Array<Record<string, unknown>>).map((h, i) =>
    i === 0
      ? {
          ...h,
          context: {
            before: `x"><img src=x onerror=alert(2)>`,
            match: XSS,
            after: `</pre><a href="javascript:alert(3)">`,
          },
        }
      : h,
  );
  const evil: EvidenceFinding = {
    ...f0,
    summary: `summary ${XSS}`,
    evidence: { ...f0.evidence, hits, note: XSS, nested: { deep: XSS } },
    repro: { steps: [{ tenant: 'T1', method: 'GET', path: `/v1/x?q=${XSS}"'&` }, ...f0.repro.steps] },
  };
  const e: Evidence = {
    ...evidence,
    findings: [evil],
    scope: { ...evidence.scope, spec: { ...evidence.scope.spec, title: `CRM ${XSS}` } },
  };
  const html = renderReportHtml(e, { exchanges });

  it('renders a finding whose excerpt contains <script>alert(1)</script> as text', () => {
    expect(html).not.toContain(XSS);
    expect(html).toContain('<mark>&lt;script&gt;alert(1)&lt;/script&gt;</mark>');
    expect(html).toContain('x&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('&lt;/pre&gt;&lt;a href=&quot;javascript:alert(3)&quot;&gt;');
    expect(tagNames(html).has('script')).toBe(false);
    expect(tagNames(html).has('img')).toBe(false);
    expect(tagNames(html).has('a')).toBe(false);
    expect(html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i); // no event-handler attribute inside any real tag
  });

  it('escapes titles, summaries, repro paths in the SVG and nested evidence', () => {
    expect(html).toContain('<title>tenantproof LEAK — CRM &lt;script&gt;');
    expect(html).toContain('summary &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('1. GET /v1/x?q=&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
    expect(html).toContain('&quot;deep&quot;: &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;');
  });

  it('esc covers the five HTML specials and control characters', () => {
    expect(esc(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
    expect(esc('a\u0000b\u001bc')).toBe('a\\u0000b\\u001bc');
    expect(esc(undefined)).toBe('');
    expect(esc({ a: '<' })).toBe('{&quot;a&quot;:&quot;&lt;&quot;}');
  });
});

describe('sequence diagram', () => {
  it('draws a lifeline per tenant plus the API, an arrow per step, and marks concurrent steps', () => {
    const steps = [
      { tenant: 'T2', method: 'POST', path: '/v1/jobs' },
      { tenant: 'T1', method: 'GET', path: '/v1/jobs', concurrentWith: [2] },
      { tenant: 'T3', method: 'GET', path: '/v1/jobs', concurrentWith: [1] },
      { tenant: 'T1', method: 'POST', path: '/v1/customers', headers: { 'X-Tenant-Id': '{T2}' } },
    ];
    const svg = renderSequenceDiagram(steps, { attacker: 'T1', victim: 'T2', idPrefix: 't' });
    expect((svg.match(/class="lifeline tenant"/g) ?? []).length).toBe(3);
    expect((svg.match(/class="lifeline api"/g) ?? []).length).toBe(1);
    expect((svg.match(/<g class="step"/g) ?? []).length).toBe(4);
    expect(svg).toContain('concurrent ∥ steps 2, 3');
    expect(svg).toContain('[X-Tenant-Id]');
    expect(svg).toContain('>attacker</text>');
    expect(svg).toContain('>victim</text>');
    expect(concurrentGroups(steps)).toEqual([[1, 2]]);
  });

  it('renders other oracles’ evidence as readable fields', () => {
    const { evidence } = loadFixture('leak');
    const f: EvidenceFinding = {
      ...evidence.findings[0]!,
      id: 'F9',
      oracle: 'cross-tenant-access',
      evidence: {
        kind: 'victim-record-gone',
        beforeStatus: 200,
        afterStatus: 404,
        changes: [{ path: '/name', before: 'a', after: 'b' }],
      },
    };
    const html = renderReportHtml({ ...evidence, findings: [f] });
    expect(html).toContain('<dt>kind</dt><dd><code>victim-record-gone</code></dd>');
    expect(html).toContain('<dt>beforeStatus</dt><dd>200</dd>');
    expect(html).toContain('<dt>afterStatus</dt><dd>404</dd>');
    expect(html).toContain('&quot;path&quot;: &quot;/name&quot;');
    expect(html).not.toContain('<mark>');
  });
});
