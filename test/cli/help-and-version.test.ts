/** The top-level command: `--version`, `help <command>`, and an unknown help topic. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/cli.ts';

const VERSION = (JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')) as { version: string }).version;

describe('tenantproof (top level)', () => {
  it('--version prints the package version', async () => {
    for (const flag of ['--version', '-v']) {
      const r = await runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`tenantproof ${VERSION}\n`);
    }
  });

  it('help <command> prints that command’s help, with its exit codes', async () => {
    const r = await runCli(['help', 'verify']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: tenantproof verify DIR/);
    expect(r.stdout).toMatch(/Exit codes:/);
  });

  it('help with an unknown command is a usage error', async () => {
    const r = await runCli(['help', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no command "nope"/);
  });
});
