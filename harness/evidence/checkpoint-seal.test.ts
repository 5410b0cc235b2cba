import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSigningKey } from './attestation.ts';
import { writeEvidenceFile } from './evidence-file.ts';
import { sealRunDir } from './seal.ts';
import { testResultPredicate } from './test-result.ts';
import { sealedBytesOf } from './manifest.ts';
import { citedExchanges } from './report/write-report.ts';
import { readTranscript, TRANSCRIPT_FILE, TranscriptWriter } from './transcript.ts';
import { formatVerifyReport, verifyRunDir } from './verify.ts';
import { exchanges, sampleEvidence, tmpDir } from './evidence-fixtures.test-support.ts';

/** A run folder sealed at a checkpoint while its transcript writer stays open, as a live run does. */
function checkpointedRun(): { dir: string; writer: TranscriptWriter; sealedBytes: number } {
  const dir = tmpDir('tp-checkpoint-');
  const key = loadSigningKey({});
  const writer = new TranscriptWriter(join(dir, TRANSCRIPT_FILE));
  const [a, b, c] = exchanges();
  writer.appendExchange(a!);
  writer.appendExchange(b!);
  const evidence = sampleEvidence({
    signing: { algorithm: 'ed25519', keyFingerprint: key.fingerprint, keyOrigin: key.origin },
  });
  writeEvidenceFile(dir, evidence);
  const sealedBytes = writer.byteLength;
  sealRunDir(dir, key, testResultPredicate(evidence, []), { [TRANSCRIPT_FILE]: sealedBytes });
  // The run goes on after the checkpoint, then is killed before its final seal.
  writer.appendExchange(c!);
  writer.appendNote('still running');
  return { dir, writer, sealedBytes };
}

describe('checkpoint seals over a growing transcript', () => {
  it('readers of evidence (the report) use only the sealed bytes: an exchange after the seal is not cited', () => {
    const { dir, writer, sealedBytes } = checkpointedRun();
    writer.close();
    expect(sealedBytesOf(dir, TRANSCRIPT_FILE)).toBe(sealedBytes);
    const seqs = exchanges().map((e) => e.seq);
    const cites = sampleEvidence();
    cites.findings = cites.findings.map((f) => ({ ...f, exchanges: seqs }));
    // The third exchange went to disk after the seal: it exists, but no report may cite it.
    expect(readTranscript(join(dir, TRANSCRIPT_FILE)).filter((l) => l.type === 'exchange')).toHaveLength(3);
    expect([...citedExchanges(dir, cites).keys()]).toEqual(seqs.slice(0, 2));
    // A folder sealed whole has no limit.
    expect(sealedBytesOf(tmpDir('tp-unsealed-'), TRANSCRIPT_FILE)).toBeUndefined();
  });

  it('byteLength is the file size at a line boundary', () => {
    const { dir, writer } = checkpointedRun();
    expect(writer.byteLength).toBe(readFileSync(join(dir, TRANSCRIPT_FILE)).length);
    writer.close();
  });

  it('a folder killed after a checkpoint verifies, and says how much of the transcript is unsealed', () => {
    const { dir, writer, sealedBytes } = checkpointedRun();
    writer.close();
    const r = verifyRunDir(dir);
    expect(r.failures).toEqual([]);
    expect(r.unsealed).toEqual([
      { file: TRANSCRIPT_FILE, sealedBytes, extraBytes: readFileSync(join(dir, TRANSCRIPT_FILE)).length - sealedBytes },
    ]);
    expect(formatVerifyReport(r)).toMatch(
      /NOTE transcript\.ndjson: \d+ bytes were written after the last checkpoint seal/,
    );
  });

  it('a change inside the sealed prefix still fails, naming the transcript', () => {
    const { dir, writer } = checkpointedRun();
    writer.close();
    const file = join(dir, TRANSCRIPT_FILE);
    const bytes = readFileSync(file);
    bytes[10] = bytes[10]! ^ 1;
    writeFileSync(file, bytes);
    const r = verifyRunDir(dir);
    expect(r.ok).toBe(false);
    expect(r.failures.filter((f) => f.file === TRANSCRIPT_FILE).map((f) => f.check)).toEqual(
      expect.arrayContaining(['manifest', 'attestation']),
    );
  });

  it('an edited line after the seal (but the last) breaks the hash chain', () => {
    const { dir, writer } = checkpointedRun();
    writer.close();
    const file = join(dir, TRANSCRIPT_FILE);
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const edited = lines[2]!.replace(/"at":"(\d)/, (_, d: string) => `"at":"${(Number(d) + 1) % 10}`);
    expect(edited).not.toBe(lines[2]);
    lines[2] = edited;
    writeFileSync(file, lines.join('\n'));
    const r = verifyRunDir(dir);
    expect(r.ok).toBe(false);
    expect(r.failures).toEqual(
      expect.arrayContaining([expect.objectContaining({ file: TRANSCRIPT_FILE, check: 'transcript' })]),
    );
  });

  it('a finished run has no growing files: anything appended after the final seal fails', () => {
    const dir = tmpDir('tp-final-');
    const key = loadSigningKey({});
    const writer = new TranscriptWriter(join(dir, TRANSCRIPT_FILE));
    for (const ex of exchanges()) writer.appendExchange(ex);
    writer.close();
    const evidence = sampleEvidence({
      signing: { algorithm: 'ed25519', keyFingerprint: key.fingerprint, keyOrigin: key.origin },
    });
    writeEvidenceFile(dir, evidence);
    sealRunDir(dir, key, testResultPredicate(evidence, []));
    expect(verifyRunDir(dir).ok).toBe(true);
    appendFileSync(join(dir, TRANSCRIPT_FILE), '{"line":99}\n');
    const r = verifyRunDir(dir);
    expect(r.ok).toBe(false);
    expect(r.unsealed).toBeUndefined();
    expect(r.failures.map((f) => f.file)).toContain(TRANSCRIPT_FILE);
  });
});
