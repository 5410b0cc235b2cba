import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSigningKey, type TestResultPredicate } from './attestation.ts';
import type { Evidence } from './evidence-schema.ts';
import { readEvidenceFile, writeEvidenceFile } from './evidence-file.ts';
import { sealRunDir } from './seal.ts';
import { testResultPredicate } from './test-result.ts';
import { listFiles } from './manifest.ts';
import { formatVerifyReport, verifyRunDir } from './verify.ts';
import { ADMIN_TOKEN, API_KEY_T1, API_KEY_T2, makeRunDir, tmpDir } from './evidence-fixtures.test-support.ts';

const SEED = 424242;

describe('verifyRunDir', () => {
  it('passes on a fresh run folder, and with the pinned key', () => {
    const { dir, key } = makeRunDir();
    const r = verifyRunDir(dir);
    expect(r.failures).toEqual([]);
    expect(r).toMatchObject({
      ok: true,
      keyFingerprint: key.fingerprint,
      pinned: false,
      transcriptLines: 4,
      result: 'FAILED',
    });
    const pin = join(tmpDir(), 'pin.pem');
    writeFileSync(pin, key.publicKeyPem);
    expect(verifyRunDir(dir, { publicKeyFile: pin })).toMatchObject({ ok: true, pinned: true });
    expect(formatVerifyReport(r)).toMatch(/^integrity verified; origin NOT verified .*fingerprint [0-9a-f]+.*\nOK:/);
    expect(formatVerifyReport(verifyRunDir(dir, { publicKeyFile: pin }))).toMatch(/^integrity and origin verified/);
    // A trusted fingerprint pins the key as well as a key file does.
    expect(verifyRunDir(dir, { trustedFingerprints: [key.fingerprint] }).pinned).toBe(true);
  });

  describe('tampering with a re-signed folder', () => {
    /** A copy of a run folder, its evidence and predicate edited, re-sealed with the forger's key. */
    function forged(edit: (e: Evidence) => Evidence, predicate?: (e: Evidence) => TestResultPredicate) {
      const { dir, key: vendor } = makeRunDir();
      const forger = loadSigningKey({});
      const e = edit(readEvidenceFile(dir));
      writeEvidenceFile(dir, {
        ...e,
        signing: { algorithm: 'ed25519', keyFingerprint: forger.fingerprint, keyOrigin: forger.origin },
      });
      const p = predicate
        ? predicate(e)
        : testResultPredicate(e, [{ name: 'specs/crm.openapi.yaml', digest: { sha256: 'a'.repeat(64) } }]);
      sealRunDir(dir, forger, p);
      return { dir, vendor, forger };
    }

    it('a forgery re-signed with another key verifies its integrity only: origin not verified, not pinned', () => {
      const { dir, vendor } = forged((e) => e);
      const r = verifyRunDir(dir, { trustedFingerprints: [vendor.fingerprint] });
      expect(r).toMatchObject({ ok: true, pinned: false });
      expect(formatVerifyReport(r)).toMatch(/origin NOT verified/);
      const pin = join(tmpDir(), 'vendor.pem');
      writeFileSync(pin, vendor.publicKeyPem);
      expect(verifyRunDir(dir, { publicKeyFile: pin }).ok).toBe(false);
    });

    it('fails a signed result that contradicts evidence.json', () => {
      const { dir } = forged(
        (e) => e,
        (e) => ({ ...testResultPredicate(e, []), result: 'PASSED' }),
      );
      expect(verifyRunDir(dir).failures).toContainEqual(
        expect.objectContaining({
          check: 'consistency',
          detail: expect.stringMatching(/attestation says PASSED, but .* verdict is leak/),
        }),
      );
    });

    it('fails a leak verdict with no finding, even when the forger signed it consistently', () => {
      const { dir } = forged((e) => ({
        ...e,
        findings: [],
        controlMapping: e.controlMapping.map((c) => ({ ...c, findings: [] })),
      }));
      expect(verifyRunDir(dir).failures).toContainEqual(
        expect.objectContaining({
          check: 'consistency',
          detail: 'the verdict is leak, but evidence.json holds no confirmed finding',
        }),
      );
    });
  });

  it('no API key or admin token appears anywhere in the run folder', () => {
    const { dir } = makeRunDir();
    for (const f of listFiles(dir)) {
      const text = readFileSync(join(dir, f), 'utf8');
      for (const secret of [API_KEY_T1, API_KEY_T2, ADMIN_TOKEN])
        expect(text.includes(secret), `${secret} in ${f}`).toBe(false);
    }
  });

  it('changing any single byte of any file fails and names that file (property)', () => {
    const { dir } = makeRunDir();
    const files = listFiles(dir);
    const originals = new Map(files.map((f) => [f, readFileSync(join(dir, f))]));
    fc.assert(
      fc.property(
        fc.nat(files.length - 1),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 255 }),
        (fi, pos, delta) => {
          const file = files[fi]!;
          const original = originals.get(file)!;
          const changed = Buffer.from(original);
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
            writeFileSync(join(dir, file), original);
          }
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
    expect(verifyRunDir(dir).ok).toBe(true);
  });

  it('deleting a transcript line fails verification, naming the transcript and the broken line', () => {
    const { dir } = makeRunDir();
    const file = join(dir, 'transcript.ndjson');
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    for (let drop = 0; drop < lines.length; drop++) {
      const kept = lines.filter((_, i) => i !== drop);
      writeFileSync(file, kept.join('\n') + '\n');
      const r = verifyRunDir(dir);
      expect(r.ok).toBe(false);
      expect(r.failures.filter((f) => f.file === 'transcript.ndjson').map((f) => f.check)).toContain('manifest');
      if (drop < lines.length - 1)
        expect(r.failures).toContainEqual(
          expect.objectContaining({
            file: 'transcript.ndjson',
            check: 'transcript',
            detail: expect.stringContaining(`line ${drop + 1}:`),
          }),
        );
    }
  });

  it('fails when evidence.json names a different signing key than the one that signed', () => {
    const { dir } = makeRunDir(loadSigningKey({}), loadSigningKey({}));
    expect(verifyRunDir(dir).failures).toContainEqual(
      expect.objectContaining({
        file: 'evidence.json',
        check: 'evidence',
        detail: expect.stringContaining('names signing key'),
      }),
    );
  });

  it('names missing and extra files, and a missing attestation', () => {
    const { dir } = makeRunDir();
    rmSync(join(dir, 'junit.xml'));
    writeFileSync(join(dir, 'smuggled.txt'), 'x');
    const r = verifyRunDir(dir);
    expect(r.failures).toContainEqual(expect.objectContaining({ file: 'junit.xml', check: 'manifest' }));
    expect(r.failures).toContainEqual(expect.objectContaining({ file: 'smuggled.txt', check: 'manifest' }));
    expect(r.failures).toContainEqual(expect.objectContaining({ file: 'smuggled.txt', check: 'attestation' }));
    rmSync(join(dir, 'attestation.json'));
    expect(verifyRunDir(dir).failures).toContainEqual(
      expect.objectContaining({ file: 'attestation.json', check: 'attestation' }),
    );
    expect(verifyRunDir(join(dir, 'nope')).failures[0]).toMatchObject({ check: 'folder' });
  });
});
