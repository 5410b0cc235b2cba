/**
 * `tenantproof verify` through the real CLI. A folder that is not a run is a usage error; tampered
 * folders, each of which must be caught
 * (or, for an unpinned check, must say that origin is not verified):
 *   - a forgery re-signed with the forger's own key;
 *   - a signed predicate that contradicts evidence.json;
 *   - correctly chained lines forged after a checkpoint seal, with the vendor's key pinned.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSigningKey } from '../../harness/evidence/attestation.ts';
import { readEvidenceFile, writeEvidenceFile } from '../../harness/evidence/evidence-file.ts';
import { sealRunDir } from '../../harness/evidence/seal.ts';
import { testResultPredicate } from '../../harness/evidence/test-result.ts';
import { TRANSCRIPT_FILE, TranscriptWriter } from '../../harness/evidence/transcript.ts';
import {
  exchanges,
  makeRunDir,
  sampleEvidence,
  tmpDir,
} from '../../harness/evidence/evidence-fixtures.test-support.ts';
import { runCli } from '../support/cli.ts';

/** The vendor's run folder, its evidence edited and the folder re-sealed with a forger's key. */
function resigned(predicateResult?: 'PASSED') {
  const { dir, key: vendor } = makeRunDir();
  const forger = loadSigningKey({});
  const e = readEvidenceFile(dir);
  writeEvidenceFile(dir, {
    ...e,
    signing: { algorithm: 'ed25519', keyFingerprint: forger.fingerprint, keyOrigin: forger.origin },
  });
  const predicate = testResultPredicate(e, []);
  sealRunDir(dir, forger, predicateResult ? { ...predicate, result: predicateResult } : predicate);
  const pin = join(tmpDir(), 'vendor.pem');
  writeFileSync(pin, vendor.publicKeyPem);
  return { dir, vendor, pin };
}

describe('tenantproof verify on tampered folders', () => {
  it('a folder that is not a run folder is a usage error (exit 2), not a failed verification', async () => {
    const r = await runCli(['verify', tmpDir('tp-not-a-run-')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a tenantproof run folder \(no evidence\.json, no manifest\.json\)/);
  });

  it('a forgery re-signed with another key: unpinned it says origin NOT verified; pinned or --require-pinned it fails', async () => {
    const { dir, vendor, pin } = resigned();
    const unpinned = await runCli(['verify', dir]);
    expect(unpinned.code).toBe(0);
    expect(unpinned.stdout).toMatch(
      /^integrity verified; origin NOT verified \(the key is the one in the folder, public-key.pem, fingerprint [0-9a-f]+/,
    );

    const required = await runCli(['verify', dir, '--require-pinned']);
    expect(required.code).toBe(1);
    expect(required.stdout).toMatch(/FAIL: --require-pinned: the signing key is not pinned/);

    const byFile = await runCli(['verify', dir, '--public-key', pin]);
    expect(byFile.code).toBe(1);
    const byFingerprint = await runCli(['verify', dir, '--require-pinned'], {
      env: { TENANTPROOF_TRUSTED_KEYS: vendor.fingerprint },
    });
    expect(byFingerprint.code).toBe(1);
  });

  it('a signed predicate that contradicts evidence.json fails, naming the consistency check', async () => {
    const { dir } = resigned('PASSED');
    const r = await runCli(['verify', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/consistency/);
    expect(r.stdout).toMatch(/attestation says PASSED/);
  });

  it('correctly chained lines forged after a checkpoint seal fail, even with the key pinned', async () => {
    const dir = tmpDir('tp-forged-tail-');
    const key = loadSigningKey({});
    const writer = new TranscriptWriter(join(dir, TRANSCRIPT_FILE));
    const [a, b, c] = exchanges();
    writer.appendExchange(a!);
    const evidence = sampleEvidence({
      signing: { algorithm: 'ed25519', keyFingerprint: key.fingerprint, keyOrigin: key.origin },
    });
    writeEvidenceFile(dir, evidence);
    sealRunDir(dir, key, testResultPredicate(evidence, []), { [TRANSCRIPT_FILE]: writer.byteLength });
    // A forger appends three lines, each carrying the hash of the one before: the chain holds.
    writer.appendExchange(b!);
    writer.appendExchange(c!);
    writer.appendNote('forged');
    writer.close();
    const pin = join(tmpDir(), 'key.pem');
    writeFileSync(pin, key.publicKeyPem);

    const strict = await runCli(['verify', dir, '--public-key', pin]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/FAIL: the run did not finish.*--allow-partial/);
    // Accepted only when asked to, and then the tail is named as untrusted.
    const partial = await runCli(['verify', dir, '--public-key', pin, '--allow-partial']);
    expect(partial.code).toBe(0);
    expect(partial.stdout).toMatch(/NOTE transcript\.ndjson: \d+ bytes were written after the last checkpoint seal/);
  });
});
