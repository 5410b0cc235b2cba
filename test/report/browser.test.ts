/**
 * The report in a REAL browser: Debian's Chromium (/usr/bin/chromium) driven by playwright-core.
 * Opens report.html for a clean run (fixture from a real run) and for a run with a finding (a copy of
 * the committed example run, re-rendered from its evidence.json and transcript), queries the DOM for
 * the verdict, the findings and the heat map, and fails on any console error, page error or network
 * request other than the file itself. Screenshots go to reports/screenshots/ (CI artifacts).
 * Also prints the PDF. Without Chromium the whole file is skipped, loudly (or fails, when
 * TENANTPROOF_REQUIRE_CHROMIUM=1, as CI should set).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from '../../harness/evidence/report/chromium.ts';
import { renderReportHtml } from '../../harness/evidence/report/render-html.ts';
import { renderReportPdf } from '../../harness/evidence/report/pdf.ts';
import { writeReportFiles } from '../../harness/evidence/report/write-report.ts';
import { readEvidenceFile } from '../../harness/evidence/evidence-file.ts';
import type { Evidence } from '../../harness/evidence/evidence-schema.ts';
import { loadFixture, REPO_ROOT } from './support.ts';

const HAVE_CHROMIUM = chromiumAvailable();
/** CI sets TENANTPROOF_REQUIRE_CHROMIUM=1: then a missing Chromium fails these tests instead of skipping them. */
const REQUIRED = process.env['TENANTPROOF_REQUIRE_CHROMIUM'] === '1';
if (!HAVE_CHROMIUM && !REQUIRED) {
  console.warn(
    `\n!!! SKIPPING the real-browser report tests: no Chromium at ${CHROMIUM_PATH}. Install it with \`apt-get install -y chromium\`. These tests did NOT run. !!!\n`,
  );
}

const SHOTS = path.join(REPO_ROOT, 'reports', 'screenshots');
const EXAMPLE = path.join(REPO_ROOT, 'reports', 'example');

/**
 * The browser globals the page callbacks use; tsconfig has no DOM lib. The casts are erased, so the
 * serialized callbacks run as plain `globalThis.getComputedStyle(…)` in the page.
 */
interface Win {
  getComputedStyle(el: unknown): { color: string; backgroundColor: string; outlineColor: string; breakBefore: string };
  document: { body: unknown };
}

interface Opened {
  page: Page;
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
  url: string;
}

describe.skipIf(!HAVE_CHROMIUM && !REQUIRED)('report.html in real Chromium', () => {
  let browser: Browser;
  let work: string;
  let clean: { file: string; evidence: Evidence };
  let leak: { file: string; evidence: Evidence; dir: string };

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'tp-report-'));
    const c = loadFixture('clean');
    const cleanFile = path.join(work, 'clean.html');
    writeFileSync(cleanFile, renderReportHtml(c.evidence, { exchanges: c.exchanges }));
    clean = { file: cleanFile, evidence: c.evidence };
    // The run with a finding: a copy of the committed example, report re-rendered from its files.
    const dir = path.join(work, 'leak-run');
    cpSync(EXAMPLE, dir, { recursive: true });
    const out = await writeReportFiles(dir, { htmlFile: path.join(work, 'leak.html') });
    leak = { file: out.htmlFile, evidence: readEvidenceFile(dir), dir };
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function open(file: string, viewport = { width: 1200, height: 900 }): Promise<Opened> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const url = pathToFileURL(file).href;
    const o: Opened = { page, consoleErrors: [], pageErrors: [], requests: [], url };
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') o.consoleErrors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => o.pageErrors.push(e.message));
    page.on('request', (r) => o.requests.push(r.url()));
    await page.goto(url, { waitUntil: 'load' });
    return o;
  }

  function expectQuiet(o: Opened): void {
    expect(o.consoleErrors, 'console errors or warnings (a CSP violation shows up here)').toEqual([]);
    expect(o.pageErrors, 'uncaught page errors').toEqual([]);
    expect(o.requests, 'network requests other than the report file itself').toEqual([o.url]);
  }

  async function expectHeatMap(page: Page, evidence: Evidence): Promise<void> {
    const heat = page.locator('#heat-map');
    await expect(heat.isVisible()).resolves.toBe(true);
    const box = await heat.boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.height).toBeGreaterThan(200);
    const cells = await page.$$eval('#heat-map td[data-operation]', (tds) =>
      tds.map((td) => ({
        op: td.getAttribute('data-operation'),
        oracle: td.getAttribute('data-oracle'),
        rel: td.getAttribute('data-relation'),
        count: Number(td.getAttribute('data-count')),
        bg: (globalThis as unknown as Win).getComputedStyle(td).backgroundColor,
      })),
    );
    const expected = new Map<string, number>();
    for (const c of evidence.coverage.cells)
      expected.set(
        `${c.operationId}|${c.oracle}|${c.relation}`,
        (expected.get(`${c.operationId}|${c.oracle}|${c.relation}`) ?? 0) + c.count,
      );
    expect(cells.length).toBe(expected.size);
    for (const c of cells) expect(c.count).toBe(expected.get(`${c.op}|${c.oracle}|${c.rel}`));
    // Covered cells are shaded (not white); the rows cover every in-scope operation.
    expect(cells.every((c) => c.bg !== 'rgb(255, 255, 255)' && c.bg !== 'rgba(0, 0, 0, 0)')).toBe(true);
    const rows = await page.locator('#heat-map tbody tr').count();
    expect(rows).toBeGreaterThanOrEqual(evidence.scope.operations.inScope.length);
  }

  it('clean run: verdict CLEAN, no finding, heat map, no console error, no network', async () => {
    const o = await open(clean.file);
    const { page } = o;
    await expect(page.locator('#verdict .word').textContent()).resolves.toBe('CLEAN');
    await expect(page.locator('#verdict').getAttribute('data-verdict')).resolves.toBe('clean');
    const color = await page
      .locator('#verdict')
      .evaluate((el) => (globalThis as unknown as Win).getComputedStyle(el).color);
    expect(color).toBe('rgb(26, 127, 55)');
    await expect(page.locator('#n-findings b').textContent()).resolves.toBe('0');
    await expect(page.locator('article.finding').count()).resolves.toBe(0);
    await expect(page.locator('#no-findings').isVisible()).resolves.toBe(true);
    await expectHeatMap(page, clean.evidence);
    await expect(page.locator('#controls tbody tr').count()).resolves.toBe(clean.evidence.controlMapping.length);
    await expect(page.locator('#negative-control tbody tr').count()).resolves.toBe(
      clean.evidence.negativeControl.oracles.length,
    );
    await page.screenshot({ path: path.join(SHOTS, 'clean.png'), fullPage: true });
    expectQuiet(o);
    await page.context().close();
  });

  it('leak run: verdict LEAK, every finding with its sequence diagram and highlighted bytes, heat map marks the finding', async () => {
    const o = await open(leak.file);
    const { page } = o;
    const ev = leak.evidence;
    expect(ev.verdict).toBe('leak');
    await expect(page.locator('#verdict .word').textContent()).resolves.toBe('LEAK');
    const color = await page
      .locator('#verdict')
      .evaluate((el) => (globalThis as unknown as Win).getComputedStyle(el).color);
    expect(color).toBe('rgb(179, 38, 30)');
    await expect(page.locator('#n-findings b').textContent()).resolves.toBe(String(ev.findings.length));
    await expect(page.locator('article.finding').count()).resolves.toBe(ev.findings.length);
    for (const f of ev.findings) {
      const art = page.locator(`article[data-finding-id="${f.id}"]`);
      await expect(art.isVisible()).resolves.toBe(true);
      await expect(art.locator('.summary').textContent()).resolves.toBe(f.summary);
      const svg = art.locator('.seq svg');
      const sbox = await svg.boundingBox();
      expect(sbox!.width).toBeGreaterThan(400);
      await expect(svg.locator('g.step').count()).resolves.toBe(f.repro.steps.length);
      await expect(svg.locator('g.lifeline.api').count()).resolves.toBe(1);
      await expect(svg.locator('g.step g.reply text.st').count()).resolves.toBe(f.repro.steps.length);
      const marks = await art.locator('mark').allTextContents();
      const hits = (f.evidence['hits'] as Array<{ context: { match: string } }> | undefined) ?? [];
      expect(marks).toEqual(hits.map((h) => h.context.match));
    }
    await expectHeatMap(page, ev);
    const hot = await page.$$eval('#heat-map td[data-finding="true"]', (tds) =>
      tds.map((td) => ({
        op: td.getAttribute('data-operation'),
        oracle: td.getAttribute('data-oracle'),
        outline: (globalThis as unknown as Win).getComputedStyle(td).outlineColor,
      })),
    );
    expect(hot.length).toBeGreaterThan(0);
    for (const f of ev.findings) expect(hot.some((h) => h.op === f.operationId && h.oracle === f.oracle)).toBe(true);
    expect(hot.every((h) => h.outline === 'rgb(179, 38, 30)')).toBe(true);
    await expect(page.locator('#key-fingerprint').textContent()).resolves.toBe(ev.signing!.keyFingerprint);
    await page.screenshot({ path: path.join(SHOTS, 'leak.png'), fullPage: true });
    expectQuiet(o);
    await page.context().close();
  });

  it('prints on paper: no dark background under print media, and the heat map fits an A4 page width', async () => {
    // A4 at 96 dpi is 794 px wide; 12 mm margins each side leave ~703 px.
    const o = await open(leak.file, { width: 703, height: 1000 });
    const { page } = o;
    await page.emulateMedia({ media: 'print' });
    const verdictBg = await page
      .locator('#verdict')
      .evaluate((el) => (globalThis as unknown as Win).getComputedStyle(el).backgroundColor);
    expect(verdictBg).toBe('rgb(255, 255, 255)');
    const bodyBg = await page.evaluate(
      () =>
        (globalThis as unknown as Win).getComputedStyle((globalThis as unknown as Win).document.body).backgroundColor,
    );
    expect(['rgba(0, 0, 0, 0)', 'rgb(255, 255, 255)']).toContain(bodyBg);
    const heatWidth = await page.locator('#heat-map').evaluate((el) => el.getBoundingClientRect().width);
    expect(heatWidth).toBeLessThanOrEqual(703);
    const breaks = await page.$$eval('section.big', (ss) =>
      ss.map((s) => (globalThis as unknown as Win).getComputedStyle(s).breakBefore),
    );
    expect(breaks.length).toBeGreaterThan(0);
    expect(breaks.every((b) => b === 'page')).toBe(true);
    expectQuiet(o);
    await page.context().close();
  });

  it('renderReportPdf writes an A4 PDF (starts with %PDF-)', async () => {
    const pdf = path.join(leak.dir, 'out.pdf');
    await renderReportPdf(leak.file, pdf);
    const bytes = readFileSync(pdf);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(statSync(pdf).size).toBeGreaterThan(10_000);
    // A4 MediaBox (595 × 842 pt, give or take rounding).
    expect(bytes.toString('latin1')).toMatch(/\/MediaBox \[0 0 59[45]\.\d* 84[12]\.\d*\]/);
  });
});
