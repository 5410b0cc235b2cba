/**
 * The data directory's layout: a folder holding anything else is refused untouched, a marker from
 * another format is refused, and a cluster a killed start left half made (no marker) is made again;
 * a reopened directory keeps what was written.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from './data-dir-lock.ts';
import { DataDirNotUsableError, openPgliteDataDir } from './pglite-data-dir.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
mkdirSync(path.join(REPO_ROOT, '.tmp'), { recursive: true });
const root = mkdtempSync(path.join(REPO_ROOT, '.tmp', 'pglite-data-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('openPgliteDataDir', () => {
  it('refuses a folder that holds something else, and leaves it as it was', async () => {
    const dir = path.join(root, 'foreign');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    await expect(openPgliteDataDir(dir)).rejects.toThrow(/is not empty and is not a tenantproof CRM data directory/);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('refuses a data directory of another format', async () => {
    const dir = path.join(root, 'future');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'tenantproof-crm.json'), JSON.stringify({ format: 99, pglite: '9.9.9' }));
    await expect(openPgliteDataDir(dir)).rejects.toThrow(DataDirNotUsableError);
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('makes again a cluster left half made, and reopens a made one with its data', async () => {
    const dir = path.join(root, 'half-made');
    mkdirSync(path.join(dir, 'pgdata'), { recursive: true });
    writeFileSync(path.join(dir, 'pgdata', 'PG_VERSION'), '18\n'); // what a killed first start may leave
    const made = await openPgliteDataDir(dir);
    expect(made.created).toBe(true);
    await made.pg.exec('CREATE TABLE kept (id int); INSERT INTO kept VALUES (7);');
    await made.pg.close();
    made.release();
    expect(JSON.parse(readFileSync(path.join(dir, 'tenantproof-crm.json'), 'utf8'))).toMatchObject({ format: 1 });

    const reopened = await openPgliteDataDir(dir);
    expect(reopened.created).toBe(false);
    expect((await reopened.pg.query('SELECT id FROM kept')).rows).toEqual([{ id: 7 }]);
    await reopened.pg.close();
    reopened.release();
  });
});
