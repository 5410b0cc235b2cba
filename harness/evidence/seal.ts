/**
 * Sealing a run folder, in the only order that works: the public key, then the manifest (which lists
 * every file including the key), then the signed attestation (whose subjects include the manifest).
 */
import { writeAttestation, writePublicKey, type SigningKey, type TestResultPredicate } from './attestation.ts';
import { writeManifest, type Manifest } from './manifest.ts';

export interface SealResult {
  manifest: Manifest;
  /** SHA-256 of the SPKI DER of the signing key, hex, for the report. */
  keyFingerprint: string;
}

export function sealRunDir(dir: string, key: SigningKey, predicate: TestResultPredicate): SealResult {
  writePublicKey(dir, key);
  const manifest = writeManifest(dir);
  const { keyFingerprint } = writeAttestation(dir, { key, predicate });
  return { manifest, keyFingerprint };
}
