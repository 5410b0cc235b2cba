import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LedgerKeyError } from './errors.ts';
import { generateKeyPair } from './keys.ts';
import { scratchDir } from './ledger-fixtures.test-support.ts';
import { loadLedgerSigningKey } from './signing.ts';

describe('loadLedgerSigningKey', () => {
  const pair = generateKeyPair();

  it('takes --signing-key FILE over TENANTPROOF_SIGNING_KEY, and warns about a file others can read', () => {
    const file = join(scratchDir('signing-'), 'key.pem');
    writeFileSync(file, pair.privateKeyPem);
    chmodSync(file, 0o644);
    const other = generateKeyPair();
    const loaded = loadLedgerSigningKey(file, { TENANTPROOF_SIGNING_KEY: other.privateKeyPem });
    expect(loaded.key.fingerprint).toBe(pair.keyId);
    expect(loaded.warnings.join()).toMatch(/can be read by others \(mode 644\); `chmod 600/);
    chmodSync(file, 0o600);
    expect(loadLedgerSigningKey(file, {}).warnings).toEqual([]);
  });

  it('reads the PEM or base64 of it from the environment, and never makes a key up', () => {
    expect(loadLedgerSigningKey(undefined, { TENANTPROOF_SIGNING_KEY: pair.privateKeyPem }).key.fingerprint).toBe(
      pair.keyId,
    );
    const b64 = Buffer.from(pair.privateKeyPem).toString('base64');
    expect(loadLedgerSigningKey(undefined, { TENANTPROOF_SIGNING_KEY: b64 }).key.fingerprint).toBe(pair.keyId);
    expect(() => loadLedgerSigningKey(undefined, {})).toThrow(LedgerKeyError);
    expect(() => loadLedgerSigningKey(undefined, { TENANTPROOF_SIGNING_KEY: pair.publicKeyPem })).toThrow(
      LedgerKeyError,
    );
    expect(() => loadLedgerSigningKey(join(scratchDir('signing-'), 'missing.pem'), {})).toThrow(/does not exist/);
  });
});
