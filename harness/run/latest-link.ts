/** `<out>/latest`: a symlink to the newest run folder, or a file naming it where symlinks are not allowed. */
import { existsSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function pointLatest(outDir: string, runId: string): void {
  const link = path.join(outDir, 'latest');
  try {
    rmSync(link, { force: true });
    symlinkSync(runId, link);
  } catch {
    // A filesystem without symlinks: write the run id instead.
    writeFileSync(link, runId + '\n');
  }
}

/** The run folder a `latest` file (written where symlinks are not allowed) names beside it, if `file` is one. */
export function runFolderNamedBy(file: string): string | undefined {
  const runId = readFileSync(file, 'utf8').trim();
  const beside = path.join(path.dirname(file), runId);
  if (runId === '' || runId.includes('\n') || !existsSync(beside) || !statSync(beside).isDirectory()) return undefined;
  return beside;
}
