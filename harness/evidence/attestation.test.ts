import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  keyFingerprint,
  loadSigningKey,
  parseSigningKey,
  PAYLOAD_TYPE,
  STATEMENT_TYPE,
  TEST_RESULT_PREDICATE,
  verifyAttestation,
} from './attestation.ts';
import { pae, parseEnvelope, strictBase64 } from './dsse.ts';
import { SigningKeyError } from './errors.ts';
import { checkManifest } from './manifest.ts';
import { makeRunDir, tmpDir } from './evidence-fixtures.test-support.ts';

describe('DSSE', () => {
  it('computes PAE as in the DSSE v1 spec example', () => {
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });
  it('refuses non-canonical base64', () => {
    expect(strictBase64('QQ==', 'x').toString()).toBe('A');
    expect(() => strictBase64('QR==', 'x')).toThrow();
    expect(() => strictBase64('QQ=', 'x')).toThrow();
  });
});

describe('attestation', () => {
  it('signs an in-toto v1 test-result statement over every file, and verifies', () => {
    const { dir, key } = makeRunDir();
    const check = verifyAttestation(dir);
    expect(check.problems).toEqual([]);
    expect(check.keyFingerprint).toBe(key.fingerprint);
    expect(check.statement).toMatchObject({
      _type: STATEMENT_TYPE,
      predicateType: TEST_RESULT_PREDICATE,
      predicate: { result: 'FAILED' },
    });
    const names = check.statement!.subject.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'evidence.json',
        'transcript.ndjson',
        'manifest.json',
        'public-key.pem',
        'junit.xml',
        'results.sarif',
        'counterexamples/1.json',
      ]),
    );
    expect(names).not.toContain('attestation.json');
    const env = parseEnvelope(readFileSync(join(dir, 'attestation.json'), 'utf8'));
    expect(env.payloadType).toBe(PAYLOAD_TYPE);
    expect(env.signatures[0]!.keyid).toBe(key.fingerprint);
    expect(checkManifest(dir)).toEqual([]);
  });

  it('verifies with a pinned key and fails with another one', () => {
    const { dir, key } = makeRunDir();
    const pinned = join(tmpDir(), 'trusted.pem');
    writeFileSync(pinned, key.publicKeyPem);
    expect(verifyAttestation(dir, pinned).problems).toEqual([]);
    const other = join(tmpDir(), 'other.pem');
    writeFileSync(other, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const bad = verifyAttestation(dir, other);
    expect(bad.problems[0]).toMatchObject({
      file: 'attestation.json',
      detail: expect.stringContaining('no DSSE signature verifies'),
    });
  });

  it('reads TENANTPROOF_SIGNING_KEY as PEM or base64 of PEM, and rejects other keys', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const a = loadSigningKey({ TENANTPROOF_SIGNING_KEY: pem });
    const b = loadSigningKey({ TENANTPROOF_SIGNING_KEY: Buffer.from(pem).toString('base64') });
    expect(a.origin).toBe('env');
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).toBe(keyFingerprint(a.publicKey));
    expect(a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(loadSigningKey({}).origin).toBe('generated');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() => parseSigningKey(rsa)).toThrow(SigningKeyError);
    expect(() => parseSigningKey('not a key')).toThrow(SigningKeyError);
  });
});
