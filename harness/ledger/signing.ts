/**
 * Signing ledger entries with the vendor's Ed25519 key, and checking them.
 *
 * The key is the one the vendor's runs are signed with: `--signing-key FILE` (a PKCS#8 PEM), else
 * `TENANTPROOF_SIGNING_KEY` (the PEM, or base64 of it). A ledger is never signed with a key made up
 * on the spot: a key nobody keeps cannot sign the next night's entry.
 *
 * What is signed is the DSSE pre-authentication encoding (harness/evidence/dsse.ts) of the entry's
 * canonical JSON without `sig` and `proof`, under the payload type LEDGER_PAYLOAD_TYPE, so a ledger
 * signature can never be replayed as a run attestation's or the other way round.
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { keyFingerprint, parseSigningKey, SIGNING_KEY_ENV, type SigningKey } from '../evidence/attestation.ts';
import { pae } from '../evidence/dsse.ts';
import { canonicalJson } from './canonical-json.ts';
import { LEDGER_PAYLOAD_TYPE, signedPart, type LedgerEntry, type UnsignedEntry } from './entry.ts';
import { LedgerKeyError } from './errors.ts';

export interface LoadedKey {
  key: SigningKey;
  /** Where it came from, for messages: the file, or the environment variable. */
  source: string;
  /** Worth telling the user (a private key file others can read). */
  warnings: string[];
}

const KEYGEN_HINT =
  'create one with `tenantproof keys generate`; in CI keep it in an Actions secret (see `tenantproof keys --help`)';

/** Reads a private key file (PKCS#8 PEM, or base64 of one). */
export function readSigningKeyFile(file: string): LoadedKey {
  if (!existsSync(file)) throw new LedgerKeyError(`signing key file ${file} does not exist`, { hint: KEYGEN_HINT });
  const warnings: string[] = [];
  const mode = statSync(file).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0)
    warnings.push(`${file} can be read by others (mode ${mode.toString(8).padStart(3, '0')}); \`chmod 600 ${file}\``);
  try {
    return { key: parseSigningKey(readFileSync(file, 'utf8'), 'env'), source: file, warnings };
  } catch (e) {
    throw new LedgerKeyError(
      `${file} is not an Ed25519 private key: ${(e as Error).message.replace(SIGNING_KEY_ENV, 'the file')}`,
      {
        hint: KEYGEN_HINT,
      },
    );
  }
}

/** `--signing-key FILE`, else TENANTPROOF_SIGNING_KEY; never a key made for the occasion. */
export function loadLedgerSigningKey(file: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedKey {
  if (file !== undefined) return readSigningKeyFile(file);
  const v = env[SIGNING_KEY_ENV];
  if (!v || v.trim() === '')
    throw new LedgerKeyError(
      `the ledger is signed with the vendor's key, and none was given: pass --signing-key FILE or set ${SIGNING_KEY_ENV}`,
      { hint: KEYGEN_HINT },
    );
  try {
    return { key: parseSigningKey(v, 'env'), source: SIGNING_KEY_ENV, warnings: [] };
  } catch (e) {
    throw new LedgerKeyError((e as Error).message, { hint: KEYGEN_HINT });
  }
}

const parsedKeys = new Map<string, { key: KeyObject; keyId: string }>();

/** An Ed25519 public key from its SPKI PEM, with its fingerprint (the key id). */
export function publicKeyFromPem(pemText: string): { key: KeyObject; keyId: string } {
  const known = parsedKeys.get(pemText);
  if (known) return known;
  const key = createPublicKey({ key: pemText, format: 'pem' });
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`the key is ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519`);
  const parsed = { key, keyId: keyFingerprint(key) };
  // A ledger names few keys; verifying it again (or every edit of it, in tests) need not re-parse them.
  if (parsedKeys.size >= 64) parsedKeys.clear();
  parsedKeys.set(pemText, parsed);
  return parsed;
}

/** The bytes every signature of an entry covers. */
export function signedMessage(entry: UnsignedEntry | LedgerEntry): Buffer {
  return pae(LEDGER_PAYLOAD_TYPE, Buffer.from(canonicalJson(signedPart(entry)), 'utf8'));
}

/** Signs `entry` with `key`; a rotation entry also with the key it announces (`proof`). */
export function signEntry(entry: UnsignedEntry, key: SigningKey, announced?: SigningKey): LedgerEntry {
  const message = signedMessage(entry);
  const sig = sign(null, message, key.privateKey).toString('base64');
  const proof = announced ? { proof: sign(null, message, announced.privateKey).toString('base64') } : {};
  return { ...entry, sig, ...proof } as LedgerEntry;
}

/** Whether `signature` (base64) is a valid signature of the entry by `publicKey`. */
export function signatureValid(entry: LedgerEntry, signature: string, publicKey: KeyObject): boolean {
  const bytes = Buffer.from(signature, 'base64');
  // A non-canonical base64 string decodes like another; the canonical-form check of the line covers
  // the rest, this refuses the aliasing.
  if (bytes.toString('base64') !== signature) return false;
  return verify(null, signedMessage(entry), publicKey, bytes);
}
