import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFolderNamedBy } from './latest-link.ts';

describe('runFolderNamedBy (a `latest` file where symlinks are not allowed)', () => {
  it('gives the run folder the file names beside it, and nothing for a file that names none', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'tp-latest-'));
    mkdirSync(path.join(out, '20261203-000000Z-s1-abcd'));
    const latest = path.join(out, 'latest');
    writeFileSync(latest, '20261203-000000Z-s1-abcd\n');
    expect(runFolderNamedBy(latest)).toBe(path.join(out, '20261203-000000Z-s1-abcd'));
    for (const text of ['', 'no-such-run\n', 'a\nb\n']) {
      writeFileSync(latest, text);
      expect(runFolderNamedBy(latest)).toBeUndefined();
    }
  });
});
