/**
 * The import rules of harness/ (README: "What is here" and the architecture section), and one rule
 * for the whole repository: its import graph has no cycle.
 *
 * - Shared vocabulary (model/exchange.ts, model/probe.ts, errors.ts, exit-codes.ts, tool-version.ts) may be imported
 *   from anywhere and imports nothing else of the harness.
 * - The folders form layers: openapi < generate < model < oracles < evidence < run < cli, with tenants
 *   beside model. A folder imports only folders below it.
 * - crm/ is reached only lazily: by run/target.ts (the embedded target) and cli/main.ts (`crm`).
 * - crm/ and sdk/ never import harness/.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name === 'fixtures') return [];
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith('.ts') &&
      !name.endsWith('.test.ts') &&
      !name.endsWith('.test-support.ts') &&
      !name.endsWith('.d.ts')
      ? [full]
      : [];
  });
}

interface Import {
  spec: string;
  dynamic: boolean;
  /** Repository-relative path of the imported file, for relative imports. */
  target?: string;
}

const STATIC = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;
const DYNAMIC = /import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  const add = (spec: string, dynamic: boolean): void => {
    const target = spec.startsWith('.') ? path.relative(ROOT, path.resolve(path.dirname(file), spec)) : undefined;
    out.push({ spec, dynamic, ...(target ? { target } : {}) });
  };
  for (const m of text.matchAll(STATIC)) add(m[1]!, false);
  for (const m of text.matchAll(DYNAMIC)) add(m[1]!, true);
  return out;
}

const rel = (file: string): string => path.relative(ROOT, file);

const VOCABULARY = new Set([
  'harness/model/exchange.ts',
  'harness/model/probe.ts',
  'harness/errors.ts',
  'harness/exit-codes.ts',
  'harness/tool-version.ts',
]);

/** What each harness folder may import (besides itself and the vocabulary). */
const LAYERS: Record<string, readonly string[]> = {
  openapi: [],
  generate: ['openapi'],
  tenants: ['openapi'],
  model: ['openapi', 'generate'],
  oracles: ['openapi', 'generate', 'model'],
  evidence: ['openapi', 'model', 'oracles'],
  run: ['openapi', 'generate', 'model', 'oracles', 'evidence', 'tenants'],
  ledger: ['evidence'],
  pack: ['evidence', 'ledger'],
  onboard: ['openapi', 'generate', 'model', 'tenants', 'run'],
  cli: ['openapi', 'generate', 'model', 'oracles', 'evidence', 'tenants', 'run', 'ledger', 'pack', 'onboard'],
};

function folderOf(repoPath: string): string | undefined {
  const parts = repoPath.split('/');
  return parts[0] === 'harness' && parts.length > 2 ? parts[1] : undefined;
}

describe('harness import boundaries', () => {
  const harnessFiles = sources(path.join(ROOT, 'harness'));

  it('the shared vocabulary imports nothing else of the harness', () => {
    const offenders = harnessFiles
      .filter((f) => VOCABULARY.has(rel(f)))
      .flatMap((f) =>
        importsOf(f)
          .filter((i) => i.target?.startsWith('harness/') && !VOCABULARY.has(i.target))
          .map((i) => `${rel(f)} → ${i.spec}`),
      );
    expect(offenders).toEqual([]);
  });

  it('each folder imports only the layers below it', () => {
    const offenders = harnessFiles.flatMap((f) => {
      const from = folderOf(rel(f));
      if (!from) return [];
      const allowed = LAYERS[from];
      if (!allowed) return [`${rel(f)}: folder harness/${from}/ has no layer; add it to LAYERS`];
      return importsOf(f)
        .filter((i) => i.target?.startsWith('harness/') && !VOCABULARY.has(i.target))
        .filter((i) => {
          const to = folderOf(i.target!);
          return to !== from && (to === undefined || !allowed.includes(to));
        })
        .map((i) => `${rel(f)} → ${i.spec}`);
    });
    expect(offenders).toEqual([]);
  });

  it('reaches crm/ only lazily, from the embedded target and the crm command', () => {
    const uses = harnessFiles.flatMap((f) =>
      importsOf(f)
        .filter((i) => i.target?.startsWith('crm/'))
        .map((i) => `${rel(f)} → ${i.target}${i.dynamic ? ' (lazy)' : ''}`),
    );
    expect(uses.sort()).toEqual([
      'harness/cli/main.ts → crm/cli.ts (lazy)',
      'harness/run/target.ts → crm/server.ts (lazy)',
    ]);
  });

  it('crm/ and sdk/ never import harness/', () => {
    const offenders = ['crm', 'sdk'].flatMap((dir) =>
      sources(path.join(ROOT, dir)).flatMap((f) =>
        importsOf(f)
          .filter((i) => i.target?.startsWith('harness/'))
          .map((i) => `${rel(f)} → ${i.spec}`),
      ),
    );
    expect(offenders).toEqual([]);
  });
});

/** The strongly connected components of more than one file (or a file importing itself). */
export function importCycles(files: readonly string[]): string[][] {
  const graph = new Map<string, string[]>();
  const known = new Set(files.map(rel));
  for (const f of files)
    graph.set(
      rel(f),
      importsOf(f)
        .map((i) => i.target)
        .filter((t): t is string => t !== undefined && known.has(t)),
    );
  // Tarjan's algorithm.
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return cycles;
}

describe('the import graph', () => {
  it('finds a cycle when there is one, type-only imports and multi-line import lists included', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tp-cycle-'));
    const file = (name: string, text: string): string => {
      writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const a = file('a.ts', "import {\n  b,\n  c,\n} from './b.ts';\nexport const a = b + c;\n");
    const b = file('b.ts', "import type { a } from './a.ts';\nexport const b = 1;\nexport const c = 2;\n");
    const c = file('c.ts', "export const later = () => import('./c.ts');\n");
    const d = file('d.ts', "import { a } from './a.ts';\nexport const d = a;\n");
    const cycles = importCycles([a, b, c, d]).map((scc) => scc.map((f) => path.basename(f)));
    rmSync(dir, { recursive: true, force: true });
    expect(cycles).toEqual(expect.arrayContaining([['a.ts', 'b.ts'], ['c.ts']]));
    expect(cycles).toHaveLength(2);
  });

  it('has no cycle in harness/, crm/ or sdk/ (type-only imports included)', () => {
    const files = ['harness', 'crm', 'sdk'].flatMap((d) => sources(path.join(ROOT, d)));
    expect(importCycles(files)).toEqual([]);
  });
});
