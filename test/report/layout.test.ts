/**
 * The report's layout in a REAL browser (Debian's Chromium via playwright-core), at a phone width
 * (420 px) and a desktop width (1280 px), for a clean run and a leak run (fixtures from real runs):
 * no horizontal page scroll and no element past the viewport (only the heat map, the tables and the
 * diagrams may scroll, inside their own boxes), every stat tile inside the viewport, and in each
 * sequence diagram step labels numbered like their data-step, references naming earlier steps only,
 * and a status on every step's return arrow. Full-page screenshots go to reports/screenshots/.
 * Skipped loudly without Chromium, or failing when TENANTPROOF_REQUIRE_CHROMIUM=1 (as CI sets).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from '../../harness/evidence/report/chromium.ts';
import { renderReportHtml } from '../../harness/evidence/report/render-html.ts';
import { loadFixture, REPO_ROOT } from './support.ts';

const HAVE_CHROMIUM = chromiumAvailable();
const REQUIRED = process.env['TENANTPROOF_REQUIRE_CHROMIUM'] === '1';
if (!HAVE_CHROMIUM && !REQUIRED) {
  console.warn(
    `\n!!! SKIPPING the report layout tests: no Chromium at ${CHROMIUM_PATH}. Install it with \`apt-get install -y chromium\`. These tests did NOT run. !!!\n`,
  );
}

const SHOTS = path.join(REPO_ROOT, 'reports', 'screenshots');
const WIDTHS = [420, 1280] as const;
const REPORTS = ['clean', 'leak'] as const;

/** The DOM the measuring callback uses; tsconfig has no DOM lib (the casts are erased in the page). */
interface El {
  getBoundingClientRect(): { left: number; right: number };
  getAttribute(name: string): string | null;
  querySelector(selector: string): El | null;
  closest(selector: string): El | null;
  parentElement: El | null;
  textContent: string | null;
  tagName: string;
  id: string;
}
interface LayoutWin {
  innerWidth: number;
  document: { documentElement: { scrollWidth: number }; querySelectorAll(selector: string): Iterable<El> };
}

interface Layout {
  viewport: number;
  scrollWidth: number;
  tiles: Array<{ left: number; right: number }>;
  /** Elements past either viewport edge, outside the boxes that may scroll. */
  overflowing: string[];
  steps: Array<{ finding: string | null; step: string | null; label: string; status: string; reply: string }>;
}

/** Runs in the page: everything the assertions need, in one round trip. */
function measure(): Layout {
  const w = globalThis as unknown as LayoutWin;
  const vw = w.innerWidth;
  const all = (selector: string) => [...w.document.querySelectorAll(selector)];
  return {
    viewport: vw,
    scrollWidth: w.document.documentElement.scrollWidth,
    tiles: all('#key-numbers > div').map((e) => {
      const b = e.getBoundingClientRect();
      return { left: b.left, right: b.right };
    }),
    overflowing: all('body *')
      .filter((e) => !e.parentElement?.closest('.heat-wrap, .table-wrap, .seq'))
      .filter((e) => e.getBoundingClientRect().right > vw + 0.5 || e.getBoundingClientRect().left < -0.5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}`),
    steps: all('.seq g.step').map((g) => ({
      finding: g.closest('article')?.getAttribute('data-finding-id') ?? null,
      step: g.getAttribute('data-step'),
      label: g.querySelector('text.lb')?.textContent ?? '',
      status: g.querySelector('g.reply')?.getAttribute('data-status') ?? '',
      reply: g.querySelector('g.reply text.st')?.textContent ?? '',
    })),
  };
}

describe.skipIf(!HAVE_CHROMIUM && !REQUIRED)('report.html layout in real Chromium, 420 px and 1280 px', () => {
  let browser: Browser;
  let work: string;
  const files = new Map<string, string>();
  /** Per finding id, per step: the numbers of the steps its path refers to, 1-based (evidence says 0-based). */
  const refsOf = new Map<string, number[][]>();

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'tp-layout-'));
    for (const name of REPORTS) {
      const { evidence, exchanges } = loadFixture(name);
      const file = path.join(work, `${name}.html`);
      writeFileSync(file, renderReportHtml(evidence, { exchanges }));
      files.set(name, file);
      for (const f of evidence.findings)
        refsOf.set(
          f.id,
          f.repro.steps.map((s) => [...s.path.matchAll(/\{step(\d+)\./g)].map((m) => Number(m[1]) + 1)),
        );
    }
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  for (const name of REPORTS)
    for (const width of WIDTHS)
      it(`${name} run at ${width} px: no horizontal scroll, tiles inside, diagram steps numbered with a status`, async () => {
        const context = await browser.newContext({ viewport: { width, height: 900 } });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
        });
        await page.goto(pathToFileURL(files.get(name)!).href, { waitUntil: 'load' });
        await page.screenshot({ path: path.join(SHOTS, `layout-${name}-${width}.png`), fullPage: true });
        const m = await page.evaluate(measure);
        await context.close();

        expect(m.viewport).toBe(width);
        expect(m.scrollWidth, 'document wider than the viewport: the page scrolls sideways').toBeLessThanOrEqual(
          m.viewport,
        );
        expect(m.overflowing, 'elements past the viewport edge').toEqual([]);
        expect(m.tiles.length).toBe(7);
        for (const t of m.tiles) {
          expect(t.left).toBeGreaterThanOrEqual(0);
          expect(t.right).toBeLessThanOrEqual(m.viewport);
        }
        if (name === 'leak') expect(m.steps.length).toBeGreaterThan(0);
        for (const s of m.steps) {
          const n = Number(s.step);
          expect(s.label.startsWith(`${n}. `), `label "${s.label}" vs data-step ${s.step}`).toBe(true);
          const refs = [...s.label.matchAll(/ from step (\d+)\}/g)].map((r) => Number(r[1]));
          if (!s.label.endsWith('…')) expect(refs).toEqual(refsOf.get(s.finding ?? '')?.[n - 1]);
          for (const k of refs) expect(k >= 1 && k < n, `step ${n} refers to step ${k}`).toBe(true);
          expect(s.label).not.toMatch(/\{step\d+\./);
          expect(s.status).toMatch(/^(\d{3}|error|none)$/);
          expect(s.reply).toMatch(/^(\d{3}\b|no response: \S|status not recorded)/);
        }
        expect(errors).toEqual([]);
      });
});
