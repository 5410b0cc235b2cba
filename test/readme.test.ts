/**
 * Every ```ts block in the root README.md is typechecked against the real sources (`tenantproof`
 * → harness/index.ts, `@tenantproof/sdk` → sdk/index.ts), so the examples cannot rot.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_MEANINGS } from '../harness/exit-codes.ts';
import { typecheck } from '../sdk/codegen/typecheck.ts';
import { tsCodeBlocks } from './support/markdown.ts';
import { REPO_ROOT } from './support/cli.ts';

describe('README.md exit codes', () => {
  it('lists exactly the catalogue of harness/exit-codes.ts for run', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('Exit codes of `run`');
    const table = readme.slice(start, readme.indexOf('\n\n', readme.indexOf('| code | meaning |', start)));
    const rows = [...table.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((m) => [Number(m[1]), m[2]]);
    expect(rows).toEqual(EXIT_MEANINGS.run.map(([code, meaning]) => [code, meaning]));
  });
});

describe('README.md examples', () => {
  const blocks = tsCodeBlocks(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'));

  it('has the quickstart and compiles every TypeScript example', () => {
    expect(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')).toContain('npm ci && npm start');
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const dir = path.join(REPO_ROOT, '.tmp', 'readme-tests', `root-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const files = blocks.map((code, i) => {
      const file = path.join(dir, `example-${i + 1}.ts`);
      writeFileSync(file, `${code}\nexport {};\n`);
      return file;
    });
    // A control that misuses the config API must be reported, so a pass means something.
    const control = path.join(dir, 'control-broken.ts');
    writeFileSync(
      control,
      `import { defineConfig } from 'tenantproof';\nexport default defineConfig({ tenants: 'many' });\n`,
    );
    files.push(control);
    // Ambient declarations the harness relies on (the vitest example pulls in the whole harness).
    files.push(path.join(REPO_ROOT, 'harness', 'openapi', 'js-yaml.d.ts'));
    const result = typecheck(files, {
      paths: {
        tenantproof: [path.join(REPO_ROOT, 'harness', 'index.ts')],
        '@tenantproof/sdk': [path.join(REPO_ROOT, 'sdk', 'index.ts')],
        '@tenantproof/sdk/testing': [path.join(REPO_ROOT, 'sdk', 'testing', 'index.ts')],
        'tenantproof/vitest': [path.join(REPO_ROOT, 'harness', 'vitest.ts')],
      },
    });
    const broken = result.diagnostics.filter((d) => d.includes('control-broken.ts'));
    const clean = result.diagnostics.filter((d) => !d.includes('control-broken.ts'));
    rmSync(dir, { recursive: true, force: true });
    expect(clean).toEqual([]);
    expect(broken.join('\n')).toMatch(/not assignable to type 'number'/);
  });
});
