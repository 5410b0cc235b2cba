/** `gen:check` exits 1 and names the files when the output folder drifted; 0 when it is current. */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, generateFromSpec, REPO_ROOT } from './generate.ts';
import { scratchDir } from './test-support.ts';

function runGenerator(args: string[]) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'sdk', 'codegen', 'generate.ts'), ...args],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
}

describe('gen:check', () => {
  it('passes on fresh output and fails, naming the files, on drift', async () => {
    const dir = scratchDir('gen-check');
    const { files } = await generateFromSpec(readFileSync(DEFAULT_SPEC, 'utf8'), {
      specLabel: 'specs/crm.openapi.yaml',
    });
    for (const [name, content] of files) writeFileSync(path.join(dir, name), content);
    const clean = runGenerator(['--check', '--out', dir]);
    expect(clean.stderr).toBe('');
    expect(clean.status).toBe(0);

    writeFileSync(path.join(dir, 'zod.ts'), `${files.get('zod.ts')}\n// hand edit\n`);
    writeFileSync(path.join(dir, 'stray.ts'), 'export {};\n');
    const drift = runGenerator(['--check', '--out', dir]);
    expect(drift.status).toBe(1);
    expect(drift.stderr).toContain('zod.ts');
    expect(drift.stderr).toContain('stray.ts (not generated)');
    expect(drift.stderr).not.toContain('types.ts');
  });
});
