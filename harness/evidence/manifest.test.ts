import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkManifest, writeManifest } from './manifest.ts';
import { tmpDir } from './evidence-fixtures.test-support.ts';

describe('manifest', () => {
  it('hashes every file and names changed, missing and extra files', () => {
    const dir = tmpDir();
    writeFileSync(join(dir, 'a.txt'), 'alpha');
    writeFileSync(join(dir, 'b.txt'), 'beta');
    const m = writeManifest(dir);
    expect(m.files.map((f) => f.path)).toEqual(['a.txt', 'b.txt']);
    expect(checkManifest(dir)).toEqual([]);
    writeFileSync(join(dir, 'a.txt'), 'alphA');
    rmSync(join(dir, 'b.txt'));
    writeFileSync(join(dir, 'c.txt'), 'gamma');
    expect(checkManifest(dir).map((p) => [p.file, p.kind])).toEqual([
      ['a.txt', 'changed'],
      ['b.txt', 'missing'],
      ['c.txt', 'extra'],
    ]);
  });

  it('refuses a manifest that is not in canonical form', () => {
    const dir = tmpDir();
    writeFileSync(join(dir, 'a.txt'), 'alpha');
    const m = writeManifest(dir);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    expect(checkManifest(dir)[0]).toMatchObject({ file: 'manifest.json', kind: 'unreadable-manifest' });
  });
});
