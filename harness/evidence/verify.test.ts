import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSigningKey } from './attestation.ts';
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
    expect(formatVerifyReport(r)).toMatch(/^OK:/);
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
