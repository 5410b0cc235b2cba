/** The one error tree: each branch stands for its exit code, and no harness module invents another root. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './run/config.ts';
import { describeError, InternalError, TargetUnusableError, TenantproofError, UsageError } from './errors.ts';
import { EvidenceError } from './evidence/errors.ts';
import { EXIT, EXIT_MEANINGS, exitCodesHelp } from './exit-codes.ts';
import { SpecError } from './openapi/spec-error.ts';
import { TargetError } from './run/target.ts';
import { ProvisioningError } from './tenants/tenant-credentials.ts';

const HARNESS = path.dirname(fileURLToPath(import.meta.url));

describe('the error tree', () => {
  it('maps each branch to its exit code, and names the class', () => {
    expect(new UsageError('x').exitCode).toBe(EXIT.usage);
    expect(new TargetUnusableError('x').exitCode).toBe(EXIT.inconclusive);
    expect(new InternalError('x').exitCode).toBe(EXIT.internal);
    expect(new ConfigError('x')).toBeInstanceOf(UsageError);
    expect(new ConfigError('x').name).toBe('ConfigError');
    expect(new SpecError('syntax', 'bad', { file: 'a.yaml' }).exitCode).toBe(EXIT.usage);
    expect(new EvidenceError('x').exitCode).toBe(EXIT.usage);
    expect(new ProvisioningError('config', 'x').exitCode).toBe(EXIT.usage);
    expect(new ProvisioningError('target', 'x').exitCode).toBe(EXIT.inconclusive);
    expect(new TargetError('x', 'unusable').exitCode).toBe(EXIT.inconclusive);
    expect(new TargetError('x', 'usage').exitCode).toBe(EXIT.usage);
  });

  it('tells the message and the hint', () => {
    expect(describeError(new UsageError('bad flag', { hint: 'see --help' }))).toBe('bad flag\n  hint: see --help');
    expect(describeError(new UsageError('bad flag'))).toBe('bad flag');
  });

  it('is the only root: no harness module extends Error directly', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => {
        const f = path.join(dir, n);
        return statSync(f).isDirectory()
          ? files(f)
          : f.endsWith('.ts') && !/\.(test|test-support|d)\.ts$/.test(f)
            ? [f]
            : [];
      });
    const roots = files(HARNESS)
      .filter((f) => /class \w+ extends Error\b/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(HARNESS, f));
    expect(roots).toEqual(['errors.ts']);
    expect(new TenantproofError('x', EXIT.usage)).toBeInstanceOf(Error);
  });
});

describe('the exit-code catalogue', () => {
  it('gives every command its codes, 0 first, in --help form', () => {
    for (const [command, codes] of Object.entries(EXIT_MEANINGS)) {
      expect(codes[0]![0], command).toBe(EXIT.clean);
      const help = exitCodesHelp(command as keyof typeof EXIT_MEANINGS);
      for (const [code, meaning] of codes) expect(help).toContain(`${String(code).padStart(3)}  ${meaning}`);
    }
  });
});
