/**
 * A throw-away copy of an older commit's files, for a benchmark's "before" side: `git archive
 * <commit> | tar -x` into a temporary folder, with this checkout's node_modules symlinked into it (no
 * install). Unlike a worktree it leaves git's own state alone. Removed by `remove()`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './common.ts';

export interface CommitExport {
  root: string;
  /** The full commit hash exported. */
  commit: string;
  remove(): void;
}

export class UnknownCommitError extends Error {
  override name = 'UnknownCommitError';
}

export function exportCommit(ref: string): CommitExport {
  let commit: string;
  try {
    commit = execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: REPO_ROOT })
      .toString()
      .trim();
  } catch {
    throw new UnknownCommitError(`${ref} is neither a folder nor a commit of this clone`);
  }
  const root = mkdtempSync(path.join(tmpdir(), 'tp-bench-commit-'));
  const remove = () => rmSync(root, { recursive: true, force: true });
  try {
    execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${root}"`], { cwd: REPO_ROOT });
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    return { root, commit, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
