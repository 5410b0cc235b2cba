import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyFingerprint, parseSigningKey } from '../evidence/attestation.ts';
import { LedgerError } from './errors.ts';
import { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, writeKeyPair } from './keys.ts';
import { scratchDir } from './ledger-fixtures.test-support.ts';

describe('writeKeyPair', () => {
  it('writes an Ed25519 pair: the private key 0600 in a 0700 folder, the key id the public key’s fingerprint', () => {
    const dir = join(scratchDir('keys-'), 'vendor');
    const k = writeKeyPair(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(k.privateKeyFile).mode & 0o777).toBe(0o600);
    expect(statSync(k.publicKeyFile).mode & 0o777).toBe(0o644);
    const priv = createPrivateKey(readFileSync(join(dir, PRIVATE_KEY_FILE), 'utf8'));
    const pub = createPublicKey(readFileSync(join(dir, PUBLIC_KEY_FILE), 'utf8'));
    expect(priv.asymmetricKeyType).toBe('ed25519');
    expect(verify(null, Buffer.from('m'), pub, sign(null, Buffer.from('m'), priv))).toBe(true);
    expect(k.keyId).toBe(keyFingerprint(pub));
    // The private key is exactly what TENANTPROOF_SIGNING_KEY takes, with the same fingerprint.
    expect(parseSigningKey(k.privateKeyPem).fingerprint).toBe(k.keyId);
  });

  it('never overwrites a key unless forced', () => {
    const dir = scratchDir('keys-');
    const first = writeKeyPair(dir);
    expect(() => writeKeyPair(dir)).toThrow(LedgerError);
    expect(readFileSync(first.privateKeyFile, 'utf8')).toBe(first.privateKeyPem);
    const second = writeKeyPair(dir, { force: true });
    expect(second.keyId).not.toBe(first.keyId);
    expect(statSync(second.privateKeyFile).mode & 0o777).toBe(0o600);
  });
});
