import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from './evidence-fixtures.test-support.ts';
import { DigestCache, digestFile } from './file-digest.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('file digest', () => {
  it('hashes a file larger than one chunk, and a prefix of it', () => {
    const dir = tmpDir();
    const bytes = Buffer.alloc(3 * (1 << 20) + 17, 7);
    bytes.write('start', 0);
    writeFileSync(join(dir, 'big.bin'), bytes);
    expect(digestFile(join(dir, 'big.bin'))).toEqual({ sha256: sha(bytes), size: bytes.length });
    const cut = (1 << 20) + 5;
    expect(digestFile(join(dir, 'big.bin'), cut)).toEqual({ sha256: sha(bytes.subarray(0, cut)), size: cut });
  });

  it('uses a known digest only when it covers exactly the bytes asked for', () => {
    const dir = tmpDir();
    writeFileSync(join(dir, 't.ndjson'), 'line one\nline two\n');
    // A deliberately wrong known digest shows which path was taken.
    const known = { 't.ndjson': { sha256: 'k'.repeat(64), size: 18 } };
    expect(new DigestCache(known).of(dir, 't.ndjson').sha256).toBe('k'.repeat(64));
    expect(new DigestCache(known).of(dir, 't.ndjson', 18).sha256).toBe('k'.repeat(64));
    // Another prefix, or a file that has grown since: read from disk.
    expect(new DigestCache(known).of(dir, 't.ndjson', 9).sha256).toBe(sha(Buffer.from('line one\n')));
    writeFileSync(join(dir, 't.ndjson'), 'line one\nline two\nline three\n');
    expect(new DigestCache(known).of(dir, 't.ndjson').sha256).toBe(
      sha(Buffer.from('line one\nline two\nline three\n')),
    );
  });

  it('reads each file once per sealing', () => {
    const dir = tmpDir();
    writeFileSync(join(dir, 'a.json'), '{"a":1}');
    const cache = new DigestCache();
    const first = cache.of(dir, 'a.json');
    writeFileSync(join(dir, 'a.json'), '{"a":2}');
    expect(cache.of(dir, 'a.json')).toBe(first);
  });
});
