/**
 * bench:speed's "before" side, measured in the same session as the "after": an older commit's files
 * (commit-export.ts: `git archive`, this checkout's node_modules linked in, git's state untouched),
 * compiled to its own dist/, and its CLI run exactly as this checkout's. On a machine whose load
 * changes by the minute, a profile recorded days earlier is no fair "before" on its own; one taken
 * minutes apart, against the same target, is.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { exportCommit, type CommitExport } from './commit-export.ts';
import { RUSAGE_HOOK, type CliOptions, type CliRun, type ChildUsage } from './common.ts';

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

/** As common.ts's runCli, with another checkout's CLI (`bin`, run from its own folder). */
export function runCliAt(bin: string, args: string[], options: CliOptions = {}): Promise<CliRun> {
  const nodeArgs = [...(options.nodeArgs ?? []), ...(options.usageFile ? ['--import', RUSAGE_HOOK] : [])];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, bin, ...args], {
      cwd: path.dirname(path.dirname(bin)),
      env: {
        ...process.env,
        CI: 'true',
        ...(options.usageFile ? { BENCH_RUSAGE_FILE: options.usageFile } : {}),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 15 * 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result: CliRun = { code, signal, stdout, stderr, wallMs: performance.now() - started };
      if (options.usageFile && existsSync(options.usageFile))
        result.usage = JSON.parse(readFileSync(options.usageFile, 'utf8')) as ChildUsage;
      resolve(result);
    });
  });
}
