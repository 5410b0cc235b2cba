/** `tenantproof inspect`: every corpus spec, JSON stability, and exit 2 with a location on bad input. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { main } from '../../harness/cli/inspect.ts';
import { inspectReportSchema } from '../../harness/cli/inspect-report.ts';
import { CORPUS_DIR, CRM_SPEC, REPO_ROOT, fixtureSpec } from '../support/paths.ts';

async function inspect(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const corpus = readdirSync(CORPUS_DIR)
  .filter((f) => /\.(ya?ml|json)$/i.test(f))
  .sort();

describe('tenantproof inspect on the corpus', () => {
  it('finds the corpus', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(6);
  });
  it.each(corpus)('inspects %s (text and JSON)', async (file) => {
    const spec = resolve(CORPUS_DIR, file);
    const text = await inspect(['--spec', spec]);
    expect(text.err).toBe('');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/Resources \(producers → consumers\)/);
    expect(text.out).toMatch(/Tenant-owned operations/);
    expect(text.out).toMatch(/Unclassified operations/);
    const json = await inspect(['--spec', spec, '--json']);
    expect(json.code).toBe(0);
    const report = inspectReportSchema.parse(JSON.parse(json.out));
    expect(report.summary.operations).toBeGreaterThan(0);
    for (const u of report.unclassified) expect(u.reason.length).toBeGreaterThan(0);
  });
});

describe('tenantproof inspect output', () => {
  it('defaults to the CRM spec', async () => {
    const r = await inspect([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Contractor CRM/);
  });

  it('prints byte-identical, key-sorted JSON on every run', async () => {
    const a = await inspect(['--spec', CRM_SPEC, '--json']);
    const b = await inspect(['--spec', CRM_SPEC, '--json']);
    expect(a.out).toBe(b.out);
    const parsed = JSON.parse(a.out) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([...Object.keys(parsed)].sort());
    const report = inspectReportSchema.parse(parsed);
    expect(report.spec.file).toBe('specs/crm.openapi.yaml'.replace(/\//g, '/'));
    const paths = report.operations.map((o) => `${o.path} ${o.method}`);
    expect(paths).toEqual([...paths].sort((x, y) => x.localeCompare(y)));
  });

  it('follows external $refs across files', async () => {
    const r = await inspect(['--spec', fixtureSpec('multi-file.yaml'), '--json']);
    expect(r.err).toBe('');
    const report = inspectReportSchema.parse(JSON.parse(r.out));
    expect(report.edges).toEqual([
      { consumer: 'getWidget', in: 'path', name: 'widgetId', producer: 'createWidget', resource: 'widget' },
    ]);
  });

  it('reads a JSON spec the same as its YAML form', async () => {
    const yamlPath = resolve(CORPUS_DIR, 'realworld-conduit.openapi.yml');
    const dir = mkdtempSync(join(tmpdir(), 'tp-inspect-'));
    const jsonPath = join(dir, 'conduit.json');
    writeFileSync(jsonPath, JSON.stringify(YAML.parse(readFileSync(yamlPath, 'utf8'))));
    const fromYaml = inspectReportSchema.parse(JSON.parse((await inspect(['--spec', yamlPath, '--json'])).out));
    const fromJson = inspectReportSchema.parse(JSON.parse((await inspect(['--spec', jsonPath, '--json'])).out));
    expect(fromJson.operations).toEqual(fromYaml.operations);
    expect(fromJson.edges).toEqual(fromYaml.edges);
  });

  it('prints help and exits 0', async () => {
    const r = await inspect(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: tenantproof inspect/);
  });

  it('runs through the CLI dispatcher', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [resolve(REPO_ROOT, 'bin/tenantproof.mjs'), 'inspect', '--json'],
      { cwd: REPO_ROOT },
    );
    expect(inspectReportSchema.parse(JSON.parse(stdout)).summary.operations).toBe(34);
  });
});

describe('tenantproof inspect rejects unusable input with exit 2', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown flag', ['--frobnicate'], /Unknown option '--frobnicate'/],
    ['two specs', ['a.yaml', 'b.yaml'], /give one spec/],
    [
      'a missing file',
      ['--spec', fixtureSpec('does-not-exist.yaml')],
      /does-not-exist\.yaml: cannot read the spec \(no such file\)/,
    ],
    ['a YAML syntax error', ['--spec', fixtureSpec('syntax.yaml')], /syntax\.yaml:3:1: not valid YAML/],
    [
      'a file that is not a spec',
      ['--spec', fixtureSpec('notspec.yaml')],
      /notspec\.yaml \(at #\): not an OpenAPI document/,
    ],
    [
      'JSON that is not a spec',
      ['--spec', fixtureSpec('not-openapi.json')],
      /not-openapi\.json \(at #\): not an OpenAPI document/,
    ],
    [
      'a dangling $ref',
      ['--spec', fixtureSpec('dangling.yaml')],
      /dangling\.yaml:11 \(at #\/paths\/~1things\/get\/responses\/200\/content\/application~1json\/schema\): \$ref "#\/components\/schemas\/Missing" points to nothing/,
    ],
    [
      'a $ref to a missing file',
      ['--spec', fixtureSpec('dangling-external.yaml')],
      /dangling-external\.yaml:5 \(at #\/paths\/~1things\): \$ref "\.\/nowhere\.yaml#\/things" points to a file that cannot be loaded/,
    ],
    [
      'a schema violation',
      ['--spec', fixtureSpec('invalid.yaml')],
      /invalid\.yaml:8 \(at #\/paths\/~1things\/get\/responses\/200\): does not conform to the OpenAPI schema: must have required property 'description'/,
    ],
    [
      'a bad extension value',
      ['--spec', fixtureSpec('bad-extension.yaml')],
      /bad-extension\.yaml:6 \(at #\/paths\/~1things\/get\/x-tenantproof-kind\): bad value for x-tenantproof-kind/,
    ],
  ];
  it.each(cases)('%s', async (_name, argv, message) => {
    const r = await inspect(argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
  });
});
