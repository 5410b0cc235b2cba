import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv4 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSigningKey, type SigningKey } from './attestation.ts';
import { evidenceIssues, readEvidenceFile, writeEvidenceFile } from './evidence-file.ts';
import type { Evidence } from './evidence-schema.ts';
import { renderJunit } from './junit.ts';
import { listFiles } from './manifest.ts';
import {
  checkMergeable,
  expandRunFolders,
  loadMergeInput,
  mergeEvidence,
  mergedValidity,
  MergeInputError,
  missingText,
  sumCoverage,
  writeMergedRun,
  type MergeInput,
} from './merge.ts';
import { renderSarif, serializeSarif } from './sarif.ts';
import { sealRunDir } from './seal.ts';
import { testResultPredicate } from './test-result.ts';
import { TRANSCRIPT_FILE, TranscriptWriter } from './transcript.ts';
import { formatVerifyReport, verifyRunDir } from './verify.ts';
import { shardDirName } from './merge-layout.ts';
import { exchanges, sampleEvidence, tmpDir as fixtureTmpDir } from './evidence-fixtures.test-support.ts';
import { parseCalendarDuration } from './calendar-duration.ts';

const made: string[] = [];
function tmpDir(prefix?: string): string {
  const d = fixtureTmpDir(prefix);
  made.push(d);
  return d;
}
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

const DIGEST = 'd'.repeat(64);

interface ShardSpec {
  index?: number;
  count?: number;
  seed?: number;
  digest?: string;
  leak?: boolean;
  negativeControl?: Evidence['negativeControl']['outcome'];
  partialReason?: string;
  specSha?: string;
  tenants?: number;
  requests?: number;
  /** Seal as a checkpoint and append after it (a killed shard). */
  killed?: boolean;
}

let runCounter = 0;

/** A sealed run folder as `tenantproof run --shard i/n` writes it (sharded unless index is undefined). */
function makeShard(spec: ShardSpec = {}, key: SigningKey = loadSigningKey({})): string {
  const dir = tmpDir('tp-shard-');
  const n = ++runCounter;
  const runId = `20261130-120000Z-s${spec.seed ?? n}-${String(n).padStart(4, '0')}`;
  const t = new TranscriptWriter(join(dir, TRANSCRIPT_FILE));
  for (const ex of exchanges()) t.appendExchange(ex);
  t.appendNote(`shard ${spec.index ?? '-'} note`);
  const base = sampleEvidence();
  const findings =
    spec.leak === false
      ? []
      : base.findings.map((f) => ({
          ...f,
          counterexample: 'counterexamples/1.json',
          summary: `${f.summary} (run ${n})`,
        }));
  const outcome = spec.negativeControl ?? 'passed';
  const e = sampleEvidence({
    runId,
    scope: { ...base.scope, spec: { ...base.scope.spec, sha256: spec.specSha ?? base.scope.spec.sha256 } },
    method: {
      ...base.method,
      seed: spec.seed ?? 1000 + n,
      tenants: Array.from({ length: spec.tenants ?? 2 }, (_, i) => `T${i + 1}`),
      requestCount: spec.requests ?? 3,
      interleavedBatchCount: 1,
      startedAt: `2026-11-30T12:0${n % 10}:00.000Z`,
      endedAt: `2026-11-30T12:0${n % 10}:30.000Z`,
      partial: spec.partialReason !== undefined,
      ...(spec.partialReason ? { partialReason: spec.partialReason } : {}),
      ...(spec.index !== undefined
        ? {
            shard: { index: spec.index, count: spec.count ?? 3, baseSeed: 42, focus: [] },
            configDigest: spec.digest ?? DIGEST,
          }
        : {}),
    },
    findings,
    negativeControl: {
      ...base.negativeControl,
      outcome,
      oracles: base.negativeControl.oracles.map((o) => ({
        ...o,
        outcome: outcome === 'failed' && o.oracle === 'model' ? 'failed' : o.outcome,
      })),
    },
    signing: { algorithm: 'ed25519', keyFingerprint: key.fingerprint, keyOrigin: key.origin },
  });
  writeEvidenceFile(dir, e);
  writeFileSync(join(dir, 'junit.xml'), renderJunit(e));
  writeFileSync(join(dir, 'results.sarif'), serializeSarif(renderSarif(e, { commandLine: 'tenantproof run' })));
  mkdirSync(join(dir, 'counterexamples'));
  if (findings.length > 0) writeFileSync(join(dir, 'counterexamples', '1.json'), JSON.stringify({ run: n }) + '\n');
  if (spec.killed) {
    sealRunDir(dir, key, testResultPredicate(e, []), { [TRANSCRIPT_FILE]: t.byteLength });
    t.appendNote('after the checkpoint');
  } else {
    sealRunDir(dir, key, testResultPredicate(e, []));
  }
  t.close();
  return dir;
}

const load = (dir: string): MergeInput => loadMergeInput(dir);

describe('checkMergeable', () => {
  it('accepts the shards of one campaign, in any order', () => {
    const inputs = [makeShard({ index: 3 }), makeShard({ index: 1 }), makeShard({ index: 2 })].map(load);
    expect(checkMergeable(inputs)).toEqual({ problems: [], warnings: [], missing: [], shardCount: 3 });
  });

  it('warns about missing shards and records them', () => {
    const inputs = [makeShard({ index: 1 }), makeShard({ index: 3, count: 3 })].map(load);
    const c = checkMergeable(inputs);
    expect(c.problems).toEqual([]);
    expect(c.missing).toEqual([2]);
    expect(c.warnings.join('\n')).toMatch(/shard 2 of 3 missing: the merged evidence is partial/);
    expect(missingText([2, 3], 4)).toBe('shards 2, 3 of 4 missing');
  });

  it('refuses the same shard twice, naming both folders', () => {
    const a = makeShard({ index: 2 });
    const b = makeShard({ index: 2 });
    const c = checkMergeable([makeShard({ index: 1 }), a, b].map(load));
    expect(c.problems).toHaveLength(1);
    expect(c.problems[0]).toContain('shard 2/3 was given 2 times');
    expect(c.problems[0]).toContain(a);
    expect(c.problems[0]).toContain(b);
  });

  it('refuses the same run twice (one folder copied)', () => {
    const a = makeShard({ index: 1 });
    const copy = tmpDir('tp-copy-');
    cpSync(a, copy, { recursive: true });
    expect(checkMergeable([a, copy].map(load)).problems.join('\n')).toMatch(/was given 2 times/);
  });

  it('refuses shards of different specs, saying which folder has which spec', () => {
    const a = makeShard({ index: 1 });
    const b = makeShard({ index: 2, specSha: 'b'.repeat(64) });
    const [p] = checkMergeable([a, b].map(load)).problems;
    expect(p).toMatch(/different specs/);
    expect(p).toContain(`${a}: spec sha256 aaaaaaaaaaaa…`);
    expect(p).toContain(`${b}: spec sha256 bbbbbbbbbbbb…`);
  });

  it('refuses different campaign settings, naming the visible difference', () => {
    const a = makeShard({ index: 1 });
    const b = makeShard({ index: 2, digest: 'e'.repeat(64), tenants: 3 });
    const [p] = checkMergeable([a, b].map(load)).problems;
    expect(p).toMatch(/different campaign settings \(method\.configDigest\)/);
    expect(p).toMatch(new RegExp(`tenants \\(${a}: 2; ${b}: 3\\)`));
  });

  it('refuses different shard counts and a mix of sharded and unsharded runs', () => {
    expect(
      checkMergeable([makeShard({ index: 1, count: 3 }), makeShard({ index: 2, count: 4 })].map(load)).problems.join(
        '\n',
      ),
    ).toMatch(/different shard counts: .*--shard 1\/3.*--shard 2\/4/);
    const sharded = makeShard({ index: 1 });
    const plain = makeShard({});
    const [p] = checkMergeable([sharded, plain].map(load)).problems;
    expect(p).toMatch(/cannot mix sharded and unsharded runs/);
    expect(p).toContain(plain);
  });

  it('merges unsharded runs of one configuration, and refuses ones of different tenant counts', () => {
    expect(checkMergeable([makeShard({}), makeShard({})].map(load)).problems).toEqual([]);
    expect(checkMergeable([makeShard({}), makeShard({ tenants: 3 })].map(load)).problems.join('\n')).toMatch(
      /the runs differ in tenants/,
    );
  });
});

describe('loadMergeInput', () => {
  it('refuses a folder that does not verify, naming it and the failure', () => {
    const dir = makeShard({ index: 1 });
    const file = join(dir, TRANSCRIPT_FILE);
    const bytes = readFileSync(file);
    bytes[5] = bytes[5]! ^ 1;
    writeFileSync(file, bytes);
    expect(() => load(dir)).toThrow(MergeInputError);
    expect(() => load(dir)).toThrow(new RegExp(`${dir} does not verify[\\s\\S]*FAIL transcript\\.ndjson`));
    expect(() => load(tmpDir())).toThrow(/not a tenantproof run folder/);
  });

  it('finds run folders inside the folders it is given, skipping latest links', () => {
    const parent = tmpDir('tp-artifacts-');
    const a = makeShard({ index: 1 });
    mkdirSync(join(parent, 'shard-1'));
    cpSync(a, join(parent, 'shard-1', 'run-a'), { recursive: true });
    expect(expandRunFolders([parent])).toEqual([join(parent, 'shard-1', 'run-a')]);
    expect(expandRunFolders([a])).toEqual([a]);
  });
});

describe('mergeEvidence', () => {
  it('sums counts and coverage, keeps every finding (renumbered, citing its shard), recomputes the verdict', () => {
    const inputs = [
      makeShard({ index: 2, leak: false, requests: 10 }),
      makeShard({ index: 1, requests: 7 }),
      makeShard({ index: 3, requests: 5 }),
    ].map(load);
    const e = mergeEvidence(inputs, { runId: 'merged-1', missing: [], shardCount: 3 });
    expect(evidenceIssues(e)).toEqual([]);
    expect(e.method.requestCount).toBe(22);
    expect(e.method.interleavedBatchCount).toBe(3);
    expect(e.method.seed).toBe(42);
    expect(e.method.partial).toBe(false);
    expect(e.method.configDigest).toBe(DIGEST);
    expect(e.method.merged!.shards.map((s) => s.index)).toEqual([1, 2, 3]);
    expect(e.method.startedAt <= e.method.endedAt).toBe(true);
    expect(e.findings.map((f) => f.id)).toEqual(['F1', 'F2']);
    const [s1, , s3] = e.method.merged!.shards;
    expect(e.findings[0]).toMatchObject({
      transcript: `shards/${s1!.runId}/transcript.ndjson`,
      counterexample: `shards/${s1!.runId}/counterexamples/1.json`,
      origin: { runId: s1!.runId, id: 'F1' },
    });
    expect(e.findings[1]).toMatchObject({
      transcript: `shards/${s3!.runId}/transcript.ndjson`,
      origin: { runId: s3!.runId, id: 'F1' },
    });
    const cell = e.coverage.cells.find((c) => c.operationId === 'listCustomers' && c.oracle === 'model')!;
    expect(cell.count).toBe(15);
    expect(e.verdict).toBe('leak');
    expect(e.controlMapping.find((c) => c.id === 'V8.2.2')!.status).toBe('violated');
  });

  it('is partial when a shard is partial or missing, and inconclusive when a negative control failed', () => {
    const inputs = [
      makeShard({ index: 1, leak: false, partialReason: 'stopped by SIGTERM' }),
      makeShard({ index: 3, leak: false, negativeControl: 'failed' }),
    ].map(load);
    const e = mergeEvidence(inputs, { runId: 'merged-2', missing: [2], shardCount: 3 });
    expect(evidenceIssues(e)).toEqual([]);
    expect(e.method.partial).toBe(true);
    expect(e.method.partialReason).toMatch(/^shard 2 of 3 missing; shard 1\/3 \(.*\) partial: stopped by SIGTERM$/);
    expect(e.method.merged!.missing).toEqual([2]);
    expect(e.negativeControl.outcome).toBe('failed');
    expect(e.negativeControl.detail).toMatch(/shard 1\/3 .*: passed; shard 3\/3 .*: failed/);
    expect(e.negativeControl.oracles.find((o) => o.oracle === 'model')).toMatchObject({
      outcome: 'failed',
      detail: expect.stringContaining('failed'),
    });
    expect(e.verdict).toBe('inconclusive');
  });

  it('is assessed when the last run ended, and valid for --valid-for (12 months) but never past the own validUntil of a run', () => {
    const inputs = [makeShard({ index: 1, leak: false }), makeShard({ index: 2, leak: false })].map(load);
    const e = mergeEvidence(inputs, { runId: 'merged-3', missing: [1], shardCount: 3 });
    expect(evidenceIssues(e)).toEqual([]);
    expect(e.schemaVersion).toBe('1.1');
    const lastEnd = inputs.map((i) => i.evidence.method.endedAt).sort()[1]!;
    expect(e.assessedAt).toBe(lastEnd);
    expect(e.assessedAt).toBe(e.method.endedAt);
    expect(e.validUntil).toBe(lastEnd.replace(/^2026-/, '2027-'));

    const run = (endedAt: string, validUntil?: string): Evidence => {
      const base = sampleEvidence();
      return {
        ...base,
        schemaVersion: validUntil ? '1.1' : '1.0',
        ...(validUntil ? { assessedAt: endedAt, validUntil } : {}),
        method: { ...base.method, endedAt },
      };
    };
    const a = run('2026-11-30T12:00:00.000Z');
    const b = run('2026-12-01T08:00:00.000Z');
    expect(mergedValidity([a, b], parseCalendarDuration('6mo'))).toEqual({
      assessedAt: '2026-12-01T08:00:00.000Z',
      validUntil: '2027-06-01T08:00:00.000Z',
    });
    // A run its signer vouched for 3 months only caps the merge.
    const short = run('2026-11-30T12:00:00.000Z', '2027-02-28T12:00:00.000Z');
    expect(mergedValidity([short, b]).validUntil).toBe('2027-02-28T12:00:00.000Z');
    // A run already expired when the last one ended: the merged evidence expires at once.
    const expired = run('2025-01-01T00:00:00.000Z', '2025-07-01T00:00:00.000Z');
    expect(mergedValidity([expired, b])).toEqual({
      assessedAt: '2026-12-01T08:00:00.000Z',
      validUntil: '2026-12-01T08:00:00.000Z',
    });
  });

  it('coverage is the cell-wise sum (property)', () => {
    const cell = fc.record({
      operationId: fc.constantFrom('a', 'b', 'c'),
      oracle: fc.constantFrom('model' as const, 'foreign-data' as const),
      relation: fc.constantFrom('own' as const, 'foreign' as const),
      count: fc.nat(100),
    });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { maxLength: 8 }), { maxLength: 4 }), (lists) => {
        const sum = sumCoverage(lists);
        const key = (c: { operationId: string; oracle: string; relation: string }) =>
          `${c.operationId}|${c.oracle}|${c.relation}`;
        expect(new Set(sum.map(key)).size).toBe(sum.length);
        for (const s of sum)
          expect(s.count).toBe(
            lists
              .flat()
              .filter((c) => key(c) === key(s))
              .reduce((n, c) => n + c.count, 0),
          );
        expect(sum.reduce((n, c) => n + c.count, 0)).toBe(lists.flat().reduce((n, c) => n + c.count, 0));
      }),
      { seed: 7, numRuns: 100 },
    );
  });
});

const SARIF_SCHEMA = fileURLToPath(new URL('../../specs/sarif-schema-2.1.0.json', import.meta.url));

describe('writeMergedRun', () => {
  async function merged(
    specs: ShardSpec[] = [{ index: 1 }, { index: 2, leak: false }, { index: 3 }],
    options: { allowPartial?: boolean } = {},
  ) {
    const key = loadSigningKey({});
    const inputs = specs.map((s) => loadMergeInput(makeShard(s, key), options));
    const c = checkMergeable(inputs);
    const dir = join(tmpDir('tp-merged-'), 'merged');
    await writeMergedRun(inputs, dir, {
      key,
      commandLine: 'tenantproof merge a b c',
      runId: 'merged-run',
      missing: c.missing,
      ...(c.shardCount ? { shardCount: c.shardCount } : {}),
    });
    return { dir, key, inputs };
  }

  it('writes a folder that verifies, with every shard kept and still verifying on its own', async () => {
    const { dir, key, inputs } = await merged();
    const r = verifyRunDir(dir);
    expect(r.failures).toEqual([]);
    expect(r.keyFingerprint).toBe(key.fingerprint);
    expect(r.shards).toHaveLength(3);
    expect(r.shards!.every((s) => s.ok && s.keyFingerprint === key.fingerprint)).toBe(true);
    expect(r.transcriptLines).toBe(12);
    expect(formatVerifyReport(r)).toMatch(
      /^integrity verified; origin NOT verified .*\nOK: .* and 3 merged runs under shards\/ .* verify\./,
    );
    for (const i of inputs) {
      for (const f of listFiles(i.dir))
        expect(readFileSync(join(dir, 'shards', i.evidence.runId, f)).equals(readFileSync(join(i.dir, f)))).toBe(true);
    }
    const e = readEvidenceFile(dir);
    expect(e.findings).toHaveLength(2);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('id="merged-shard-list"');
    for (const i of inputs) expect(html).toContain(i.evidence.runId);
    // The report shows each finding's exchanges, read from its own shard's transcript.
    expect(html).toContain(`shards/${inputs[0]!.evidence.runId}/transcript.ndjson`);
    expect(html).toMatch(/<table class="exchanges">/);
  });

  it('results.sarif validates against SARIF 2.1.0 and points each result at its shard transcript', async () => {
    const { dir } = await merged();
    const log = JSON.parse(readFileSync(join(dir, 'results.sarif'), 'utf8')) as {
      runs: Array<{ results: Array<Record<string, any>> }>;
    }; // any: plain JSON tree
    const ajv = new Ajv4.default({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(SARIF_SCHEMA, 'utf8')) as object);
    expect(validate(log), JSON.stringify(validate.errors, null, 1)).toBe(true);
    const e = readEvidenceFile(dir);
    const results = log.runs[0]!.results;
    expect(results).toHaveLength(e.findings.length);
    results.forEach((r, i) => {
      expect(r['locations'][0].physicalLocation.artifactLocation.uri).toBe(e.findings[i]!.transcript);
      expect(r['webRequest']).toMatchObject({ method: 'GET' });
      expect(r['properties'].findingId).toBe(e.findings[i]!.id);
    });
  });

  it('changing any byte of any file fails verification and names that file (property)', async () => {
    const { dir } = await merged([{ index: 1 }, { index: 2, leak: false }]);
    const files = listFiles(dir);
    const originals = new Map(files.map((f) => [f, readFileSync(join(dir, f))]));
    fc.assert(
      fc.property(
        fc.nat(files.length - 1),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 255 }),
        (fi, pos, delta) => {
          const file = files[fi]!;
          const changed = Buffer.from(originals.get(file)!);
          const at = Math.floor(pos * changed.length);
          changed[at] = (changed[at]! + delta) % 256;
          writeFileSync(join(dir, file), changed);
          try {
            const r = verifyRunDir(dir);
            expect(r.ok, `byte ${at} of ${file}`).toBe(false);
            expect(
              r.failures.map((f) => f.file),
              `byte ${at} of ${file}: ${formatVerifyReport(r)}`,
            ).toContain(file);
          } finally {
            writeFileSync(join(dir, file), originals.get(file)!);
          }
        },
      ),
      { seed: 99, numRuns: 80 },
    );
    expect(verifyRunDir(dir).ok).toBe(true);
  });

  it('a changed shard transcript fails its chain, its own seal and the merged seal, all naming it', async () => {
    const { dir } = await merged();
    const e = readEvidenceFile(dir);
    const rel = `shards/${e.method.merged!.shards[1]!.runId}/transcript.ndjson`;
    const text = readFileSync(join(dir, rel), 'utf8');
    writeFileSync(join(dir, rel), text.replace('"seq":2', '"seq":7'));
    const r = verifyRunDir(dir);
    const checks = r.failures.filter((f) => f.file === rel).map((f) => f.check);
    expect(checks).toEqual(expect.arrayContaining(['manifest', 'attestation', 'transcript']));
    expect(formatVerifyReport(r)).toContain(`FAIL ${rel} [transcript]`);
  });

  it('a merged folder without its shards, or with a foreign one, fails; so does a plain run without a transcript', async () => {
    const { dir } = await merged();
    const e = readEvidenceFile(dir);
    const gone = e.method.merged!.shards[0]!.dir;
    rmSync(join(dir, gone), { recursive: true });
    mkdirSync(join(dir, 'shards', 'intruder'));
    writeFileSync(join(dir, 'shards', 'intruder', 'x'), 'x');
    const r = verifyRunDir(dir);
    expect(r.failures).toContainEqual(expect.objectContaining({ file: gone, check: 'merge' }));
    expect(r.failures).toContainEqual(expect.objectContaining({ file: 'shards/intruder', check: 'merge' }));
    expect(r.failures).toContainEqual(
      expect.objectContaining({ file: 'evidence.json', check: 'merge', detail: expect.stringContaining('F1 cites') }),
    );
    // Only evidence that says it is merged excuses a missing top-level transcript.
    const plain = makeShard({ index: 1 });
    rmSync(join(plain, TRANSCRIPT_FILE));
    expect(verifyRunDir(plain).failures).toContainEqual(
      expect.objectContaining({ file: TRANSCRIPT_FILE, check: 'transcript', detail: 'transcript.ndjson is missing' }),
    );
  });

  it('refuses a killed shard (bytes after its last seal) unless --allow-partial', () => {
    const killed = makeShard({ index: 1, killed: true, partialReason: 'checkpoint' });
    expect(() => load(killed)).toThrow(/follow its last checkpoint seal .* Pass --allow-partial/);
  });

  it('merges only the sealed part of a killed shard under --allow-partial, and says so', async () => {
    const { dir, inputs } = await merged([{ index: 1, killed: true, partialReason: 'checkpoint' }, { index: 2 }], {
      allowPartial: true,
    });
    const r = verifyRunDir(dir);
    expect(r.failures).toEqual([]);
    // The copy ends at the seal: nothing signed by no one is in the merged folder.
    expect(r.unsealed ?? []).toEqual([]);
    const original = readFileSync(join(inputs[0]!.dir, TRANSCRIPT_FILE), 'utf8');
    const copy = readFileSync(join(dir, shardDirName(inputs[0]!.evidence.runId), TRANSCRIPT_FILE), 'utf8');
    expect(original).toContain('after the checkpoint');
    expect(copy).not.toContain('after the checkpoint');
    expect(original.startsWith(copy)).toBe(true);
    expect(readEvidenceFile(dir).method.partial).toBe(true);
  });

  it('refuses an already merged folder as input', async () => {
    const { dir } = await merged([{ index: 1 }]);
    expect(() => load(dir)).toThrow(/already a merged folder/);
  });
});
