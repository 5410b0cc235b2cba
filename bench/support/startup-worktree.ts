/**
 * A throw-away git worktree of an older commit, for bench/startup.ts's "before" side: `git worktree
 * add --detach <tmp> <commit>` with this checkout's node_modules symlinked into it (no install), and
 * removed again (`git worktree remove --force`, then `git worktree prune`) when done, on failure, or
 * when the benchmark is interrupted.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './common.ts';

export interface Worktree {
  /** The worktree's root folder (the `cwd` of its CLI). */
  root: string;
  /** The full commit hash checked out. */
  commit: string;
  /** `git log -1 --format=%s` of that commit. */
  subject: string;
  /** Idempotent; synchronous so that it can run from a signal handler. */
  remove(): void;
}

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();
}

/** The full hash of `ref`, or null when it names no commit in this clone (e.g. a shallow clone). */
export function resolveCommit(ref: string): string | null {
  try {
    return git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]) || null;
  } catch {
    return null;
  }
}

export function addWorktree(commit: string): Worktree {
  const parent = mkdtempSync(path.join(tmpdir(), 'tp-bench-startup-'));
  const root = path.join(parent, 'tree');
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    try {
      if (existsSync(root)) git(['worktree', 'remove', '--force', root]);
    } catch {
      // Fall through to deleting the folder and pruning git's record of it.
    }
    rmSync(parent, { recursive: true, force: true });
    try {
      git(['worktree', 'prune']);
    } catch {
      // Nothing more to do.
    }
  };
  try {
    git(['worktree', 'add', '--detach', root, commit]);
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    return {
      root,
      commit: git(['rev-parse', `${commit}^{commit}`]),
      subject: git(['log', '-1', '--format=%s', commit]),
      remove,
    };
  } catch (error) {
    remove();
    throw error;
  }
}
