/**
 * The initdb snapshot: the first start makes it, the next ones load it (a marker table in it shows
 * up), a corrupt one is replaced,
 * and a cluster from a snapshot behaves like a fresh one (the migrations apply, queries run).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { createPglite, snapshotFile } from './pglite-snapshot.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'tp-pglite-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the PGlite initdb snapshot', () => {
  it('lives in TENANTPROOF_CACHE_DIR, else the XDG cache folder, and is off with TENANTPROOF_CACHE_DIR=off', () => {
    expect(snapshotFile({ TENANTPROOF_CACHE_DIR: dir })).toMatch(
      new RegExp(`^${dir}/pglite-\\d+\\.\\d+\\.\\d+.*-initdb\\.tar\\.gz$`),
    );
    expect(snapshotFile({ XDG_CACHE_HOME: '/x' })).toMatch(/^\/x\/tenantproof\/pglite-/);
    expect(snapshotFile({ TENANTPROOF_CACHE_DIR: 'off' })).toBeUndefined();
  });

  it('is made on the first start, loaded on the next, and replaced when corrupt', async () => {
    const file = snapshotFile({ TENANTPROOF_CACHE_DIR: dir })!;
    const first = await createPglite(file);
    expect(existsSync(file)).toBe(true);
    // The instance that was dumped is still usable.
    expect((await first.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    await first.close();
    const made = readFileSync(file);

    const loaded = await createPglite(file);
    await loaded.exec('CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2);');
    expect((await loaded.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 2 }]);
    await loaded.close();
    // Loading never writes the snapshot, and what one instance did is not in it.
    expect(readFileSync(file).equals(made)).toBe(true);
    const again = await createPglite(file);
    expect((await again.query("SELECT to_regclass('t') AS t")).rows).toEqual([{ t: null }]);
    await again.close();

    // A start really loads the snapshot: one holding a marker table gives a cluster with it.
    const marked = await PGlite.create();
    await marked.exec('CREATE TABLE snapshot_marker (id int)');
    writeFileSync(file, Buffer.from(await (await marked.dumpDataDir('gzip')).arrayBuffer()));
    await marked.close();
    const fromMarked = await createPglite(file);
    expect((await fromMarked.query("SELECT to_regclass('snapshot_marker')::text AS t")).rows).toEqual([
      { t: 'snapshot_marker' },
    ]);
    await fromMarked.close();

    writeFileSync(file, 'not a tarball');
    const recovered = await createPglite(file);
    expect((await recovered.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    await recovered.close();
    expect(readFileSync(file).length).toBeGreaterThan(1000);
  });
});
