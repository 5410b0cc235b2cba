/**
 * SHA-256 of a file (or of its first N bytes), read in chunks so a large transcript never sits in
 * memory whole. A digest the caller already knows (the transcript writer keeps a running one) is
 * used as is: sealing a checkpoint then costs nothing for the transcript, however large it grew.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';

export interface FileDigest {
  sha256: string;
  /** Bytes covered. */
  size: number;
}

/** Digests known in advance, by path relative to the folder being sealed. */
export type KnownDigests = Readonly<Record<string, FileDigest>>;

const CHUNK = 1 << 20;

/** SHA-256 of `file`, or of its first `prefixBytes` bytes. */
export function digestFile(file: string, prefixBytes?: number): FileDigest {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  let size = 0;
  try {
    for (;;) {
      const want = prefixBytes === undefined ? CHUNK : Math.min(CHUNK, prefixBytes - size);
      if (want <= 0) break;
      const n = readSync(fd, buf, 0, want, size);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      size += n;
    }
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * Digests of files in one sealing: each file is read at most once (the manifest and the attestation
 * both need them), and a known digest is used when it covers exactly the bytes asked for.
 */
export class DigestCache {
  private readonly memo = new Map<string, FileDigest>();

  constructor(private readonly known: KnownDigests = {}) {}

  of(dir: string, rel: string, prefixBytes?: number): FileDigest {
    const key = `${rel}\0${prefixBytes ?? ''}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const k = this.known[rel];
    const file = `${dir}/${rel}`;
    const covers = k && (prefixBytes === undefined ? statSync(file).size === k.size : prefixBytes === k.size);
    const d = covers ? k : digestFile(file, prefixBytes);
    this.memo.set(key, d);
    return d;
  }
}
