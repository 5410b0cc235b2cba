/**
 * `verifyRunDir`: everything an auditor's `tenantproof verify DIR` checks, as a list of precise
 * failures (which file, which check, what is wrong). An empty list means every byte of the folder is
 * what the signer attested.
 *
 * Checks: the manifest (every file's SHA-256; no file missing or extra); the DSSE signature of the
 * attestation (against a pinned public key if given, else the folder's `public-key.pem`) and that its
 * subjects are exactly the folder's files; the transcript's hash chain; and `evidence.json` against
 * the schema.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyAttestation, PUBLIC_KEY_FILE } from './attestation.ts';
import { evidenceIssues } from './evidence-file.ts';
import { EVIDENCE_FILE } from './evidence-schema.ts';
import { checkManifest, unsealedTails } from './manifest.ts';
import { TRANSCRIPT_FILE, verifyTranscriptBytes } from './transcript.ts';

export type VerifyCheck = 'manifest' | 'attestation' | 'transcript' | 'evidence' | 'folder';

export interface VerifyFailure {
  file: string;
  check: VerifyCheck;
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  failures: VerifyFailure[];
  /** Fingerprint of the key that verified the attestation, when it verified. */
  keyFingerprint?: string;
  /** True when a pinned public key (not the folder's own) verified the signature. */
  pinned: boolean;
  transcriptLines?: number;
  /** The attested test result, when the attestation verified. */
  result?: string;
  /**
   * A checkpoint of a run that did not finish (killed): bytes its transcript gained after the last
   * seal. They are hash-chained, but neither in the manifest nor signed.
   */
  unsealed?: Array<{ file: string; sealedBytes: number; extraBytes: number }>;
}

export interface VerifyOptions {
  /** A public key file the reviewer trusts; without it the folder's own key proves integrity, not origin. */
  publicKeyFile?: string;
}

export function verifyRunDir(dir: string, options: VerifyOptions = {}): VerifyReport {
  const failures: VerifyFailure[] = [];
  if (!existsSync(dir)) return { ok: false, failures: [{ file: dir, check: 'folder', detail: 'run folder does not exist' }], pinned: false };

  for (const p of checkManifest(dir)) failures.push({ file: p.file, check: 'manifest', detail: p.detail });
  const unsealed = unsealedTails(dir);

  const att = verifyAttestation(dir, options.publicKeyFile);
  for (const p of att.problems) failures.push({ file: p.file, check: 'attestation', detail: p.detail });

  let transcriptLines: number | undefined;
  const tPath = join(dir, TRANSCRIPT_FILE);
  if (existsSync(tPath)) {
    const t = verifyTranscriptBytes(readFileSync(tPath));
    transcriptLines = t.lines;
    if (!t.ok && t.firstBroken) failures.push({ file: TRANSCRIPT_FILE, check: 'transcript', detail: `line ${t.firstBroken.line}: ${t.firstBroken.reason}` });
  } else {
    failures.push({ file: TRANSCRIPT_FILE, check: 'transcript', detail: 'transcript.ndjson is missing' });
  }

  const ePath = join(dir, EVIDENCE_FILE);
  if (existsSync(ePath)) {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(ePath, 'utf8'));
    } catch {
      failures.push({ file: EVIDENCE_FILE, check: 'evidence', detail: 'evidence.json is not valid JSON' });
    }
    if (value !== undefined) {
      const issues = evidenceIssues(value);
      for (const i of issues) failures.push({ file: EVIDENCE_FILE, check: 'evidence', detail: `${i.path}: ${i.message}` });
      // The key the report names must be the key that signed.
      const claimed = (value as { signing?: { keyFingerprint?: unknown } }).signing?.keyFingerprint;
      if (issues.length === 0 && typeof claimed === 'string' && att.keyFingerprint && att.problems.length === 0 && claimed !== att.keyFingerprint) {
        failures.push({ file: EVIDENCE_FILE, check: 'evidence', detail: `evidence names signing key ${claimed}, but the attestation verifies with ${att.keyFingerprint}` });
      }
    }
  } else {
    failures.push({ file: EVIDENCE_FILE, check: 'evidence', detail: 'evidence.json is missing' });
  }

  return {
    ok: failures.length === 0,
    failures,
    ...(att.keyFingerprint && att.problems.length === 0 ? { keyFingerprint: att.keyFingerprint } : {}),
    pinned: options.publicKeyFile !== undefined && att.problems.length === 0,
    ...(transcriptLines !== undefined ? { transcriptLines } : {}),
    ...(att.statement && att.problems.length === 0 ? { result: att.statement.predicate.result } : {}),
    ...(unsealed.length > 0 ? { unsealed } : {}),
  };
}

/** One line per failure, for the CLI. */
export function formatVerifyReport(r: VerifyReport): string {
  if (r.ok) {
    const tail = (r.unsealed ?? []).map((u) => `\nNOTE ${u.file}: ${u.extraBytes} bytes were written after the last checkpoint seal (first ${u.sealedBytes} bytes sealed); they are hash-chained (an edit to any line but the last breaks the chain) but not signed. The run did not finish: its evidence is partial.`);
    return `OK: manifest, signature (${r.pinned ? 'pinned key' : `${PUBLIC_KEY_FILE} in the folder`} ${r.keyFingerprint ?? ''}), transcript chain (${r.transcriptLines ?? 0} lines) and evidence schema all verify.${tail.join('')}`;
  }
  return r.failures.map((f) => `FAIL ${f.file} [${f.check}]: ${f.detail}`).join('\n');
}
