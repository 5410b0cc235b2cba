/**
 * The scanner's newest fingerprints, searched without building anything: adding one is a few table
 * writes, and a scan is one pass over the input whatever their number (a `Buffer.indexOf` per value
 * made the tier's size a per-scan cost, so it had to stay tiny and be folded into an automaton,
 * milliseconds of build, every few dozen registrations).
 *
 * Every fingerprint is at least MIN_FINGERPRINT_LENGTH (8) bytes long. Each value is filed under a
 * rolling (Rabin-Karp) hash of its first 8 bytes; the scan rolls the same hash along the input, one
 * multiply-add per byte, and only where a bit table says some value has that hash does it look the
 * hash up and compare the candidates byte for byte.
 */
import { InternalError } from '../../errors.ts';
import type { Fingerprint } from '../../generate/fingerprints.ts';
import { MIN_FINGERPRINT_LENGTH } from '../../generate/fingerprints.ts';

const HEAD = MIN_FINGERPRINT_LENGTH;

/** A value shorter than the registry accepts reached the scanner. */
export class ShortFingerprintError extends InternalError {
  constructor(readonly value: string) {
    super(
      `fingerprint ${JSON.stringify(value)} is shorter than ${HEAD} bytes; the registry never registers such a value`,
    );
  }
}

export interface RecentFingerprint {
  f: Fingerprint;
  bytes: Buffer;
  /** Owner as the scanner's small integer. */
  owner: number;
}

const BASE = 0x01000193;
/** BASE^HEAD (mod 2^32): what the byte leaving the window weighs. */
const BASE_HEAD = (() => {
  let p = 1;
  for (let k = 0; k < HEAD; k++) p = Math.imul(p, BASE);
  return p;
})();
/** Bits in the filter table (2^18: about 1.5 % of it set by 4,096 values). */
const FILTER_BITS = 18;
const FILTER_MASK = (1 << FILTER_BITS) - 1;

/** The rolling hash of `HEAD` bytes at `at`: sum of byte × BASE^(HEAD-1-k), mod 2^32. */
function headHash(buf: Uint8Array, at: number): number {
  let h = 0;
  for (let k = 0; k < HEAD; k++) h = (Math.imul(h, BASE) + buf[at + k]!) | 0;
  return h;
}

/** Map key of a hash: a small integer (a 32-bit one would be a heap number). */
const keyOf = (h: number): number => h & 0x3fffffff;

export class RecentFingerprints {
  readonly entries: RecentFingerprint[] = [];
  /** 1 at `hash & FILTER_MASK` for each value's head hash. */
  private readonly filter = new Uint8Array(1 << FILTER_BITS);
  /** Entries by the hash of their first HEAD bytes. */
  private readonly byHead = new Map<number, RecentFingerprint[]>();

  get size(): number {
    return this.entries.length;
  }

  add(entry: RecentFingerprint): void {
    const b = entry.bytes;
    if (b.length < HEAD) throw new ShortFingerprintError(entry.f.value);
    this.entries.push(entry);
    const h = headHash(b, 0);
    this.filter[h & FILTER_MASK] = 1;
    const list = this.byHead.get(keyOf(h));
    if (list) list.push(entry);
    else this.byHead.set(keyOf(h), [entry]);
  }

  /** Calls `onMatch` for each occurrence of each value whose owner is not `skipOwner`, by offset. */
  scan(buf: Uint8Array, skipOwner: number, onMatch: (entry: RecentFingerprint, offset: number) => void): void {
    if (this.entries.length === 0 || buf.length < HEAD) return;
    const { filter, byHead } = this;
    let h = headHash(buf, 0);
    const last = buf.length - HEAD;
    for (let i = 0; ; i++) {
      if (filter[h & FILTER_MASK] === 1) {
        const list = byHead.get(keyOf(h));
        if (list) {
          for (const e of list) {
            if (e.owner === skipOwner) continue;
            const v = e.bytes;
            if (i + v.length > buf.length) continue;
            let k = 0;
            while (k < v.length && buf[i + k] === v[k]) k++;
            if (k === v.length) onMatch(e, i);
          }
        }
      }
      if (i === last) return;
      // Roll: drop buf[i], take buf[i + HEAD].
      h = (Math.imul(h, BASE) - Math.imul(buf[i]!, BASE_HEAD) + buf[i + HEAD]!) | 0;
    }
  }
}
