/**
 * `tenantproof export oscal`, end to end through the real CLI: one real clean run and one real leak
 * run (the get-unscoped fault) of the embedded CRM, each exported as NIST OSCAL 1.1.2 Assessment
 * Results and validated against the official schema vendored in specs/ (compiled here, apart from
 * the CLI's own check). The leak's findings become findings and risks without the victim's data,
 * every file of the folder is a back-matter resource with its real SHA-256, the export is the same
 * bytes every time and leaves the folder verifying. The schema rejects a broken document; the
 * command refuses a folder that does not verify and an --out inside the run folder, with exit 2.
 * One run of each kind serves every assertion (two runs each: the CI budget is tight).
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvidenceFile } from '../../harness/evidence/evidence-file.ts';
import type { Evidence } from '../../harness/evidence/evidence-schema.ts';
import { sha256Hex } from '../../harness/evidence/hash.ts';
import { listFiles } from '../../harness/evidence/manifest.ts';
import type { AssessmentResultsDocument } from '../../harness/evidence/oscal/assessment-results.ts';
import {
  officialValidator,
  schemaErrors,
  stringsOf,
} from '../../harness/evidence/oscal/oscal-fixtures.test-support.ts';
import { verifyRunDir } from '../../harness/evidence/verify.ts';
import { REPO_ROOT, runCli, type CliResult } from '../support/cli.ts';

const SCRATCH = path.join(REPO_ROOT, '.tmp');
let root: string;
let validate: ValidateFunction;

interface Exported {
  dir: string;
  evidence: Evidence;
  file: string;
  result: CliResult;
  doc: AssessmentResultsDocument;
  filesBefore: string[];
}
let clean: Exported;
let leak: Exported;

const digests = (dir: string) => listFiles(dir).map((f) => `${f} ${sha256Hex(readFileSync(path.join(dir, f)))}`);

/** Runs a campaign, then exports its folder through the CLI. */
async function runAndExport(name: string, runArgs: string[], expectedCodes: number[]): Promise<Exported> {
  // Bounded by runs, not time: --budget is only a ceiling, so a loaded machine runs the same campaign.
  const r = await runCli([
    'run',
    '--runs',
    '2',
    '--budget',
    '120s',
    '--seed',
    '1',
    ...runArgs,
    '--out',
    path.join(root, name),
  ]);
  expect(expectedCodes, r.stdout + r.stderr).toContain(r.code);
  const m = /evidence: (.+?)\/ \(verify/.exec(r.stdout);
  expect(m, r.stdout).not.toBeNull();
  const dir = path.resolve(REPO_ROOT, m![1]!);
  const filesBefore = digests(dir);
  const file = path.join(root, `${name}.oscal.json`);
  const result = await runCli(['export', 'oscal', dir, '--out', file]);
  const doc = (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}) as AssessmentResultsDocument;
  return { dir, evidence: readEvidenceFile(dir), file, result, doc, filesBefore };
}

beforeAll(async () => {
  mkdirSync(SCRATCH, { recursive: true });
  root = mkdtempSync(path.join(SCRATCH, 'oscal-e2e-'));
  validate = officialValidator();
  [clean, leak] = await Promise.all([
    // --min-coverage 0: two runs do not reach every operation, and the clean run should be CLEAN.
    runAndExport('clean', ['--min-coverage', '0'], [0]),
    // The get-unscoped leak proves itself (the victim's values come back): LEAK, however short the
    // shrinking; one replay, without the settle pause, keeps the run short.
    runAndExport(
      'leak',
      ['--fault', 'get-unscoped', '--shrink-budget', '3s', '--replays', '1', '--replay-settle', '100ms'],
      [1],
    ),
  ]);
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('tenantproof export oscal of a clean run', () => {
  it('writes a document the official OSCAL 1.1.2 schema accepts, exit 0', () => {
    expect(clean.result.code, clean.result.stdout + clean.result.stderr).toBe(0);
    expect(clean.result.stdout).toMatch(/valid against the official schema: \d+ observations, 0 findings, 0 risks/);
    expect(validate(clean.doc), schemaErrors(validate)).toBe(true);
  });

  it('records the clean verdict, the run, the coverage and the negative control; no findings or risks', () => {
    const ar = clean.doc['assessment-results'];
    const r = ar.results[0];
    expect(clean.evidence.verdict).toBe('clean');
    expect(r.props).toContainEqual(expect.objectContaining({ name: 'verdict', value: 'clean' }));
    expect(r.findings).toBeUndefined();
    expect(r.risks).toBeUndefined();
    // evidence.json 1.1 says until when the signer vouches for it; 1.0 evidence does not.
    const { validUntil } = clean.evidence as { validUntil?: string };
    if (validUntil) expect(r.props).toContainEqual(expect.objectContaining({ name: 'valid-until', value: validUntil }));
    expect(r['assessment-log'].entries).toEqual([
      expect.objectContaining({ start: clean.evidence.method.startedAt, end: clean.evidence.method.endedAt }),
    ]);
    const kinds = r.observations.map((o) => o.props?.find((p) => p.name === 'observation-kind')?.value);
    expect(kinds.filter((k) => k === 'coverage').length).toBeGreaterThan(10);
    expect(kinds).toContain('coverage-summary');
    expect(kinds).toContain('negative-control');
    expect(r['reviewed-controls']['control-selections'][0]!['include-controls']).toEqual([
      { 'control-id': 'ac-3' },
      { 'control-id': 'ac-4' },
      { 'control-id': 'sc-4' },
    ]);
  });
});

describe('tenantproof export oscal of a leak run', () => {
  it('writes a document the official OSCAL 1.1.2 schema accepts, exit 0', () => {
    expect(leak.result.code, leak.result.stdout + leak.result.stderr).toBe(0);
    expect(validate(leak.doc), schemaErrors(validate)).toBe(true);
  });

  it('has a finding and a risk per finding, each linked to its observation and counterexample', () => {
    const ar = leak.doc['assessment-results'];
    const r = ar.results[0];
    const findings = leak.evidence.findings;
    expect(findings.length).toBeGreaterThan(0);
    expect(r.findings!.map((f) => f.props.find((p) => p.name === 'finding-id')!.value)).toEqual(
      findings.map((f) => f.id),
    );
    expect(r.risks).toHaveLength(findings.length);
    const resources = new Map(ar['back-matter'].resources.map((x) => [x.uuid, x]));
    for (const [i, f] of r.findings!.entries()) {
      expect(f.target.status.state).toBe('not-satisfied');
      expect(f.target['target-id']).toMatch(/^(ac-3|ac-4|sc-4)_obj$|^tenant-isolation$/);
      expect(r.risks!.map((x) => x.uuid)).toContain(f['related-risks'][0]!['risk-uuid']);
      const obs = r.observations.find((o) => o.uuid === f['related-observations'][0]!['observation-uuid'])!;
      const cited = obs['relevant-evidence']!.map((ev) => resources.get(ev.href.slice(1))!.title);
      expect(cited).toContain(findings[i]!.counterexample);
      expect(cited).toContain('transcript.ndjson');
    }
  });

  it("carries none of the victim's data: no value, id or summary of a finding", () => {
    const text = stringsOf(leak.doc).join('\n');
    let checked = 0;
    for (const f of leak.evidence.findings) {
      expect(text).not.toContain(f.summary);
      // The victim values the finding rests on, and the record ids in its requests.
      const victimValues = stringsOf(f.evidence).filter((v) => /^tp[A-Za-z0-9]{6,}/i.test(v));
      const ids = stringsOf(f.repro).flatMap(
        (s) => s.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [],
      );
      for (const v of [...victimValues, ...ids]) expect(text).not.toContain(v);
      checked += victimValues.length + ids.length;
    }
    expect(checked).toBeGreaterThan(0);
    expect(text).not.toMatch(/\/v1\/customers\/[0-9a-f]{8}-/);
  });

  it('lists every file of the folder in back-matter, with the SHA-256 of its bytes', () => {
    const byTitle = new Map(leak.doc['assessment-results']['back-matter'].resources.map((x) => [x.title, x]));
    for (const f of listFiles(leak.dir))
      expect(byTitle.get(f)?.rlinks?.[0]?.hashes, f).toEqual([
        { algorithm: 'SHA-256', value: sha256Hex(readFileSync(path.join(leak.dir, f))) },
      ]);
  });

  it('is the same bytes on every export (file or stdout), and the folder still verifies, unchanged', async () => {
    const again = await runCli(['export', 'oscal', leak.dir]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(readFileSync(leak.file, 'utf8'));
    expect(digests(leak.dir)).toEqual(leak.filesBefore);
    expect(verifyRunDir(leak.dir).failures).toEqual([]);
  });
});

describe('the official schema rejects a broken document', () => {
  const broken = (edit: (ar: Record<string, any>) => void): AssessmentResultsDocument => {
    // any: edits a plain JSON tree
    const copy = JSON.parse(JSON.stringify(leak.doc)) as { 'assessment-results': Record<string, any> };
    edit(copy['assessment-results']);
    return copy as unknown as AssessmentResultsDocument;
  };
  const paths = () => (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);

  it('without import-ap', () => {
    expect(validate(broken((ar) => delete ar['import-ap']))).toBe(false);
    expect(paths()).toContain('/assessment-results required');
  });

  it('with a UUID that is not version 4 or 5', () => {
    expect(validate(broken((ar) => (ar['results'][0].uuid = '6ba7b811-9dad-11d1-80b4-00c04fd430c8')))).toBe(false);
    expect(paths()).toContain('/assessment-results/results/0/uuid pattern');
  });

  it('with a timestamp without a zone', () => {
    expect(validate(broken((ar) => (ar['metadata']['last-modified'] = '2026-12-03T12:46:03.405')))).toBe(false);
    expect(paths()).toContain('/assessment-results/metadata/last-modified pattern');
  });
});

describe('what tenantproof export oscal refuses', () => {
  it('a folder that does not verify: exit 2, naming the file, nothing written', async () => {
    const copy = path.join(root, 'tampered');
    cpSync(leak.dir, copy, { recursive: true });
    appendFileSync(path.join(copy, 'junit.xml'), '\n');
    const out = path.join(root, 'tampered.oscal.json');
    const r = await runCli(['export', 'oscal', copy, '--out', out]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/does not verify[\s\S]*junit\.xml \[manifest\]/);
    expect(existsSync(out)).toBe(false);
  });

  it('--out inside the run folder, and an unknown format: exit 2', async () => {
    const inside = await runCli(['export', 'oscal', leak.dir, '--out', path.join(leak.dir, 'ar.json')]);
    expect(inside.code).toBe(2);
    expect(inside.stderr).toMatch(/inside the sealed run folder/);
    const unknown = await runCli(['export', 'xml', leak.dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown export format "xml"/);
  });

  it('--help lists the options and exit codes', async () => {
    const r = await runCli(['help', 'export']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: tenantproof export oscal DIR/);
    expect(r.stdout).toMatch(/Exit codes:\n {4}0 {2}document written/);
  });
});
