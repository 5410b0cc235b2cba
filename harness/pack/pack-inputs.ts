/**
 * What a buyer's pack is built from, checked before anything is written: every run folder must
 * verify (with the vendor's key when given), the ledger must verify, and the vendor's key is the
 * one that signed the latest run (and, if given, matches `--public-key`). The latest run is the one
 * assessed last (`assessedAt`, else the end of its campaign).
 */
import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { keyFingerprint, PUBLIC_KEY_FILE } from '../evidence/attestation.ts';
import { readEvidenceFile } from '../evidence/evidence-file.ts';
import type { Evidence } from '../evidence/evidence-schema.ts';
import { verifyRunDir } from '../evidence/verify.ts';
import { verifyLedgerFile, type LedgerVerification } from '../ledger/verify-ledger.ts';
import { PackRefusedError } from './errors.ts';

export interface PackRun {
  /** The folder as given, resolved through symlinks (reports/latest → reports/<runId>). */
  dir: string;
  evidence: Evidence;
  /** When it was assessed (evidence `assessedAt`, else the end of its campaign). */
  assessedAt: string;
}

export interface PackInputs {
  runs: PackRun[];
  latest: PackRun;
  ledgerFile?: string;
  ledger?: LedgerVerification;
  /** The vendor's public key (PEM) and its fingerprint (the key id tenantproof prints). */
  vendorKey: { pem: string; keyId: string; pinned: boolean };
}

export interface PackInputOptions {
  runDirs: readonly string[];
  ledgerFile?: string;
  /** The vendor's public key, to pin: every run and the ledger must be signed with it. */
  publicKeyFile?: string;
}

const MAX_LISTED = 5;

/** Evidence 1.1 records `assessedAt`; 1.0 was assessed when its campaign ended. */
function assessedAtOf(evidence: Evidence): string {
  return evidence.assessedAt ?? evidence.method.endedAt;
}

function readRun(dir: string, publicKeyFile: string | undefined): PackRun {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new PackRefusedError(`${dir} is not a folder.`);
  const report = verifyRunDir(dir, publicKeyFile ? { publicKeyFile } : {});
  if (!report.ok) {
    const listed = report.failures.slice(0, MAX_LISTED).map((f) => `  ${f.file} [${f.check}]: ${f.detail}`);
    throw new PackRefusedError(`${dir} does not verify, so it cannot go into a buyer's pack:\n${listed.join('\n')}`, {
      hint: `run \`tenantproof verify ${dir}\` for the full report`,
    });
  }
  if (report.unsealed)
    throw new PackRefusedError(`${dir} is a checkpoint of an unfinished run; a pack needs a finished one.`);
  const evidence = readEvidenceFile(dir);
  return { dir: realpathSync(dir), evidence, assessedAt: assessedAtOf(evidence) };
}

function fingerprintOfPem(pem: string, file: string): string {
  try {
    return keyFingerprint(createPublicKey(pem));
  } catch {
    throw new PackRefusedError(`${file} is not a public key (PEM).`);
  }
}

export function resolvePackInputs(options: PackInputOptions): PackInputs {
  if (options.runDirs.length === 0)
    throw new PackRefusedError('no run folder given', { hint: 'tenantproof pack reports/latest --out pack/' });
  const runs = options.runDirs.map((dir) => readRun(dir, options.publicKeyFile));
  const unique = new Map(runs.map((run) => [run.evidence.runId, run]));
  const ordered = [...unique.values()].sort((a, b) => a.assessedAt.localeCompare(b.assessedAt));
  const latest = ordered[ordered.length - 1]!;

  const pem = readFileSync(join(latest.dir, PUBLIC_KEY_FILE), 'utf8');
  const keyId = fingerprintOfPem(pem, join(latest.dir, PUBLIC_KEY_FILE));
  let pinned = false;
  if (options.publicKeyFile) {
    const pinnedId = fingerprintOfPem(readFileSync(options.publicKeyFile, 'utf8'), options.publicKeyFile);
    if (pinnedId !== keyId)
      throw new PackRefusedError(
        `the latest run (${latest.evidence.runId}) is signed by key ${keyId}, not by ${options.publicKeyFile} (${pinnedId}).`,
      );
    pinned = true;
  }

  let ledger: LedgerVerification | undefined;
  if (options.ledgerFile) {
    if (!existsSync(options.ledgerFile)) throw new PackRefusedError(`no ledger at ${options.ledgerFile}.`);
    ledger = verifyLedgerFile(options.ledgerFile, { trustedKeyIds: [keyId] });
    if (!ledger.ok)
      throw new PackRefusedError(
        `the ledger ${options.ledgerFile} does not verify (entry ${ledger.failure?.entry}: ${ledger.failure?.detail}).`,
        { hint: `run \`tenantproof ledger verify --ledger ${options.ledgerFile}\`` },
      );
    if (ledger.currentKeyId !== keyId)
      throw new PackRefusedError(
        `the ledger's current key is ${ledger.currentKeyId}, but the latest run is signed by ${keyId}: the buyer could not check both with one key.`,
        { hint: 'add the latest run to the ledger (tenantproof ledger add), or rotate the ledger to the new key' },
      );
  }
  return {
    runs: ordered,
    latest,
    ...(options.ledgerFile ? { ledgerFile: options.ledgerFile } : {}),
    ...(ledger ? { ledger } : {}),
    vendorKey: { pem, keyId, pinned },
  };
}
