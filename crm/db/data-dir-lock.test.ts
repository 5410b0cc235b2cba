/**
 * The data directory's lock: one holder at a time (another live process, or a second open in this
 * one, is refused), a lock whose process is gone (or whose pid now belongs to a newer process) is
 * taken over, and release removes only the holder's own lock.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirInUseError, LOCK_FILE, lockDataDir } from './data-dir-lock.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
mkdirSync(path.join(REPO_ROOT, '.tmp'), { recursive: true });
const root = mkdtempSync(path.join(REPO_ROOT, '.tmp', 'data-dir-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const newDir = () => mkdtempSync(path.join(root, `dir-${++n}-`));

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('lockDataDir', () => {
  it('writes the holder, refuses a second lock in this process, and removes the lock on release', () => {
    const dir = newDir();
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    lock.release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    const again = lockDataDir(dir);
    again.release();
  });

  it('refuses a lock held by another live process, naming its pid', () => {
    const dir = newDir();
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, startTime: null }));
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by another process \\(pid ${process.ppid}\\)`));
    // Refused: the other process's lock is left as it was.
    expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toEqual({ pid: process.ppid, startTime: null });
  });

  it('takes over a stale lock: a dead pid, a recycled pid, or an unreadable file', async () => {
    const stale = [
      JSON.stringify({ pid: await deadPid(), startTime: null }),
      // A live pid, but the process running under it started at another time: not the writer.
      JSON.stringify({ pid: process.ppid, startTime: 'not-its-start-time' }),
      'half a lo',
    ];
    for (const content of stale) {
      const dir = newDir();
      writeFileSync(path.join(dir, LOCK_FILE), content);
      const lock = lockDataDir(dir);
      expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
      lock.release();
    }
  });

  it('release leaves a lock that is no longer its own', () => {
    const dir = newDir();
    const lock = lockDataDir(dir);
    const other = JSON.stringify({ pid: process.ppid, startTime: null });
    writeFileSync(path.join(dir, LOCK_FILE), other);
    lock.release();
    expect(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).toBe(other);
  });
});
