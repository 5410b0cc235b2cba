import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSigningKey } from '../evidence/attestation.ts';
import { addRuns } from './add-runs.ts';
import {
  runBody,
  runEntries,
  scratchDir,
  sealedRun,
  VICTIM_CANARY,
  VICTIM_EMAIL,
  VICTIM_ID,
} from './ledger-fixtures.test-support.ts';
import { buildReportModel, durationText } from './report-model.ts';
import { renderLedgerHtml } from './render-html.ts';
import { md, renderLedgerMarkdown } from './render-markdown.ts';
import type { LedgerVerification } from './verify-ledger.ts';
import { writeLedgerReport } from './write-report.ts';

const key = parseSigningKey(
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
);
const night = (d: number): string => new Date(Date.UTC(2026, 10, d, 2)).toISOString();

describe('ledger report', () => {
  it('answers the questionnaire: the incident, when it was seen, fixed and reopened, in which version, and days since a clean run', async () => {
    const root = scratchDir('report-');
    const ledger = join(root, 'ledger.ndjson');
    const plan: Array<[string, number, boolean]> = [
      ['v1', 1, false],
      ['v2', 2, true],
      ['v3', 3, true],
      ['v4', 6, false],
      ['v5', 8, true],
    ];
    for (const [version, d, leaky] of plan) {
      const dir = sealedRun(join(root, 'runs'), { runId: `night-${d}`, startedAt: night(d), leaky }, key);
      await addRuns({
        ledgerFile: ledger,
        dirs: [dir],
        key,
        targetVersion: version,
        env: {},
        evidenceUrl: 'https://ci.example/runs/{runId}',
      });
    }
    const out = join(root, 'out');
    const r = writeLedgerReport({ ledgerFile: ledger, outDir: out, now: new Date(Date.UTC(2026, 10, 10, 12)) });
    const [inc, ...rest] = r.model.incidents;
    expect(rest).toEqual([]);
    expect(inc).toMatchObject({
      status: 'open',
      firstSeen: { targetVersion: 'v2', date: night(2) },
      fixes: [{ targetVersion: 'v4', date: night(6) }],
      reopened: [{ targetVersion: 'v5', date: night(8) }],
    });
    expect(r.model.lastCleanFullCoverage).toMatchObject({ days: 4, run: { targetVersion: 'v4' } });

    const mdText = readFileSync(r.markdownFile, 'utf8');
    expect(mdText).toContain('| First seen | v2 · 2026-11-02 02:00:00 UTC · run night-2 |');
    expect(mdText).toContain('| Fixed in | v4 · 2026-11-06 02:00:00 UTC · run night-6 (time to fix 4 days) |');
    expect(mdText).toContain('| Reopened | v5 · 2026-11-08 02:00:00 UTC · run night-8 |');
    expect(mdText).toContain('**Days since the last run that was clean with full coverage');
    expect(mdText).toMatch(/:\*\* 4 days \(v4 · /);
    expect(mdText).toContain('T1 (attacker): GET /v1/customers/{customerId} ← the leak');
    expect(mdText).toContain('[evidence](<../runs/night-2>)');
    expect(mdText).toContain('[artifact](<https://ci.example/runs/night-2>)');

    const html = readFileSync(r.htmlFile, 'utf8');
    expect(html).toMatch(
      /<tr data-event="first-seen" data-run="night-2" data-version="v2" data-date="2026-11-02T02:00:00.000Z">/,
    );
    expect(html).toMatch(/<tr data-event="fixed" data-run="night-6" data-version="v4"/);
    expect(html).toMatch(/<tr data-event="reopened" data-run="night-8" data-version="v5"/);
    expect(html).toContain('href="../runs/night-2/report.html"');
    // Self-contained, and nothing any tenant owns.
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
    for (const text of [mdText, html, readFileSync(r.jsonFile, 'utf8')])
      for (const v of [VICTIM_ID, VICTIM_CANARY, VICTIM_EMAIL]) expect(text).not.toContain(v);
  });

  it('escapes everything a ledger holds, in HTML and in Markdown, and links only to folders and http(s) URLs', () => {
    const evil = '<img src=x onerror=alert(1)>|*[x](javascript:alert(1))`';
    const body = runBody(evil, night(1), {
      version: evil,
      findings: [
        {
          operationId: evil,
          probe: evil,
          oracle: evil,
          oracleTitle: evil,
          leaked: [{ kind: 'canary' }],
          repro: [{ tenant: 'T1', method: 'GET', path: `/v1/${evil}`, headers: ['X-Evil'] }],
        },
      ],
    });
    body.evidence.path = `../${evil}`;
    body.evidence.url = 'javascript:alert(1)';
    const verification = {
      ok: true,
      lineCount: 2,
      entries: runEntries([body]),
      hashes: [],
      head: '0'.repeat(64),
      keys: [{ keyId: 'c'.repeat(64), publicKeyPem: '', fromEntry: 1 }],
      currentKeyId: 'c'.repeat(64),
      pinned: false,
    } satisfies LedgerVerification;
    const model = buildReportModel(verification, {
      ledgerName: `${evil}.ndjson`,
      ledgerDirFromReport: '.',
      now: new Date(night(3)),
    });
    const html = renderLedgerHtml(model);
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/href="javascript/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(0);
    for (const h of hrefs)
      expect(h).toMatch(
        /^\.\.\/%3Cimg%20src%3Dx%20onerror%3Dalert\(1\)%3E%7C\*%5Bx%5D\(javascript%3Aalert\(1\)\)%60\/report\.html$/,
      );
    const mdText = renderLedgerMarkdown(model);
    expect(mdText).not.toMatch(/(^|[^\\])<img/m);
    expect(mdText).not.toMatch(/(^|[^\\])\]\(<?javascript/m);
    expect(mdText).toContain(md(evil));
    // No row of a table gains a cell: every table line has as many unescaped pipes as its header.
    for (const table of mdText.split('\n\n').filter((b) => b.startsWith('|'))) {
      const counts = table.split('\n').map((l) => l.replace(/\\\|/g, '').split('|').length);
      expect(new Set(counts).size).toBe(1);
    }
  });

  it('says how long things took in words a reader takes in at a glance', () => {
    expect([0, 14_000, 185_000, 5 * 3_600_000 + 120_000, 12 * 86_400_000 + 3 * 3_600_000].map(durationText)).toEqual([
      '0 s',
      '14 s',
      '3 min 5 s',
      '5 h 2 min',
      '12 days 3 h',
    ]);
  });
});
