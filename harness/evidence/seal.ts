/**
 * Sealing a run folder, in the only order that works: the public key, then the manifest (which lists
 * every file including the key), then the signed attestation (whose subjects include the manifest).
 */
import { writeAttestation, writePublicKey, type SigningKey, type TestResultPredicate } from './attestation.ts';
import { DigestCache, type KnownDigests } from './file-digest.ts';
import { writeManifest, type Manifest } from './manifest.ts';

export interface SealResult {
  manifest: Manifest;
  /** SHA-256 of the SPKI DER of the signing key, hex, for the report. */
  keyFingerprint: string;
}

/**
 * `sealedPrefix` is for a checkpoint of a run still in progress: the transcript keeps growing, so
 * the seal covers its first N bytes (see Manifest.growing). The final seal passes nothing.
 * `known` gives digests already computed (the transcript writer's running digest).
 */
export function sealRunDir(
  dir: string,
  key: SigningKey,
  predicate: TestResultPredicate,
  sealedPrefix: Record<string, number> = {},
  known: KnownDigests = {},
): SealResult {
  writePublicKey(dir, key);
  const digests = new DigestCache(known);
  const manifest = writeManifest(dir, sealedPrefix, digests);
  const { keyFingerprint } = writeAttestation(dir, { key, predicate, sealedPrefix, digests });
  return { manifest, keyFingerprint };
}
