/**
 * Every ```ts block of sdk/README.md is typechecked with the TypeScript compiler API, with
 * `@tenantproof/sdk` and `@tenantproof/sdk/testing` mapped to the sources, so the examples cannot rot.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sdk/codegen/generate.ts';
import { typecheck } from '../../sdk/codegen/typecheck.ts';

export function extractTsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

describe('sdk/README.md examples', () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'sdk', 'README.md'), 'utf8');
  const blocks = extractTsBlocks(readme);

  it('has examples for install, construction, errors, pagination and the testing kit', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    for (const heading of ['## Install', '## Construction', '## Errors', '## Pagination', '## The testing kit'])
      expect(readme).toContain(heading);
  });

  it('every ts block typechecks against the real SDK', () => {
    const dir = path.join(REPO_ROOT, '.tmp', 'sdk-tests', `readme-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const files = blocks.map((code, i) => {
      const file = path.join(dir, `example-${String(i + 1).padStart(2, '0')}.ts`);
      writeFileSync(file, `${code}\nexport {};\n`);
      return file;
    });
    // A control: an example that misuses the SDK must be reported, so a pass means something.
    const control = path.join(dir, 'control-broken.ts');
    writeFileSync(
      control,
      `import { CrmClient } from '@tenantproof/sdk';\nconst crm = new CrmClient({ apiKey: 'k' });\nawait crm.customers.create({ nam: 'typo' });\nexport {};\n`,
    );
    files.push(control);
    const result = typecheck(files, {
      paths: {
        '@tenantproof/sdk': [path.join(REPO_ROOT, 'sdk', 'index.ts')],
        '@tenantproof/sdk/testing': [path.join(REPO_ROOT, 'sdk', 'testing', 'index.ts')],
      },
    });
    const [broken, clean] = [
      result.diagnostics.filter((d) => d.includes('control-broken.ts')),
      result.diagnostics.filter((d) => !d.includes('control-broken.ts')),
    ];
    expect(clean).toEqual([]);
    expect(broken.join('\n')).toMatch(/nam/);
  });
});
