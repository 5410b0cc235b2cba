/** `<out>/latest`: a symlink to the newest run folder, or a file naming it where symlinks are not allowed. */
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
