/**
 * bench:speed's "before" side, measured in the same session as the "after": an older commit's files
 * (commit-export.ts: `git archive`, this checkout's node_modules linked in, git's state untouched),
 * compiled to its own dist/, and its CLI run exactly as this checkout's. On a machine whose load
 * changes by the minute, a profile recorded days earlier is no fair "before" on its own; one taken
 * minutes apart, against the same target, is.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { exportCommit, type CommitExport } from './commit-export.ts';

export interface BuiltCommit extends CommitExport {
  /** Its CLI entry (bin/tenantproof.mjs, running its own dist/). */
  bin: string;
  buildSeconds: number;
}

/** Exports `ref` and compiles it (tsc -p tsconfig.build.json, then its asset copy); the SDK is this checkout's. */
export function buildCommit(ref: string): BuiltCommit {
  const exported = exportCommit(ref);
  const started = performance.now();
  try {
    const tsc = path.join(exported.root, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: exported.root, stdio: 'pipe' });
    const assets = path.join(exported.root, 'scripts', 'copy-assets.mjs');
    if (existsSync(assets)) execFileSync(process.execPath, [assets], { cwd: exported.root, stdio: 'pipe' });
    return {
      ...exported,
      bin: path.join(exported.root, 'bin', 'tenantproof.mjs'),
      buildSeconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    exported.remove();
    const e = error as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(
      `could not build ${ref} for the before profile: ${e.message}\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`,
    );
  }
}
