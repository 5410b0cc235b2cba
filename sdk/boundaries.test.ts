/** The import rule of the README's layout table: sdk/ never imports crm/ or harness/; sdk/core and sdk/generated import no testing code. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SDK = path.dirname(fileURLToPath(import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && name !== 'test-support.ts' ? [full] : [];
  });
}

function imports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map(
    (m) => m[1]!,
  );
}

describe('sdk import boundaries', () => {
  it('nothing in sdk/ imports crm/ or harness/', () => {
    const offenders = sources(SDK).flatMap((file) =>
      imports(file)
        .filter(
          (spec) =>
            spec.startsWith('.') &&
            /(^|\/)(crm|harness)(\/|$)/.test(path.relative(path.dirname(SDK), path.resolve(path.dirname(file), spec))),
        )
        .map((spec) => `${path.relative(SDK, file)} → ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('sdk/core, sdk/resources and sdk/generated do not import msw or the testing kit', () => {
    const offenders = ['core', 'resources', 'generated'].flatMap((dir) =>
      sources(path.join(SDK, dir)).flatMap((file) =>
        imports(file)
          .filter((spec) => spec === 'msw' || spec.startsWith('msw/') || spec.includes('testing'))
          .map((spec) => `${path.relative(SDK, file)} → ${spec}`),
      ),
    );
    expect(offenders).toEqual([]);
  });
});
