/**
 * `tenantproof merge`, end to end through the real CLI: three shards of one campaign (`run --shard
 * i/3`, same seed, the get-unscoped fault) merge into one signed folder whose findings, coverage and
 * request counts are the union and sums of the shards', which `tenantproof verify` accepts, and in
 * which a changed byte of a copied shard transcript is caught and named. Merge refuses shards of
 * another configuration (a real run with a different --tenants), of another spec, the same shard
 * twice, and a folder that does not verify; it warns about a missing shard and marks the result
 * partial.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv4 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSigningKey } from '../../harness/evidence/attestation.ts';
import { readEvidenceFile, writeEvidenceFile } from '../../harness/evidence/evidence-file.ts';
import type { Evidence } from '../../harness/evidence/evidence-schema.ts';
import { sealRunDir } from '../../harness/evidence/seal.ts';
import { testResultPredicate } from '../../harness/evidence/test-result.ts';
import { readTranscript } from '../../harness/evidence/transcript.ts';
import { REPO_ROOT, runCli, type CliResult } from '../support/cli.ts';

const root = mkdtempSync(path.join(tmpdir(), 'tp-merge-e2e-'));
const SHARDS = path.join(root, 'shards');
const CAMPAIGN = [
  '--seed',
  '11',
  '--runs',
  '2',
  '--budget',
  '60s',
  '--shrink-budget',
  '3s',
  '--replays',
  '1',
  '--fault',
  'get-unscoped',
];

let shardDirs: string[] = []; // index 0 = shard 1
let shardEvidence: Evidence[] = [];
let oddTenants: string;
let mergeResult: CliResult;
let mergedDir: string;
let merged: Evidence;

const cellKey = (c: { operationId: string; oracle: string; relation: string }) =>
  `${c.operationId}|${c.oracle}|${c.relation}`;
const latest = (out: string) => path.join(out, 'latest');

/** A copy of a sealed run folder, its evidence edited and the folder re-sealed: it verifies. */
function resealedCopy(dir: string, edit: (e: Evidence) => Evidence): string {
  const copy = path.join(mkdtempSync(path.join(root, 'copy-')), path.basename(dir));
  cpSync(dir, copy, { recursive: true });
  const key = loadSigningKey({});
  const edited: Evidence = {
    ...edit(readEvidenceFile(copy)),
    signing: { algorithm: 'ed25519', keyFingerprint: key.fingerprint, keyOrigin: key.origin },
  };
  writeEvidenceFile(copy, edited);
  sealRunDir(copy, key, testResultPredicate(edited, []));
  return copy;
}

beforeAll(async () => {
  // The three shards and a shard of the "same" campaign with another tenant count, all at once.
  const runs = await Promise.all([
    ...[1, 2, 3].map((i) => runCli(['run', '--shard', `${i}/3`, ...CAMPAIGN, '--out', SHARDS])),
    runCli([
      'run',
      '--shard',
      '1/3',
      ...CAMPAIGN.slice(0, 2),
      '--runs',
      '1',
      '--budget',
      '30s',
      '--shrink-budget',
      '2s',
      '--replays',
      '1',
      '--fault',
      'get-unscoped',
      '--tenants',
      '3',
      '--out',
      path.join(root, 'odd'),
    ]),
  ]);
  for (const r of runs) expect([0, 1], r.stdout + r.stderr).toContain(r.code);
  const dirs = runs.map((r) => {
    const m = /evidence: (.+?)\/ \(verify/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    return path.resolve(REPO_ROOT, m![1]!);
  });
  shardDirs = dirs.slice(0, 3);
  oddTenants = dirs[3]!;
  shardEvidence = shardDirs.map((d) => readEvidenceFile(d));
  expect(shardEvidence.map((e) => e.method.shard?.index)).toEqual([1, 2, 3]);

  mergeResult = await runCli(['merge', ...shardDirs, '--out', path.join(root, 'merged')]);
  mergedDir = path.join(root, 'merged', 'latest');
  merged = readEvidenceFile(mergedDir);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('tenantproof merge of three shards', () => {
  it('exits like run: 1 if any shard found a leak, else 0', () => {
    const leak = shardEvidence.some((e) => e.verdict === 'leak');
    expect(mergeResult.code, mergeResult.stdout + mergeResult.stderr).toBe(leak ? 1 : 0);
    expect(merged.verdict).toBe(leak ? 'leak' : 'clean');
    expect(mergeResult.stdout).toMatch(/merged 3 runs of a campaign sharded 3 ways/);
  });

  it("merged findings are the union of the shards' findings, each still citing its own transcript", () => {
    // Seed 11 with get-unscoped finds a leak in at least one shard within two runs (it found one in
    // shards 2 and 3 when this test was written); without one this test would check nothing.
    expect(merged.findings.length, 'no shard found a leak').toBeGreaterThan(0);
    expect(merged.findings).toHaveLength(shardEvidence.reduce((n, e) => n + e.findings.length, 0));
    expect(new Set(merged.findings.map((f) => f.id)).size).toBe(merged.findings.length);
    for (const e of shardEvidence) {
      for (const f of e.findings) {
        const m = merged.findings.find((x) => x.origin?.runId === e.runId && x.origin.id === f.id);
        expect(m, `${e.runId} ${f.id}`).toBeDefined();
        expect(m).toMatchObject({
          oracle: f.oracle,
          operationId: f.operationId,
          summary: f.summary,
          exchanges: f.exchanges,
          transcriptLines: f.transcriptLines,
          transcript: `shards/${e.runId}/transcript.ndjson`,
        });
        // The cited lines are the cited exchanges, in the copied shard transcript.
        const lines = readTranscript(path.join(mergedDir, m!.transcript!));
        for (const n of m!.transcriptLines) {
          const line = lines[n - 1]!;
          expect(line.type).toBe('exchange');
          if (line.type === 'exchange') expect(m!.exchanges).toContain(line.exchange.seq);
        }
      }
    }
  });

  it('coverage is the cell-wise sum, and requests and batches are the sums', () => {
    const expected = new Map<string, number>();
    for (const e of shardEvidence)
      for (const c of e.coverage.cells) expected.set(cellKey(c), (expected.get(cellKey(c)) ?? 0) + c.count);
    expect(new Map(merged.coverage.cells.map((c) => [cellKey(c), c.count]))).toEqual(expected);
    expect(merged.method.requestCount).toBe(shardEvidence.reduce((n, e) => n + e.method.requestCount, 0));
    expect(merged.method.interleavedBatchCount).toBe(
      shardEvidence.reduce((n, e) => n + e.method.interleavedBatchCount, 0),
    );
    expect(merged.method.merged).toMatchObject({ shardCount: 3, missing: [] });
    expect(merged.method.merged!.shards.map((s) => [s.index, s.runId, s.seed])).toEqual(
      shardEvidence.map((e) => [e.method.shard!.index, e.runId, e.method.seed]),
    );
    expect(merged.method.configDigest).toBe(shardEvidence[0]!.method.configDigest);
    expect(merged.method.partial).toBe(false);
    expect(merged.negativeControl.outcome).toBe(
      shardEvidence.every((e) => e.negativeControl.outcome === 'passed') ? 'passed' : expect.any(String),
    );
  });

  it('writes junit, a schema-valid SARIF with one result per finding, and a report listing the shards', () => {
    const sarif = JSON.parse(readFileSync(path.join(mergedDir, 'results.sarif'), 'utf8')) as {
      runs: Array<{ results: unknown[] }>;
    };
    const ajv = new Ajv4.default({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(
      JSON.parse(readFileSync(path.join(REPO_ROOT, 'specs', 'sarif-schema-2.1.0.json'), 'utf8')) as object,
    );
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    expect(sarif.runs[0]!.results).toHaveLength(merged.findings.length);
    expect(readFileSync(path.join(mergedDir, 'junit.xml'), 'utf8')).toMatch(/<testsuites /);
    const html = readFileSync(path.join(mergedDir, 'report.html'), 'utf8');
    expect(html).toContain('id="merged-shard-list"');
    for (const e of shardEvidence) expect(html).toContain(e.runId);
  });

  it("tenantproof verify passes on the merged folder, including each shard's own seal", async () => {
    const r = await runCli(['verify', mergedDir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^OK: .*3 merged runs under shards\//m);
  });

  it('a changed byte in a copied shard transcript fails verify, naming that transcript', async () => {
    const copy = path.join(root, 'tampered');
    cpSync(path.resolve(mergedDir), copy, { recursive: true });
    const rel = `shards/${shardEvidence[1]!.runId}/transcript.ndjson`;
    const bytes = readFileSync(path.join(copy, rel));
    const at = bytes.indexOf('"method":"');
    bytes[at + 10] = bytes[at + 10]! ^ 0x20; // GET -> gET
    writeFileSync(path.join(copy, rel), bytes);
    const r = await runCli(['verify', copy]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`FAIL ${rel} [manifest]`);
    expect(r.stdout).toContain(`FAIL ${rel} [transcript]`);
  });

  it('warns about a missing shard and records the merged evidence as partial', async () => {
    const out = path.join(root, 'partial');
    const r = await runCli(['merge', shardDirs[0]!, shardDirs[2]!, '--out', out]);
    expect(r.stderr).toMatch(/warning: shard 2 of 3 missing: the merged evidence is partial/);
    const e = readEvidenceFile(latest(out));
    // Two short shards of three cover too little for a CLEAN: the merge is a LEAK or INCONCLUSIVE,
    // and it exits as its verdict says.
    expect(e.verdict).not.toBe('clean');
    expect(r.code, r.stdout + r.stderr).toBe(e.verdict === 'leak' ? 1 : 3);
    if (e.verdict === 'inconclusive') expect(e.verdictReason).toMatch(/below --min-coverage/);
    expect(e.method).toMatchObject({
      partial: true,
      partialReason: expect.stringContaining('shard 2 of 3 missing'),
      merged: { missing: [2] },
    });
    expect((await runCli(['verify', latest(out)])).code).toBe(0);
  });
});

describe('tenantproof merge refuses', () => {
  it('a shard of another configuration (a run with --tenants 3), naming the folder and the difference', async () => {
    const r = await runCli(['merge', shardDirs[1]!, shardDirs[2]!, oddTenants, '--out', path.join(root, 'refused')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/different campaign settings \(method\.configDigest\)/);
    expect(r.stderr).toContain(oddTenants);
    expect(r.stderr).toMatch(/tenants \(.*: 4; .*: 3\)/);
  });

  it('a shard of another spec', async () => {
    const other = resealedCopy(shardDirs[2]!, (e) => ({
      ...e,
      runId: `${e.runId}-x`,
      scope: { ...e.scope, spec: { ...e.scope.spec, sha256: 'f'.repeat(64) } },
    }));
    const r = await runCli(['merge', shardDirs[0]!, shardDirs[1]!, other, '--out', path.join(root, 'refused')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the folders test different specs/);
    expect(r.stderr).toContain(`${other}: spec sha256 ffffffffffff…`);
  });

  it('the same shard twice: a re-run of shard 2, and one folder given twice', async () => {
    const rerun = resealedCopy(shardDirs[1]!, (e) => ({ ...e, runId: `${e.runId}-rerun` }));
    const r = await runCli(['merge', ...shardDirs, rerun, '--out', path.join(root, 'refused')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/shard 2\/3 was given 2 times/);
    expect(r.stderr).toContain(rerun);
    expect(r.stderr).toContain(shardDirs[1]!);
    const twice = await runCli(['merge', shardDirs[0]!, shardDirs[0]!, '--out', path.join(root, 'refused')]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/given 2 times|are the same folder/);
  });

  it('a folder that does not verify, naming it and the failure', async () => {
    const broken = path.join(root, 'broken', path.basename(shardDirs[0]!));
    cpSync(shardDirs[0]!, broken, { recursive: true });
    writeFileSync(
      path.join(broken, 'junit.xml'),
      readFileSync(path.join(broken, 'junit.xml'), 'utf8') + '<!-- edited -->\n',
    );
    const r = await runCli(['merge', broken, shardDirs[1]!, '--out', path.join(root, 'refused')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${broken} does not verify`);
    expect(r.stderr).toMatch(/FAIL junit\.xml \[manifest\]/);
  });
});
