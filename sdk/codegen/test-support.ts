/** Helpers for the codegen tests: a scratch folder inside the repo (so `zod` resolves) and typecheck. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateFromSpec, REPO_ROOT } from './generate.ts';
import { typecheck, type TypecheckResult } from './typecheck.ts';

export function scratchDir(name: string): string {
  const dir = path.join(REPO_ROOT, '.tmp', 'sdk-tests', `${name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Generates types, zod and parity for a spec into `dir`; returns the file paths. */
export async function generateInto(
  dir: string,
  specText: string,
  label: string,
): Promise<{ files: Map<string, string>; paths: Record<string, string>; skipped: Map<string, number> }> {
  const { files, skipped } = await generateFromSpec(specText, { specLabel: label, operations: false });
  const paths: Record<string, string> = {};
  for (const [name, content] of files) {
    paths[name] = path.join(dir, name);
    writeFileSync(paths[name], content);
  }
  return { files, paths, skipped };
}

export function typecheckGenerated(paths: Record<string, string>): TypecheckResult {
  return typecheck(Object.values(paths));
}
