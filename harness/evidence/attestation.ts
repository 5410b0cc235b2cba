/**
 * `attestation.json`: an in-toto Statement v1 whose subjects are the run's files (with SHA-256
 * digests) and whose predicate is a test result (`https://in-toto.io/attestation/test-result/v0.1`),
 * wrapped in a DSSE envelope signed with Ed25519.
 *
 * The signing key comes from `TENANTPROOF_SIGNING_KEY` (a PKCS#8 PEM, or base64 of one) or is made
 * for the run. The public key is written as `public-key.pem` beside the attestation; its fingerprint
 * (SHA-256 of the SPKI DER, hex) goes in the report, so a reviewer can pin it.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pae, parseEnvelope, strictBase64, type DsseEnvelope } from './dsse.ts';
import { AttestationFormatError, SigningKeyError } from './errors.ts';
import { sha256Hex } from './hash.ts';
import { DigestCache } from './file-digest.ts';
import { ATTESTATION_FILE, listFiles } from './manifest.ts';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const TEST_RESULT_PREDICATE = 'https://in-toto.io/attestation/test-result/v0.1';
export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const PUBLIC_KEY_FILE = 'public-key.pem';
export const SIGNING_KEY_ENV = 'TENANTPROOF_SIGNING_KEY';

export interface ResourceDescriptor {
  name?: string;
  uri?: string;
  digest?: Record<string, string>;
  downloadLocation?: string;
  mediaType?: string;
  annotations?: Record<string, unknown>;
}

export interface TestResultPredicate {
  result: 'PASSED' | 'WARNED' | 'FAILED';
  configuration: ResourceDescriptor[];
  url?: string;
  passedTests: string[];
  warnedTests: string[];
  failedTests: string[];
}

export interface Statement {
  _type: typeof STATEMENT_TYPE;
  /** `annotations.sealedBytes` marks a growing file (a checkpoint's transcript) attested over a prefix. */
  subject: Array<{ name: string; digest: { sha256: string }; annotations?: { sealedBytes?: number } }>;
  predicateType: typeof TEST_RESULT_PREDICATE;
  predicate: TestResultPredicate;
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  /** SHA-256 of the SPKI DER of the public key, hex. */
  fingerprint: string;
  /** Where it came from: the environment, or made for this run. */
  origin: 'env' | 'generated';
}

export function keyFingerprint(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' }));
}

function fromPrivate(privateKey: KeyObject, origin: SigningKey['origin']): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new SigningKeyError(
      `${SIGNING_KEY_ENV} must be an Ed25519 key, got ${privateKey.asymmetricKeyType ?? 'unknown'}`,
    );
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: keyFingerprint(publicKey),
    origin,
  };
}

/** Parses a PKCS#8 PEM, or base64 of one. */
export function parseSigningKey(text: string, origin: SigningKey['origin'] = 'env'): SigningKey {
  const trimmed = text.trim();
  const pem = trimmed.startsWith('-----BEGIN') ? trimmed : Buffer.from(trimmed, 'base64').toString('utf8');
  if (!pem.includes('-----BEGIN')) throw new SigningKeyError(`${SIGNING_KEY_ENV} is neither a PEM nor base64 of a PEM`);
  try {
    return fromPrivate(createPrivateKey({ key: pem, format: 'pem' }), origin);
  } catch (e) {
    if (e instanceof SigningKeyError) throw e;
    throw new SigningKeyError(`${SIGNING_KEY_ENV} could not be read as a PKCS#8 private key: ${(e as Error).message}`);
  }
}

/** The key from `TENANTPROOF_SIGNING_KEY`, or a fresh one for this run. */
export function loadSigningKey(env: NodeJS.ProcessEnv = process.env): SigningKey {
  const v = env[SIGNING_KEY_ENV];
  if (v && v.trim() !== '') return parseSigningKey(v, 'env');
  return fromPrivate(generateKeyPairSync('ed25519').privateKey, 'generated');
}

export function signEnvelope(payload: Buffer, key: SigningKey, payloadType = PAYLOAD_TYPE): DsseEnvelope {
  const sig = sign(null, pae(payloadType, payload), key.privateKey);
  return {
    payload: payload.toString('base64'),
    payloadType,
    signatures: [{ keyid: key.fingerprint, sig: sig.toString('base64') }],
  };
}

export function serializeEnvelope(e: DsseEnvelope): string {
  return (
    JSON.stringify(
      {
        payload: e.payload,
        payloadType: e.payloadType,
        signatures: e.signatures.map((s) => ({ keyid: s.keyid, sig: s.sig })),
      },
      null,
      2,
    ) + '\n'
  );
}

export interface AttestOptions {
  key: SigningKey;
  predicate: TestResultPredicate;
  /** Growing files and how many of their bytes to attest (a checkpoint of a run in progress). */
  sealedPrefix?: Record<string, number>;
  /** Digests computed for the manifest of the same sealing (so each file is read once). */
  digests?: DigestCache;
}

export interface AttestResult {
  statement: Statement;
  keyFingerprint: string;
}

/** Writes `public-key.pem`. Call before the manifest, so the manifest lists it. */
export function writePublicKey(dir: string, key: SigningKey): void {
  writeFileSync(join(dir, PUBLIC_KEY_FILE), key.publicKeyPem);
}

/**
 * Writes `attestation.json` into `dir`, whose subjects are all files of the folder except the
 * attestation itself (the manifest included). Call last; `sealRunDir` does the whole sequence.
 */
export function writeAttestation(dir: string, options: AttestOptions): AttestResult {
  const sealed = options.sealedPrefix ?? {};
  const digests = options.digests ?? new DigestCache();
  const subject = listFiles(dir)
    .filter((f) => f !== ATTESTATION_FILE)
    .map((name) => {
      const n = sealed[name];
      const { sha256 } = digests.of(dir, name, n);
      return n === undefined
        ? { name, digest: { sha256 } }
        : { name, digest: { sha256 }, annotations: { sealedBytes: n } };
    });
  const statement: Statement = {
    _type: STATEMENT_TYPE,
    subject,
    predicateType: TEST_RESULT_PREDICATE,
    predicate: options.predicate,
  };
  const envelope = signEnvelope(Buffer.from(JSON.stringify(statement), 'utf8'), options.key);
  writeFileSync(join(dir, ATTESTATION_FILE), serializeEnvelope(envelope));
  return { statement, keyFingerprint: options.key.fingerprint };
}

export interface AttestationCheck {
  statement?: Statement;
  /** Fingerprint of the key that verified the signature. */
  keyFingerprint?: string;
  problems: Array<{ file: string; detail: string }>;
}

/**
 * Verifies `attestation.json` in `dir`: canonical form, DSSE signature (against `publicKeyFile` if
 * given, else the `public-key.pem` in the folder), statement shape, and that the subjects are exactly
 * the folder's files with matching digests.
 */
export function verifyAttestation(dir: string, publicKeyFile?: string): AttestationCheck {
  const problems: AttestationCheck['problems'] = [];
  const fail = (file: string, detail: string): AttestationCheck => {
    problems.push({ file, detail });
    return { problems };
  };
  let text: string;
  try {
    text = readFileSync(join(dir, ATTESTATION_FILE), 'utf8');
  } catch {
    return fail(ATTESTATION_FILE, 'attestation.json is missing');
  }
  let envelope: DsseEnvelope;
  let payload: Buffer;
  let sigs: Buffer[];
  try {
    envelope = parseEnvelope(text);
    if (serializeEnvelope(envelope) !== text)
      throw new AttestationFormatError('attestation.json is not in canonical form (it was edited)');
    if (envelope.payloadType !== PAYLOAD_TYPE)
      throw new AttestationFormatError(`payloadType is ${envelope.payloadType}, expected ${PAYLOAD_TYPE}`);
    payload = strictBase64(envelope.payload, 'payload');
    sigs = envelope.signatures.map((s, i) => strictBase64(s.sig, `signature ${i + 1}`));
  } catch (e) {
    return fail(ATTESTATION_FILE, (e as Error).message);
  }

  const keyFile = publicKeyFile ?? join(dir, PUBLIC_KEY_FILE);
  const keyLabel = publicKeyFile ?? PUBLIC_KEY_FILE;
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: readFileSync(keyFile, 'utf8'), format: 'pem' });
    if (publicKey.asymmetricKeyType !== 'ed25519')
      return fail(keyLabel, `public key is ${publicKey.asymmetricKeyType ?? 'unknown'}, expected ed25519`);
  } catch (e) {
    return fail(keyLabel, `public key could not be read: ${(e as Error).message}`);
  }
  const fingerprint = keyFingerprint(publicKey);
  const message = pae(envelope.payloadType, payload);
  const good = sigs.some((sig) => verify(null, message, publicKey, sig));
  if (!good) return fail(ATTESTATION_FILE, `no DSSE signature verifies with the key ${fingerprint} from ${keyLabel}`);
  if (!envelope.signatures.some((s) => s.keyid === fingerprint))
    problems.push({ file: ATTESTATION_FILE, detail: `signature keyid does not name the verifying key ${fingerprint}` });

  let statement: Statement;
  try {
    statement = JSON.parse(payload.toString('utf8')) as Statement;
  } catch {
    return fail(ATTESTATION_FILE, 'signed payload is not JSON');
  }
  if (statement._type !== STATEMENT_TYPE)
    problems.push({ file: ATTESTATION_FILE, detail: `statement _type is ${String(statement._type)}` });
  if (statement.predicateType !== TEST_RESULT_PREDICATE)
    problems.push({ file: ATTESTATION_FILE, detail: `predicateType is ${String(statement.predicateType)}` });
  if (!Array.isArray(statement.subject)) return fail(ATTESTATION_FILE, 'statement has no subject list');

  const files = new Set(listFiles(dir).filter((f) => f !== ATTESTATION_FILE));
  for (const s of statement.subject) {
    if (!files.has(s.name)) {
      problems.push({ file: s.name, detail: `${s.name} is an attested subject but is missing` });
      continue;
    }
    files.delete(s.name);
    const all = readFileSync(join(dir, s.name));
    // A growing file (the transcript of a checkpoint) is attested over its first sealedBytes bytes.
    const n = s.annotations?.sealedBytes;
    const prefix = typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= all.length ? all.subarray(0, n) : all;
    const h = sha256Hex(prefix);
    if (h !== s.digest?.sha256)
      problems.push({
        file: s.name,
        detail: `${s.name} has sha256 ${h}${prefix !== all ? ` over its first ${n} bytes` : ''}, the attestation says ${String(s.digest?.sha256)}`,
      });
  }
  for (const extra of files) problems.push({ file: extra, detail: `${extra} is not an attested subject` });
  return { statement, keyFingerprint: fingerprint, problems };
}
