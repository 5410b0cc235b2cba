/**
 * Every real-world spec in test/fixtures/specs-corpus (vendored into the repository): generate openapi-typescript types, zod schemas
 * and the parity module into a scratch folder, and typecheck them as one program (skipLibCheck).
 * Stripe's 4 MB spec takes about 15 s of the budget; the rest take a few seconds each.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './generate.ts';
import { generateInto, scratchDir, typecheckGenerated } from './test-support.ts';

export const CORPUS_DIR = path.resolve(REPO_ROOT, 'test', 'fixtures', 'specs-corpus');

function corpusFiles(): string[] {
  if (!existsSync(CORPUS_DIR)) {
    throw new Error(
      `spec corpus not found at ${CORPUS_DIR}: it is vendored in the repository (test/fixtures/specs-corpus/README.md); restore it with git checkout`,
    );
  }
  return readdirSync(CORPUS_DIR)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();
}

describe('SDK generation over the spec corpus', () => {
  const files = corpusFiles();

  it('finds the corpus', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  it.each(files)('%s: types + zod + parity typecheck', async (file) => {
    const dir = scratchDir(`corpus-${file.replace(/\W+/g, '_')}`);
    const { paths, files: generated } = await generateInto(
      dir,
      readFileSync(path.join(CORPUS_DIR, file), 'utf8'),
      file,
    );
    expect(generated.get('zod.ts')).toContain('export const schemas = {');
    const result = typecheckGenerated(paths);
    expect(result.diagnostics.slice(0, 10)).toEqual([]);
  });
});
