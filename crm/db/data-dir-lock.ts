/**
 * One process per data directory: `<dir>/tenantproof-crm.lock` holds the owner's pid (and, on
 * Linux, the pid's start time, so a recycled pid is not mistaken for the owner). Two embedded
 * PostgreSQL instances writing one directory would corrupt it, so a second process is refused
 * while the owner lives. A lock left behind by a process that died (kill -9, a crash) is stale:
 * the next start takes it over.
 *
 * The lock is written complete before it appears (a temporary file hard-linked into place, which
 * fails if a lock exists), and a stale one is taken over by renaming it aside first, so two
 * processes that find the same stale lock cannot both win.
 */
import { linkSync, readFileSync, realpathSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'tenantproof-crm.lock';

export interface LockHolder {
  pid: number;
  /** /proc/<pid>/stat's start time (clock ticks after boot); null where /proc is not available. */
  startTime: string | null;
}

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `the data directory ${dir} is in use by another process (pid ${holder.pid}); ` +
        `stop that one first, or use another directory`,
    );
  }
}

/** Directories this process holds: a second open from the same process is refused too. */
const heldHere = new Set<string>();

export interface DataDirLock {
  readonly file: string;
  /** Removes the lock if it is still this process's. */
  release(): void;
}

function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); fields after the parenthesised command start at field 3.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof holder.pid !== 'number' || !Number.isInteger(holder.pid)) return undefined;
    return { pid: holder.pid, startTime: typeof holder.startTime === 'string' ? holder.startTime : null };
  } catch {
    return undefined;
  }
}

function sameHolder(a: LockHolder | undefined, b: LockHolder | undefined): boolean {
  return a !== undefined && b !== undefined && a.pid === b.pid && a.startTime === b.startTime;
}

/**
 * Whether the process that wrote the lock still runs (an unreadable lock counts as dead). A lock
 * with this process's own pid is stale too: it was left by an earlier process that had the same
 * pid (a container restarted), since this process's own locks are in `heldHere`.
 */
export function isHolderAlive(holder: LockHolder | undefined): boolean {
  if (!holder || holder.pid <= 0 || holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = processStartTime(holder.pid);
  return holder.startTime === null || now === null || now === holder.startTime;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Takes the lock of `dir` (which must exist), or throws DataDirInUseError. */
export function lockDataDir(dir: string): DataDirLock {
  const key = realpathSync(dir);
  const mine: LockHolder = { pid: process.pid, startTime: processStartTime(process.pid) };
  if (heldHere.has(key)) throw new DataDirInUseError(dir, mine);
  const lock = takeLock(dir, mine);
  heldHere.add(key);
  let released = false;
  return {
    file: lock,
    release() {
      if (released) return;
      released = true;
      heldHere.delete(key);
      if (sameHolder(readHolder(lock), mine)) unlinkSync(lock);
    },
  };
}

/** Puts the complete lock in place, failing with EEXIST if there is one. */
function placeLock(draft: string, file: string): void {
  try {
    linkSync(draft, file);
  } catch (error) {
    const code = errorCode(error);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
    // A file system without hard links: create it exclusively instead. A reader could then see it
    // empty for a moment and take it for stale: a weaker guarantee, on such file systems only.
    writeFileSync(file, readFileSync(draft), { flag: 'wx' });
  }
}

function takeLock(dir: string, mine: LockHolder): string {
  const file = path.join(dir, LOCK_FILE);
  const draft = `${file}.${process.pid}.new`;
  writeFileSync(draft, `${JSON.stringify(mine)}\n`);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        placeLock(draft, file);
        return file;
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      }
      const found = readHolder(file);
      if (found && isHolderAlive(found)) throw new DataDirInUseError(dir, found);
      // Stale (or unreadable): move it aside, and drop it only if it is the one judged stale.
      const aside = `${file}.${process.pid}.stale`;
      try {
        renameSync(file, aside);
      } catch (error) {
        if (errorCode(error) === 'ENOENT') continue; // someone else removed it: try again
        throw error;
      }
      const moved = readHolder(aside);
      if (!isHolderAlive(moved)) {
        unlinkSync(aside);
        continue;
      }
      // A live process took the lock over in between: put its lock back and give way.
      try {
        linkSync(aside, file);
      } catch {
        // another lock is in place already: it is not ours either way
      }
      unlinkSync(aside);
      throw new DataDirInUseError(dir, moved ?? { pid: 0, startTime: null });
    }
    const last = readHolder(file) ?? { pid: 0, startTime: null };
    throw new DataDirInUseError(dir, last);
  } finally {
    unlinkSync(draft);
  }
}
