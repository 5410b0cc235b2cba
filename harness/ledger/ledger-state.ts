/**
 * Opening a ledger to read or append: it must verify first (nothing is ever chained onto, or
 * reported from, an entry that does not verify), and an append holds `<ledger>.lock` so two
 * commands never chain onto the same head.
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { splitLedger } from './chain.ts';
import type { RunEntry } from './entry.ts';
import { LedgerError, LedgerTamperedError } from './errors.ts';
import { verifyLedgerBytes, type LedgerVerification, type VerifyLedgerOptions } from './verify-ledger.ts';

export interface LedgerState {
  file: string;
  exists: boolean;
  /** Complete lines (all of them, since the ledger verified). */
  lines: Buffer[];
  verification?: LedgerVerification;
  runs: RunEntry[];
  currentKeyId?: string;
  targetVersionHeader?: string;
}

/** Reads and verifies `file`; a missing file is an empty ledger unless `mustExist`. */
export function openLedger(file: string, options: VerifyLedgerOptions & { mustExist?: boolean } = {}): LedgerState {
  if (!existsSync(file)) {
    if (options.mustExist)
      throw new LedgerError(`ledger ${file} does not exist`, {
        hint: '`tenantproof ledger add DIR --ledger FILE` creates it with its first run',
      });
    return { file, exists: false, lines: [], runs: [] };
  }
  if (!statSync(file).isFile()) throw new LedgerError(`${file} is not a file`);
  const bytes = readFileSync(file);
  const verification = verifyLedgerBytes(bytes, options);
  if (!verification.ok) {
    const f = verification.failure!;
    throw new LedgerTamperedError(`ledger ${file} does not verify: entry ${f.entry}: ${f.detail}`, {
      hint: `run \`tenantproof ledger verify --ledger ${file}\`; restore the ledger from its last good copy (e.g. git) before adding to it`,
    });
  }
  return {
    file,
    exists: true,
    lines: splitLedger(bytes).lines,
    verification,
    runs: verification.entries.filter((e): e is RunEntry => e.kind === 'run'),
    ...(verification.currentKeyId ? { currentKeyId: verification.currentKeyId } : {}),
    ...(verification.targetVersionHeader ? { targetVersionHeader: verification.targetVersionHeader } : {}),
  };
}

/** Runs `fn` holding `<file>.lock` (created exclusively, removed after). */
export async function withLedgerLock<T>(file: string, fn: () => Promise<T> | T): Promise<T> {
  const lock = `${file}.lock`;
  let fd: number;
  try {
    fd = openSync(lock, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new LedgerError(`another command is appending to ${file} (${lock} exists)`, {
        hint: `if no tenantproof command is running, a crashed one left it: remove ${lock}`,
      });
    throw e;
  }
  closeSync(fd);
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}
