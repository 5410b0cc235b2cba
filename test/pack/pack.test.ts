/**
 * The buyer's pack end to end, built from the ledger test's chain of five nightly runs (clean v1,
 * `get-unscoped` v2 and v3, clean v4, `get-unscoped` again v5), through the real CLI: the pack
 * holds the latest signed run, the ledger and its report, OSCAL and the vendor key; the commands
 * VERIFY.md gives a buyer pass when run as written; summary.html opens in real Chromium with no
 * console error and answers all three questions, each linked to files that exist; summary.pdf is
 * a PDF. Refusals write nothing.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestFile } from '../../harness/evidence/file-digest.ts';
import { chromiumAvailable, launchChromium } from '../../harness/evidence/report/chromium.ts';
import { BIN, REPO_ROOT, runCli, type CliResult } from '../support/cli.ts';
import { buildNightlyChain, chainEnv, NIGHTLY_CHAIN_DIR, type NightlyChain } from '../ledger/support.ts';

const REQUIRED = process.env['TENANTPROOF_REQUIRE_CHROMIUM'] === '1';
const HAVE_CHROMIUM = chromiumAvailable();
if (!HAVE_CHROMIUM && !REQUIRED)
  console.warn('\n!!! SKIPPING the buyer-pack browser test: no Chromium. It did NOT run. !!!\n');

let chain: NightlyChain;
let work: string;
let ledger: string;
let packDir: string;
let packed: CliResult;

const out = (r: CliResult): string => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

beforeAll(async () => {
  chain = await buildNightlyChain(NIGHTLY_CHAIN_DIR);
  mkdirSync(path.join(REPO_ROOT, '.tmp'), { recursive: true });
  work = mkdtempSync(path.join(REPO_ROOT, '.tmp', 'pack-e2e-'));
  ledger = path.join(work, 'tenantproof-ledger.ndjson');
  for (const run of chain.runs) {
    const added = await runCli(['ledger', 'add', run.dir, '--ledger', ledger, '--target-version', run.version], {
      env: chainEnv(chain),
    });
    expect(added.code, out(added)).toBe(0);
  }
  packDir = path.join(work, 'pack');
  packed = await runCli(
    [
      'pack',
      ...chain.runs.map((r) => r.dir),
      '--ledger',
      ledger,
      '--public-key',
      chain.publicKeyFile,
      '--vendor',
      'Contractor CRM Inc.',
      '--full-coverage',
      '0.5',
      '--out',
      packDir,
    ],
    { env: chainEnv(chain) },
  );
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('tenantproof pack', () => {
  it('writes the pack: latest signed run, ledger and report, OSCAL, vendor key, summary and PDF', () => {
    expect(packed.code, out(packed)).toBe(0);
    const latest = chain.runs[chain.runs.length - 1]!;
    expect(packed.stdout).toContain(`latest run ${latest.runId}`);
    for (const file of [
      'summary.html',
      'summary.pdf',
      'VERIFY.md',
      'vendor.pem',
      'assessment-results.oscal.json',
      'pack-manifest.json',
      'ledger/tenantproof-ledger.ndjson',
      'ledger/ledger-report.html',
      'ledger/ledger-report.md',
      `run/${latest.runId}/evidence.json`,
      `run/${latest.runId}/attestation.json`,
    ])
      expect(existsSync(path.join(packDir, file)), file).toBe(true);
    expect(readFileSync(path.join(packDir, 'summary.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    expect(readFileSync(path.join(packDir, 'vendor.pem'), 'utf8')).toBe(readFileSync(chain.publicKeyFile, 'utf8'));
    // The run folder is the latest run, byte for byte: the same signed manifest (which names the
    // SHA-256 of every file) and attestation; VERIFY.md's command checks the files against them.
    for (const file of ['manifest.json', 'attestation.json', 'evidence.json', 'transcript.ndjson'])
      expect(digestFile(path.join(packDir, 'run', latest.runId, file)).sha256, file).toBe(
        digestFile(path.join(latest.dir, file)).sha256,
      );
    // The pack's own manifest lists every file with its SHA-256.
    const manifest = JSON.parse(readFileSync(path.join(packDir, 'pack-manifest.json'), 'utf8')) as {
      vendorKeyId: string;
      files: Record<string, string>;
    };
    expect(manifest.vendorKeyId).toBe(chain.keyId);
    expect(Object.keys(manifest.files)).toContain('summary.html');
    for (const [file, sha] of Object.entries(manifest.files))
      expect(digestFile(path.join(packDir, file)).sha256, file).toBe(sha);
  });

  it('gives a buyer commands that pass when run as written, from the pack folder, offline', () => {
    const verifyMd = readFileSync(path.join(packDir, 'VERIFY.md'), 'utf8');
    const commands = [...verifyMd.matchAll(/```sh\n(.+)\n```/g)].map((m) => m[1]!);
    expect(commands).toHaveLength(3);
    expect(verifyMd).toContain(chain.keyId);
    for (const command of commands) {
      expect(command.startsWith('npx tenantproof ')).toBe(true);
      // `npx tenantproof` is this repository's bin, run by node.
      const local = command.replaceAll('npx tenantproof ', `"${process.execPath}" "${BIN}" `);
      expect(() => execFileSync('sh', ['-c', local], { cwd: packDir, stdio: 'pipe' }), command).not.toThrow();
    }
  });

  it('refuses an output folder that is not empty, and a run folder that does not verify, writing nothing', async () => {
    const busy = path.join(work, 'busy');
    mkdirSync(busy);
    writeFileSync(path.join(busy, 'keep.txt'), 'mine');
    const refused = await runCli(['pack', chain.runs[0]!.dir, '--out', busy], { env: chainEnv(chain) });
    expect(refused.code, out(refused)).toBe(2);
    expect(readdirSync(busy)).toEqual(['keep.txt']);

    const tampered = path.join(work, 'tampered');
    cpSync(chain.runs[0]!.dir, tampered, { recursive: true, dereference: true });
    const evidenceFile = path.join(tampered, 'evidence.json');
    writeFileSync(evidenceFile, readFileSync(evidenceFile, 'utf8').replace('"clean"', '"leak"'));
    const target = path.join(work, 'never');
    const bad = await runCli(['pack', tampered, '--out', target], { env: chainEnv(chain) });
    expect(bad.code, out(bad)).toBe(2);
    expect(bad.stderr).toMatch(/does not verify/);
    expect(existsSync(target)).toBe(false);
  });
});

describe.skipIf(!HAVE_CHROMIUM && !REQUIRED)('summary.html in real Chromium', () => {
  it('opens with no console error or request, and answers all three questions with live links', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const url = pathToFileURL(path.join(packDir, 'summary.html')).href;
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(url, { waitUntil: 'load' });
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);

      const answers = await page.$$eval('section[data-answer]', (sections) =>
        sections.map((s) => ({
          id: s.getAttribute('data-answer'),
          question: s.querySelector('h2')?.textContent ?? '',
          answer: s.querySelector('p.answer')?.textContent ?? '',
          details: s.textContent ?? '',
          links: [...s.querySelectorAll('a')].map((a) => a.getAttribute('href') ?? ''),
        })),
      );
      expect(answers.map((a) => a.id)).toEqual(['soc2-coverage', 'last-assessment', 'incidents']);
      expect(answers[0]!.question).toMatch(/SOC 2/);
      expect(answers[0]!.answer).toMatch(/SOC 2 CC6/);
      expect(answers[1]!.question).toMatch(/last security audit/);
      expect(answers[1]!.answer).toMatch(/^\d{4}-\d{2}-\d{2} \(\d+ days? ago[^)]*\): verdict LEAK/);
      expect(answers[2]!.question).toMatch(/incident/);
      expect(answers[2]!.answer).toMatch(/records 1 incident/);
      expect(answers[2]!.details).toMatch(/opened .* in v2, fixed in v4 .*opened .* in v5, not yet fixed/);
      expect(answers[2]!.details).toMatch(/leaked [a-z]/);
      expect(answers[2]!.details).not.toMatch(/\[object /);
      for (const a of answers.slice(0, 3)) {
        expect(a.links.length, a.id!).toBeGreaterThan(0);
        for (const href of a.links) expect(existsSync(path.join(packDir, href)), href).toBe(true);
      }
      const keyText = await page.textContent('[data-vendor-key]');
      expect(keyText).toContain(chain.keyId);
      expect(keyText).not.toMatch(/not pinned/);
    } finally {
      await browser.close();
    }
  });
});
