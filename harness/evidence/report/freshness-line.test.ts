import { describe, expect, it } from 'vitest';
import { sampleEvidence } from '../evidence-fixtures.test-support.ts';
import type { Evidence } from '../evidence-schema.ts';
import { renderReportHtml } from './render-html.ts';

const current = (): Evidence => {
  const e = sampleEvidence();
  return {
    ...e,
    schemaVersion: '1.1',
    assessedAt: '2026-12-03T10:00:00.000Z',
    validUntil: '2027-12-03T10:00:00.000Z',
    method: { ...e.method, startedAt: '2026-12-03T09:59:00.000Z', endedAt: '2026-12-03T10:00:00.000Z' },
  };
};

/** The header's freshness line, as rendered in the whole report. */
function freshnessLine(e: Evidence, now?: Date): string {
  const html = renderReportHtml(e, now ? { now } : {});
  const header = html.slice(html.indexOf('<header>'), html.indexOf('</header>'));
  const line = /<p class="freshness[^"]*"[^>]*>.*?<\/p>/s.exec(header);
  expect(line, 'the header has a freshness line').not.toBeNull();
  return line![0];
}

describe('the report header: assessed date, age and validity', () => {
  it('a fresh run: assessed date, its age as of rendering, valid until, and that the age is as of rendering', () => {
    const line = freshnessLine(current(), new Date('2026-12-03T10:05:00.000Z'));
    expect(line).toContain('Assessed 2026-12-03, 0 days ago; valid until 2027-12-03.');
    expect(line).toContain('The age is as of when this report was rendered, 2026-12-03 10:05 UTC');
    expect(line).toContain('data-expired="false"');
    expect(line).toContain('data-assessed-at="2026-12-03T10:00:00.000Z"');
    expect(line).not.toMatch(/expired"|role="alert"/);
  });

  it('re-rendered 19 months later: the age has grown and the expired line takes the warning style', () => {
    const line = freshnessLine(current(), new Date('2028-07-03T10:00:00.000Z'));
    expect(line).toMatch(/^<p class="freshness expired" [^>]*data-expired="true" role="alert">/);
    expect(line).toContain(
      '<b>Expired:</b> assessed 2026-12-03, 578 days ago (19 months); valid until 2027-12-03, 213 days ago. Ask for a fresh run.',
    );
    // The style exists and is loud: the leak colours, kept when printed.
    expect(renderReportHtml(current())).toMatch(
      /\.freshness\.expired \{[^}]*var\(--leak\)[^}]*print-color-adjust: exact/,
    );
  });

  it('evidence of schema 1.0: assessed when the run ended, validity not recorded', () => {
    const line = freshnessLine(sampleEvidence(), new Date('2026-11-27T07:00:05.250Z'));
    expect(line).toContain(
      'Assessed 2026-11-26 (when the run ended), 1 day ago; validity not recorded (evidence schema 1.0).',
    );
    expect(line).not.toContain('data-valid-until');
  });

  it('without a time of rendering the renderer reads no clock: dates only, the same bytes every time', () => {
    const line = freshnessLine(current());
    expect(line).toBe(
      '<p class="freshness" id="freshness" data-assessed-at="2026-12-03T10:00:00.000Z" data-valid-until="2027-12-03T10:00:00.000Z">Assessed 2026-12-03; valid until 2027-12-03.</p>',
    );
    expect(renderReportHtml(current())).toBe(renderReportHtml(current()));
  });
});
