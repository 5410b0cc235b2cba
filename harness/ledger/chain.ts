/**
 * The ledger file as a hash chain: its lines, the hash that links each line to the next, and the one
 * way to add to it (append a signed entry whose `prev` is the hash of the last line).
 *
 * Appending does not check the ledger; callers verify it first (`openLedger` in ledger-state.ts), so
 * nothing is ever chained onto a line that does not verify.
 */
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { ZERO_HASH, sha256Hex } from '../evidence/hash.ts';
import type { SigningKey } from '../evidence/attestation.ts';
import { canonicalJson } from './canonical-json.ts';
import { LEDGER_ENTRY_VERSION, type LedgerEntry, type UnsignedEntry } from './entry.ts';
import { signEntry } from './signing.ts';

export { ZERO_HASH };

export interface LedgerLines {
  /** Complete lines, without their newline. */
  lines: Buffer[];
  /** Bytes after the last newline (an entry cut off, or an edit that removed the newline). */
  tail: Buffer;
}

export function splitLedger(buf: Buffer): LedgerLines {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, start)) {
    lines.push(buf.subarray(start, i));
    start = i + 1;
  }
  return { lines, tail: buf.subarray(start) };
}

/** The hash a line is chained by (its bytes without the newline). */
export function lineHash(line: Uint8Array): string {
  return sha256Hex(line);
}

/** The hash of the ledger's last line: what the next entry's `prev` is, and what to publish. */
export function headHash(lines: readonly Buffer[]): string {
  const last = lines.at(-1);
  return last ? lineHash(last) : ZERO_HASH;
}

export interface AppendInput {
  kind: LedgerEntry['kind'];
  body: LedgerEntry['body'];
  key: SigningKey;
  /** For `rotate`: the key the entry announces, which signs its `proof`. */
  announced?: SigningKey;
  at: Date;
}

/** Builds and signs the entry that follows `lines`. */
export function nextEntry(lines: readonly Buffer[], input: AppendInput): LedgerEntry {
  const unsigned = {
    v: LEDGER_ENTRY_VERSION,
    seq: lines.length + 1,
    prev: headHash(lines),
    at: input.at.toISOString(),
    kind: input.kind,
    keyId: input.key.fingerprint,
    body: input.body,
  } as UnsignedEntry;
  return signEntry(unsigned, input.key, input.announced);
}

/** The line an entry is written as (canonical JSON, then a newline). */
export function entryLine(entry: LedgerEntry): string {
  return canonicalJson(entry) + '\n';
}

/** Appends entries to `file` (created if missing) with one write and an fsync. */
export function appendEntries(file: string, entries: readonly LedgerEntry[]): void {
  const bytes = Buffer.from(entries.map(entryLine).join(''), 'utf8');
  const fd = openSync(file, 'a');
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function readLedgerFile(file: string): LedgerLines {
  return splitLedger(readFileSync(file));
}
