/**
 * What the OSCAL export reads from a run folder: its evidence.json (through the schema), the files
 * manifest.json lists with their SHA-256 and size, and the SHA-256 of the two files the manifest
 * cannot list (itself, and the attestation that signs it). The folder must already have passed
 * `verifyRunDir`: these digests are then the bytes the signer attested.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEvidenceFile } from '../evidence-file.ts';
import type { Evidence } from '../evidence-schema.ts';
import { sha256Hex } from '../hash.ts';
import { ATTESTATION_FILE, MANIFEST_FILE, readManifest } from '../manifest.ts';
import { EvidenceError } from '../errors.ts';

export interface EvidenceFileDigest {
  /** Relative to the run folder, `/`-separated. */
  path: string;
  sha256: string;
  size: number;
}

/** How the folder's signature verified (from `verifyRunDir`). */
export interface SealFacts {
  keyFingerprint?: string;
  /** The signing key was pinned by the reviewer (--public-key or TENANTPROOF_TRUSTED_KEYS). */
  pinned: boolean;
}

export interface OscalInput {
  evidence: Evidence;
  /** Every file of the folder: the manifest's entries, then manifest.json and attestation.json; sorted by path. */
  files: EvidenceFileDigest[];
  seal: SealFacts;
}

export function readOscalInput(dir: string, seal: SealFacts): OscalInput {
  const manifest = readManifest(dir);
  if (!('files' in manifest)) throw new EvidenceError(`${dir}: ${manifest.detail}`);
  const sealing = [MANIFEST_FILE, ATTESTATION_FILE].map((path) => {
    const bytes = readFileSync(join(dir, path));
    return { path, sha256: sha256Hex(bytes), size: bytes.length };
  });
  const files = [...manifest.files.map(({ path, sha256, size }) => ({ path, sha256, size })), ...sealing].sort(
    (a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
  return { evidence: readEvidenceFile(dir), files, seal };
}
