/**
 * `tenantproof report` (in-process `main`), `writeReportFiles`, the committed example run, and the
 * PDF fallback when Chromium is absent.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main as cli } from '../../harness/cli/main.ts';

/** `tenantproof report …` in-process, through the dispatcher that reports errors. */
const main = (args: string[]): Promise<number> => cli(['report', ...args]);
import { writeReportFiles } from '../../harness/evidence/report/write-report.ts';
import { renderReportPdf } from '../../harness/evidence/report/pdf.ts';
import { ChromiumUnavailableError } from '../../harness/evidence/report/errors.ts';
import { ATTESTATION_FILE, MANIFEST_FILE, readManifest } from '../../harness/evidence/manifest.ts';
import { verifyRunDir } from '../../harness/evidence/verify.ts';
import { readEvidenceFile } from '../../harness/evidence/evidence-file.ts';
import { REPO_ROOT } from './support.ts';

const EXAMPLE = path.join(REPO_ROOT, 'reports', 'example');

describe('reports/example (the committed example run)', () => {
  it('verifies with verifyRunDir, including report.html in the manifest', () => {
    const r = verifyRunDir(EXAMPLE);
    expect(r.failures).toEqual([]);
    expect(r.ok).toBe(true);
    const m = readManifest(EXAMPLE);
    expect('files' in m && m.files.map((f) => f.path)).toContain('report.html');
  });

  it('verifies with its public key pinned, and shows a leak with a finding', () => {
    expect(verifyRunDir(EXAMPLE, { publicKeyFile: path.join(EXAMPLE, 'public-key.pem') }).ok).toBe(true);
    const e = readEvidenceFile(EXAMPLE);
    expect(e.verdict).toBe('leak');
    expect(e.findings.length).toBeGreaterThan(0);
    const html = readFileSync(path.join(EXAMPLE, 'report.html'), 'utf8');
    expect(html).toContain('data-verdict="leak"');
    for (const f of e.findings) expect(html).toContain(`data-finding-id="${f.id}"`);
  });

  it('is small and holds no absolute path a verification depends on', () => {
    const m = readManifest(EXAMPLE);
    if (!('files' in m)) throw new Error('no manifest');
    const total =
      m.files.reduce((n, f) => n + f.size, 0) +
      statSync(path.join(EXAMPLE, MANIFEST_FILE)).size +
      statSync(path.join(EXAMPLE, ATTESTATION_FILE)).size;
    expect(total).toBeLessThan(1.5 * 1024 * 1024);
    for (const f of m.files) expect(path.isAbsolute(f.path)).toBe(false);
    const e = readEvidenceFile(EXAMPLE);
    expect(e.scope.spec.file && path.isAbsolute(e.scope.spec.file)).toBeFalsy();
  });
});

describe('tenantproof report', () => {
  let work: string;
  let out: string[];
  let err: string[];
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'tp-report-cmd-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  });
  afterEach(() => vi.restoreAllMocks());

  function copyExample(name: string): string {
    const dir = path.join(work, name);
    cpSync(EXAMPLE, dir, { recursive: true });
    return dir;
  }

  it('--help prints usage and exits 0; bad usage exits 2', async () => {
    await expect(main(['--help'])).resolves.toBe(0);
    expect(out.join('')).toContain('Usage: tenantproof report DIR');
    await expect(main([])).resolves.toBe(2);
    await expect(main(['--nope', 'x'])).resolves.toBe(2);
    await expect(main([path.join(work, 'missing')])).resolves.toBe(2);
    expect(err.join('')).toContain('is not a run folder');
  });

  it('refuses to write into a sealed run folder without --out, and leaves it verifying', async () => {
    const dir = copyExample('sealed');
    await expect(main([dir])).resolves.toBe(2);
    expect(err.join('')).toMatch(/is sealed .*--out FILE/is);
    expect(verifyRunDir(dir).ok).toBe(true);
  });

  it('writes to --out for a sealed folder, leaving the folder untouched', async () => {
    const dir = copyExample('sealed-out');
    const file = path.join(work, 'elsewhere.html');
    await expect(main([dir, '--out', file])).resolves.toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('data-verdict="leak"');
    expect(verifyRunDir(dir).ok).toBe(true);
    // Not compared byte for byte with the signed report.html: that one is frozen when the example is
    // made, while the renderer may change since (the re-render is deterministic for a given renderer).
    for (const f of readEvidenceFile(dir).findings)
      expect(readFileSync(file, 'utf8')).toContain(`data-finding-id="${f.id}"`);
  });

  it('writes report.html into an unsealed folder (what run does before sealing)', async () => {
    const dir = copyExample('unsealed');
    rmSync(path.join(dir, MANIFEST_FILE));
    rmSync(path.join(dir, ATTESTATION_FILE));
    rmSync(path.join(dir, 'report.html'));
    await expect(main([dir])).resolves.toBe(0);
    expect(out.join('')).toContain(path.join(dir, 'report.html'));
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('<mark>');
  });
});

describe('PDF without Chromium', () => {
  it('renderReportPdf throws ChromiumUnavailableError naming the fix', async () => {
    const err = await renderReportPdf(path.join(EXAMPLE, 'report.html'), path.join(tmpdir(), 'never.pdf'), {
      executablePath: '/nonexistent/chromium',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChromiumUnavailableError);
    expect((err as Error).message).toContain('apt-get install chromium');
    expect((err as Error).message).toContain('/nonexistent/chromium');
  });

  it('writeReportFiles still writes the HTML and reports why the PDF was skipped', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tp-nopdf-'));
    try {
      cpSync(EXAMPLE, dir, { recursive: true });
      const prev = process.env['TENANTPROOF_CHROMIUM'];
      // CHROMIUM_PATH is read at import; pass a missing browser through a fresh module instance.
      process.env['TENANTPROOF_CHROMIUM'] = '/nonexistent/chromium';
      vi.resetModules();
      try {
        const fresh =
          (await import('../../harness/evidence/report/write-report.ts')) as typeof import('../../harness/evidence/report/write-report.ts');
        const r = await fresh.writeReportFiles(dir, { pdf: true, htmlFile: path.join(dir, 'again.html') });
        expect(existsSync(r.htmlFile)).toBe(true);
        expect(r.pdfFile).toBeUndefined();
        expect(r.pdfSkipped).toContain('apt-get install chromium');
      } finally {
        if (prev === undefined) delete process.env['TENANTPROOF_CHROMIUM'];
        else process.env['TENANTPROOF_CHROMIUM'] = prev;
        vi.resetModules();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Keep the import used even when the suite is filtered.
void writeReportFiles;
