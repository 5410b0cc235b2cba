/**
 * The generated regression test: one text for the sealed copy and the exported one (headers
 * aside), and it compiles under the strictest tsconfig a user may have, for a counterexample that
 * carries every step field (and fields the file format does not keep, which must not leak into it).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../model/exchange.ts';
import type { Step } from '../model/step.ts';
import { STRICT_COMPILER_OPTIONS } from './strict-tsconfig.test-support.ts';
import {
  exportedTestFileName,
  parseCounterexample,
  regressionTestSource,
  writeCounterexample,
  type CounterexampleInput,
} from './counterexample-file.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every field a step can carry: refs to earlier answers (body and header), a tenant-id ref, a batch. */
const STEPS: Step[] = [
  {
    index: 0,
    tenant: 'T2',
    operationId: 'createCustomer',
    action: 'create',
    relation: 'own',
    resource: 'customer',
    method: 'POST',
    path: '/v1/customers',
    pathParams: {},
    query: {},
    headers: { 'Idempotency-Key': 'tpidemT2abcdefgh' },
    body: { name: 'tpT2canary01', email: 'tpt2canary01.0@t2.example', tags: ['tpT2canary01'], address: null },
  },
  {
    index: 3,
    tenant: 'T1',
    operationId: 'getCustomer',
    action: 'read',
    relation: 'foreign',
    probe: 'cross-tenant-read',
    victim: 'T2',
    resource: 'customer',
    recordFrom: 0,
    method: 'GET',
    path: '/v1/customers/{customerId}',
    pathParams: { customerId: { $from: 0, path: 'id' } },
    query: { expand: 'notes', page: 1, archived: false },
    headers: { 'X-Request-Origin': { $from: 0, path: 'header:location' } },
    batch: 1,
  },
  {
    index: 4,
    tenant: 'T1',
    operationId: 'createJob',
    action: 'create',
    relation: 'injected',
    probe: 'body-injection',
    victim: 'T2',
    resource: 'job',
    method: 'POST',
    path: '/v1/jobs',
    pathParams: {},
    query: {},
    headers: {},
    body: {
      customerId: { $from: 0, path: 'data.0.id' },
      tenantId: { $tenantId: 'T2' },
      lines: [{ qty: 2, price: 9.5 }],
    },
    batch: 1,
    // Fields only `tenantproof replay` uses (to build each probe's twin): kept in the JSON, not in the test.
    target: { in: 'body', name: 'customerId', resource: 'customer' },
    uniqueField: 'email',
    override: { vector: 'body', fields: [{ in: 'body', name: 'tenantId' }] },
  },
  {
    index: 5,
    tenant: 'T2',
    operationId: 'listCustomers',
    action: 'list',
    relation: 'own',
    resource: 'customer',
    method: 'GET',
    path: '/v1/customers',
    pathParams: {},
    query: { cursor: { $from: 3, path: 'nextCursor' } },
    headers: {},
  },
];

const FINDING = {
  oracle: 'foreign-data',
  severity: 'critical',
  operationId: 'getCustomer',
  attacker: 'T1',
  victim: 'T2',
  summary: 'GET /v1/customers/… as T1 returned a value owned by T2.\nSecond line.',
} as unknown as Finding;

const INPUT: CounterexampleInput = {
  runId: '20261130-165950Z-s2-2886',
  oracle: 'foreign-data',
  key: 'foreign-data|getCustomer|cross-tenant-read',
  specFile: 'specs/crm.openapi.yaml',
  specSha256: 'a'.repeat(64),
  target: { kind: 'embedded', faults: ['get-unscoped'] },
  provision: 'crm-admin',
  tenants: 2,
  seed: 7,
  fcPath: '1:2',
  commands: ['T2 create createCustomer#0', 'T1 foreign-read getCustomer'],
  steps: STEPS,
  findings: [FINDING],
  reproduction: { reproduced: 2, attempts: 2 },
};

/** A strict tsconfig, as a user's repository may have it; `module` NodeNext or ESNext (with Bundler resolution). */
function strictOptions(module: 'NodeNext' | 'ESNext'): ts.CompilerOptions {
  const json = {
    ...STRICT_COMPILER_OPTIONS,
    ...(module === 'ESNext' ? { module: 'ESNext', moduleResolution: 'Bundler' } : {}),
  };
  const { options, errors } = ts.convertCompilerOptionsFromJson(json, process.cwd());
  if (errors.length > 0) throw new Error(ts.flattenDiagnosticMessageText(errors[0]!.messageText, '\n'));
  return options;
}

function diagnostics(files: string[], options: ts.CompilerOptions): Map<string, string[]> {
  const program = ts.createProgram({ rootNames: files, options });
  const out = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    const file = d.file?.fileName;
    const key = files.find((f) => f === file) ?? '(global)';
    out.set(key, [...(out.get(key) ?? []), message]);
  }
  return out;
}

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

function written(): { dir: string; json: string; test: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tp-counterexample-'));
  tmpDirs.push(dir);
  writeCounterexample(dir, 1, INPUT);
  return {
    dir,
    json: readFileSync(path.join(dir, '1.json'), 'utf8'),
    test: readFileSync(path.join(dir, '1.test.ts'), 'utf8'),
  };
}

const body = (text: string): string => text.replace(/^(\/\/.*\n)+/, '');

describe('the regression test generator', () => {
  it('writes the sealed copy from the JSON as written, and export-test gets the same test', () => {
    const { json, test } = written();
    const ce = parseCounterexample(json, '1.json');
    expect(test).toBe(regressionTestSource(ce, 1, { kind: 'in-folder' }));
    const exported = regressionTestSource(ce, 1, { kind: 'exported' });
    expect(body(exported)).toBe(body(test));
    expect(exported).not.toBe(test);
  });

  it('tells the reader of the sealed copy to export it rather than run it in the run folder', () => {
    const { test } = written();
    const header = test.slice(0, test.length - body(test).length);
    expect(header).toMatch(/Do not run it inside this run folder/);
    expect(header).toContain(`npx tenantproof export-test reports/${INPUT.runId} --out test/isolation/`);
    // The finding's summary stays a comment, whatever it holds.
    expect(header).toContain('returned a value owned by T2. Second line.');
    expect(new Set([...test.matchAll(/from '([^']+)'/g)].map((m) => m[1]))).toEqual(
      new Set(['node:fs', 'axios', 'vitest']),
    );
  });

  it("keeps in the JSON what replay needs to build a probe's twin (target, unique field, override)", () => {
    const { json } = written();
    const parsed = parseCounterexample(json, 'ce.json');
    expect(parsed.steps[2]).toMatchObject({
      target: { in: 'body', name: 'customerId', resource: 'customer' },
      uniqueField: 'email',
      override: { vector: 'body', fields: [{ in: 'body', name: 'tenantId' }] },
    });
  });

  it('keeps where mid-run checkpoints ran, so a replay runs them there again', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tp-counterexample-'));
    tmpDirs.push(dir);
    writeCounterexample(dir, 1, { ...INPUT, checkpoints: [2] });
    expect(parseCounterexample(readFileSync(path.join(dir, '1.json'), 'utf8'), '1.json').checkpoints).toEqual([2]);
    // None recorded: the field is left out, and older files without it still parse.
    expect(parseCounterexample(written().json, '1.json').checkpoints).toBeUndefined();
  });

  it("carries the file format's step fields, and none it does not keep", () => {
    const { test } = written();
    for (const field of [
      '"action"',
      '"resource"',
      '"recordFrom"',
      '"probe"',
      '"victim"',
      '"batch"',
      '"$from"',
      '"$tenantId"',
    ])
      expect(test).toContain(field);
    for (const field of ['"target"', '"uniqueField"', '"override"']) expect(test).not.toContain(field);
  });

  it("names exported files for vitest's default include, one per run and counterexample", () => {
    expect(exportedTestFileName('20261130-165950Z-s2-2886', 3)).toBe('tenantproof-20261130-165950Z-s2-2886-3.test.ts');
    expect(exportedTestFileName('a/b c', 1)).toBe('tenantproof-a-b-c-1.test.ts');
  });

  it('compiles under a strict tsconfig (NodeNext and ESNext), both copies, and the check has teeth', () => {
    const { json, test } = written();
    const ce = parseCounterexample(json, '1.json');
    // Inside the repository (git-ignored), so axios, vitest and @types/node resolve from its
    // node_modules; not named *.test.ts, so no vitest run picks them up.
    const dir = path.join(REPO_ROOT, '.tmp', 'counterexample-compile', String(process.pid));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    tmpDirs.push(dir);
    const inFolder = path.join(dir, 'in-folder.ts');
    const exported = path.join(dir, 'exported.ts');
    const control = path.join(dir, 'control.ts');
    writeFileSync(inFolder, test);
    writeFileSync(exported, regressionTestSource(ce, 1, { kind: 'exported' }));
    // The defect this replaces: a step field the Step interface does not declare.
    writeFileSync(control, test.replace('"index": 0,', '"index": 0,\n    "notAField": true,'));
    for (const module of ['NodeNext', 'ESNext'] as const) {
      const result = diagnostics([inFolder, exported, control], strictOptions(module));
      expect(result.get(inFolder), module).toEqual([]);
      expect(result.get(exported), module).toEqual([]);
      expect(result.get('(global)') ?? [], module).toEqual([]);
      expect(result.get(control)!.join('\n'), module).toMatch(/TS2353: .*'"notAField"' does not exist in type 'Step'/);
    }
  });
});
