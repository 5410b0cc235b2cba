/**
 * A vendor's Ed25519 signing key pair, made once and kept: the private key signs every run and every
 * ledger entry (it is TENANTPROOF_SIGNING_KEY in CI), the public key is what buyers pin. The key id
 * is the fingerprint runs and the ledger record: SHA-256 of the public key's SPKI DER, hex.
 */
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyFingerprint } from '../evidence/attestation.ts';
import { LedgerError } from './errors.ts';

export const PRIVATE_KEY_FILE = 'tenantproof-signing-key.pem';
export const PUBLIC_KEY_FILE = 'tenantproof-public-key.pem';

export interface KeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  keyId: string;
}

export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyFingerprint(publicKey),
  };
}

export interface WrittenKeyPair extends KeyPair {
  privateKeyFile: string;
  publicKeyFile: string;
}

/**
 * Writes a new key pair into `dir` (made, mode 0700, if missing): the private key with mode 0600,
 * created exclusively (never over an existing file unless `force`), the public key with 0644.
 */
export function writeKeyPair(dir: string, options: { force?: boolean } = {}): WrittenKeyPair {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new LedgerError(`${dir} exists and is not a folder`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateKeyFile = join(dir, PRIVATE_KEY_FILE);
  const publicKeyFile = join(dir, PUBLIC_KEY_FILE);
  if (!options.force)
    for (const f of [privateKeyFile, publicKeyFile])
      if (existsSync(f))
        throw new LedgerError(`${f} already exists; a signing key is made once and kept`, {
          hint: 'pass --force to replace it (runs and ledgers signed with the old key then need `ledger rotate`), or choose another --out',
        });
  const pair = generateKeyPair();
  // `wx` fails if the file appeared meanwhile; chmod because the umask may have narrowed or
  // (with `force`, on an existing file) not applied the mode.
  writeFileSync(privateKeyFile, pair.privateKeyPem, { mode: 0o600, flag: options.force ? 'w' : 'wx' });
  chmodSync(privateKeyFile, 0o600);
  writeFileSync(publicKeyFile, pair.publicKeyPem, { mode: 0o644, flag: options.force ? 'w' : 'wx' });
  chmodSync(publicKeyFile, 0o644);
  return { ...pair, privateKeyFile, publicKeyFile };
}
