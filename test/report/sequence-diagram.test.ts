/**
 * The sequence diagram of a finding's minimal repro: step references in the displayed numbering,
 * a return arrow with a status for every step, and the leaking answer's bytes, escaped. On the leak
 * fixture (a real run whose repro steps recorded their responses) and on hand-made steps.
 */
import { describe, expect, it } from 'vitest';
import type { EvidenceFinding, ReproStep } from '../../harness/evidence/evidence-schema.ts';
import { esc } from '../../harness/evidence/report/escape.ts';
import { renderReportHtml } from '../../harness/evidence/report/render-html.ts';
import { excerptText, renderSequenceDiagram } from '../../harness/evidence/report/sequence-diagram.ts';
import { stepReplies } from '../../harness/evidence/report/step-replies.ts';
import { showStepRefs } from '../../harness/evidence/report/step-refs.ts';
import { loadFixture } from './support.ts';

interface DrawnStep {
  n: number;
  label: string;
  status: string;
  reply: string;
  excerpt?: string;
}

/** Each `<g class="step">` of an SVG: its data-step, request label, reply status and text, excerpt. */
function drawnSteps(svg: string): DrawnStep[] {
  return svg
    .split('<g class="step" ')
    .slice(1)
    .map((g) => ({
      n: Number(/^data-step="(\d+)"/.exec(g)![1]),
      label: /<text class="lb"[^>]*>([^<]*)<\/text>/.exec(g)![1]!,
      status: /<g class="reply" data-status="([^"]*)"/.exec(g)![1]!,
      reply: /<text class="st[^"]*"[^>]*>([^<]*)<\/text>/.exec(g)![1]!,
      ...(g.includes('<text class="ex"') ? { excerpt: /<text class="ex"[^>]*>(.*?)<\/text>/.exec(g)![1]! } : {}),
    }));
}

/** Every `<svg>…</svg>` of a document. */
const svgsOf = (html: string) => html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];

describe('step references use the displayed numbering', () => {
  it('shows {stepN.path} (0-based in the evidence) as {path from step N+1}', () => {
    expect(showStepRefs('/v1/customers/{step0.id}', 2)).toBe('/v1/customers/{id from step 1}');
    expect(showStepRefs('/v1/x/{step2.data.0.id}?c={step1.nextCursor}', 4)).toBe(
      '/v1/x/{data.0.id from step 3}?c={nextCursor from step 2}',
    );
    expect(showStepRefs('/v1/x/{step7.id}', 3)).toBe('/v1/x/{id from a response not in this repro}');
    expect(showStepRefs('/v1/x/{tenantId of T2}', 3)).toBe('/v1/x/{tenantId of T2}');
  });

  it('in the leak report, every label starts with its data-step number and names only earlier steps', () => {
    const { evidence, exchanges } = loadFixture('leak');
    const html = renderReportHtml(evidence, { exchanges });
    expect(evidence.findings.some((f) => f.repro.steps.some((s) => /\{step\d+\./.test(s.path)))).toBe(true);
    expect(html).not.toMatch(/\{step\d+\./);
    const svgs = svgsOf(html);
    expect(svgs.length).toBe(evidence.findings.length);
    let refs = 0;
    for (const svg of svgs)
      for (const s of drawnSteps(svg)) {
        expect(s.label.startsWith(`${s.n}. `)).toBe(true);
        for (const m of s.label.matchAll(/ from step (\d+)\}/g)) {
          refs++;
          expect(Number(m[1])).toBeGreaterThanOrEqual(1);
          expect(Number(m[1])).toBeLessThan(s.n);
        }
      }
    expect(refs).toBeGreaterThan(0);
  });
});

describe('every step has a return arrow with its status', () => {
  it('labels each reply with the status the step recorded', () => {
    const { evidence, exchanges } = loadFixture('leak');
    const html = renderReportHtml(evidence, { exchanges });
    const svgs = svgsOf(html);
    evidence.findings.forEach((f, i) => {
      const drawn = drawnSteps(svgs[i]!);
      expect(drawn.map((d) => d.n)).toEqual(f.repro.steps.map((_, k) => k + 1));
      expect((svgs[i]!.match(/<g class="reply"/g) ?? []).length).toBe(f.repro.steps.length);
      f.repro.steps.forEach((s, k) => {
        expect(s.response?.status).toBeTypeOf('number');
        expect(drawn[k]!.status).toBe(String(s.response!.status));
        expect(drawn[k]!.reply.startsWith(String(s.response!.status))).toBe(true);
      });
    });
  });

  it('says "no response: CODE" for a transport error and "status not recorded" when the evidence has none', () => {
    const steps: ReproStep[] = [
      { tenant: 'T2', method: 'POST', path: '/v1/jobs', response: { status: 201 } },
      { tenant: 'T1', method: 'GET', path: '/v1/jobs/{step0.id}', response: { error: 'TIMEOUT' } },
      { tenant: 'T1', method: 'GET', path: '/v1/jobs' },
    ];
    const drawn = drawnSteps(renderSequenceDiagram(steps, { attacker: 'T1', victim: 'T2' }));
    expect(drawn.map((d) => [d.status, d.reply])).toEqual([
      ['201', '201'],
      ['error', 'no response: TIMEOUT'],
      ['none', 'status not recorded'],
    ]);
    expect(drawn[1]!.label).toBe('2. GET /v1/jobs/{id from step 1}');
  });

  it('for evidence written before steps recorded responses, takes the status from the exchange the finding cites', () => {
    const { evidence, exchanges } = loadFixture('leak');
    const f0 = evidence.findings[0]!;
    const old: EvidenceFinding = {
      ...f0,
      repro: { steps: f0.repro.steps.map(({ response: _dropped, ...s }) => s) },
    };
    const cited = exchanges.get(f0.exchanges[0]!)!;
    const replies = stepReplies(old, exchanges);
    const at = replies.findIndex((r) => r.finding);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(old.repro.steps[at]!.tenant).toBe(cited.tenant);
    expect(replies[at]!.label).toBe(String(cited.response!.status));
    const hit = (f0.evidence['hits'] as Array<{ context: { match: string } }>)[0]!;
    expect(replies[at]!.excerpt?.match).toBe(hit.context.match);
    replies.forEach((r, i) => i !== at && expect(r.label).toBe('status not recorded'));
    const html = renderReportHtml({ ...evidence, findings: [old] }, { exchanges });
    expect(html).toContain('This evidence recorded no response per repro step');
  });
});

describe('the leaking answer shows its bytes', () => {
  it('on the step the finding fired on: the words, and the match in a bold underlined tspan', () => {
    const { evidence, exchanges } = loadFixture('leak');
    const f = evidence.findings.find((x) => x.repro.steps.some((s) => s.response?.excerpt))!;
    const svg = svgsOf(renderReportHtml({ ...evidence, findings: [f] }, { exchanges }))[0]!;
    const k = f.repro.steps.findIndex((s) => s.response?.excerpt);
    const drawn = drawnSteps(svg);
    expect(drawn[k]!.reply).toBe(`${f.repro.steps[k]!.response!.status} · carries ${esc(f.victim)}’s data`);
    expect(drawn[k]!.excerpt).toContain(
      `<tspan class="hit">${esc(f.repro.steps[k]!.response!.excerpt!.match)}</tspan>`,
    );
    expect(svg).toContain('data-finding="true"');
    drawn.forEach((d, i) => i !== k && expect(d.excerpt).toBeUndefined());
  });

  it('escapes attacker-controlled bytes (no markup gets through) and clips them', () => {
    const XSS = '<script>alert(1)</script>';
    const steps: ReproStep[] = [
      { tenant: 'T2', method: 'POST', path: '/v1/jobs', response: { status: 201 } },
      {
        tenant: 'T1',
        method: 'GET',
        path: '/v1/jobs/{step0.id}',
        response: {
          status: 200,
          finding: true,
          excerpt: {
            before: `"><img src=x onerror=alert(2)>`,
            match: XSS,
            after: `</text><a href="javascript:alert(3)">`,
          },
        },
      },
    ];
    const svg = renderSequenceDiagram(steps, { attacker: 'T1', victim: 'T2' });
    expect(svg).not.toContain(XSS);
    expect(svg).toContain('<tspan class="hit">&lt;script&gt;alert(1)&lt;/script&gt;</tspan>');
    expect(svg).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(svg).not.toMatch(/<(script|img|a)[\s>]/);
    expect(svg).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
    const long = excerptText({ before: 'b'.repeat(200), match: 'M'.repeat(200), after: 'a'.repeat(200) }, 0, 0, 60);
    const text = long.replace(/<[^>]+>/g, '');
    expect(text.length).toBeLessThanOrEqual(62);
    expect(text).toContain('M'.repeat(40));
  });
});
