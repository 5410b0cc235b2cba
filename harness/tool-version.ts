/**
 * The installed tenantproof package: where its root is, and its version (read from disk:
 * `--version` loads nothing else). The root is found by walking up from this module to
 * tenantproof's package.json, so it is the same from the sources (harness/) and from the compiled
 * code (dist/harness/), in a checkout and in node_modules.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Found {
  root: string;
  version: string;
}

let found: Found | undefined;

function find(): Found {
  if (found) return found;
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tenantproof') return (found = { root: dir, version: pkg.version ?? 'unknown' });
    }
    if (path.dirname(dir) === dir) throw new Error(`tenantproof's package.json not found above ${import.meta.url}`);
  }
}

export function toolVersion(): string {
  return find().version;
}

/** A file shipped with the package (`specs/crm.openapi.yaml`), as an absolute path. */
export function packageFile(...parts: string[]): string {
  return path.join(find().root, ...parts);
}

/** The reference CRM's contract, the default spec: relative to the working folder when inside it. */
export function defaultSpecPath(cwd = process.cwd()): string {
  const file = packageFile('specs', 'crm.openapi.yaml');
  const rel = path.relative(cwd, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}
