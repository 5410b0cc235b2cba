/** Overlays (OpenAPI Overlay 1.0): parsing, applying, writing, and their effect on the ApiModel. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/support/paths.ts';
import { analyzeSpecFile } from './analyze.ts';
import { loadSpec } from './load-spec.ts';
import {
  appendOverlayActions,
  applyOverlay,
  operationTarget,
  overlayAction,
  parseOverlay,
  readOverlay,
  writeOverlay,
  type LoadedOverlay,
} from './overlay.ts';
import { parseJsonPath, queryJsonPath } from './json-path-lite.ts';
import { SpecError } from './spec-error.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'tp-overlay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TRACKLET = path.join(REPO_ROOT, 'examples', 'third-party', 'openapi.yaml');

let n = 0;
function overlayFile(text: string, ext = 'yaml'): string {
  const file = path.join(dir, `overlay-${++n}.${ext}`);
  writeFileSync(file, text);
  return file;
}

function overlayOf(actions: unknown[]): LoadedOverlay {
  const file = path.join(dir, `inline-${++n}.json`);
  return parseOverlay(file, JSON.stringify({ overlay: '1.0.0', info: { title: 't', version: '1' }, actions }));
}

function specError(run: () => unknown): SpecError {
  try {
    run();
  } catch (err) {
    if (err instanceof SpecError) return err;
    throw err;
  }
  throw new Error('expected a SpecError');
}

async function specErrorAsync(run: () => Promise<unknown>): Promise<SpecError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof SpecError) return err;
    throw err;
  }
  throw new Error('expected a SpecError');
}

const baseDoc = () => ({
  openapi: '3.1.0',
  info: { title: 'T', version: '1' },
  tags: [{ name: 'a' }],
  paths: {
    '/projects': {
      get: { operationId: 'listProjects', tags: ['x'], responses: { '200': { description: 'ok' } } },
      post: { operationId: 'createProject', responses: { '201': { description: 'made' } } },
    },
    '/internal': { get: { operationId: 'internal' } },
  },
  components: { schemas: { Project: { type: 'object' } } },
});

describe('parseOverlay', () => {
  it('reads a YAML overlay with extensions, extends and both kinds of action', async () => {
    const file = overlayFile(
      [
        'overlay: 1.0.0',
        'x-note: kept',
        'info: { title: hints, version: 0.1.0, x-by: me }',
        'extends: ./openapi.yaml',
        'actions:',
        "  - target: $.paths['/projects'].get",
        '    description: skip a probe',
        '    update: { x-tenantproof-skip-probes: [interleaved] }',
        "  - target: $.paths['/internal']",
        '    remove: true',
      ].join('\n'),
    );
    const loaded = await readOverlay(file);
    expect(loaded.path).toBe(file);
    expect(loaded.overlay.actions).toEqual([
      {
        target: "$.paths['/projects'].get",
        description: 'skip a probe',
        update: { 'x-tenantproof-skip-probes': ['interleaved'] },
      },
      { target: "$.paths['/internal']", remove: true },
    ]);
    expect(loaded.lineOf('/actions/1')).toBe(9);
  });

  it.each([
    ['overlay: 1.0.0\ninfo: [unclosed\n', 'not valid YAML', 3],
    ['- just\n- a list\n', 'not an overlay: expected a mapping', undefined],
    [
      'overlay: 2.0.0\ninfo: { title: t, version: "1" }\nactions: [{ target: $, remove: true }]\n',
      'overlay must be 1.0.x',
      1,
    ],
    ['overlay: 1.0.0\nactions: [{ target: $.a, remove: true }]\n', 'info must be an object', 1],
    [
      'overlay: 1.0.0\ninfo: { title: t, version: "1" }\nactions:\n  - target: $.a\n    description: no update\n',
      'an action needs an update or remove: true',
      4,
    ],
    [
      'overlay: 1.0.0\ninfo: { title: t, version: "1" }\nactions:\n  - target: paths.a\n    remove: true\n',
      'target must be a JSONPath starting with $',
      4,
    ],
    [
      'overlay: 1.0.0\ninfo: { title: t, version: "1" }\nactions:\n  - target: $.a\n    updates: { x: 1 }\n',
      'unknown field of an action',
      5,
    ],
    [
      'overlay: 1.0.0\ninfo: { title: t, version: "1" }\nactions:\n  - target: $.a\n    remove: "yes"\n',
      'remove must be true or false',
      5,
    ],
  ])('refuses a malformed overlay: %j', (text, words, line) => {
    const file = overlayFile(text);
    const err = specError(() => parseOverlay(file, text));
    expect(err.code).toBe('bad-overlay');
    expect(err.message).toContain(file);
    expect(err.message).toContain(words);
    expect(err.location.line).toBe(line);
  });

  it('refuses a missing file, naming it', async () => {
    const missing = path.join(dir, 'nope.overlay.yaml');
    const err = await specErrorAsync(() => readOverlay(missing));
    expect(err.code).toBe('bad-overlay');
    expect(err.message).toBe(`${missing}: cannot read the overlay (no such file)`);
  });

  it('refuses bad JSON in a .json overlay', () => {
    const file = overlayFile('{ "overlay": "1.0.0", ', 'json');
    const err = specError(() => parseOverlay(file, readFileSync(file, 'utf8')));
    expect(err.code).toBe('bad-overlay');
    expect(err.message).toContain('the overlay is not valid JSON');
  });
});

describe('applyOverlay', () => {
  it('merges an update into every selected object: new keys added, scalars replaced, nested objects merged, lists appended', () => {
    const doc = baseDoc();
    applyOverlay(
      doc,
      overlayOf([
        {
          target: '$.paths.*.*',
          update: { 'x-tenantproof-kind': 'action', tags: ['y'], responses: { '200': { description: 'new' } } },
        },
      ]),
    );
    const get = doc.paths['/projects'].get as Record<string, unknown>;
    expect(get['x-tenantproof-kind']).toBe('action');
    expect(get.tags).toEqual(['x', 'y']);
    expect(get.responses).toEqual({ '200': { description: 'new' } });
    const post = doc.paths['/projects'].post as Record<string, unknown>;
    expect(post.tags).toEqual(['y']);
    expect(post.responses).toEqual({ '201': { description: 'made' }, '200': { description: 'new' } });
    expect((doc.paths['/internal'].get as Record<string, unknown>)['x-tenantproof-kind']).toBe('action');
    // Each target gets its own copy.
    expect(post.tags).not.toBe((doc.paths['/internal'].get as Record<string, unknown>).tags);
  });

  it('appends the update as one entry when the target is a list', () => {
    const doc = baseDoc();
    applyOverlay(doc, overlayOf([{ target: '$.tags', update: { name: 'b', description: 'added' } }]));
    expect(doc.tags).toEqual([{ name: 'a' }, { name: 'b', description: 'added' }]);
  });

  it('removes the selected nodes from their object or list', () => {
    const doc = baseDoc() as ReturnType<typeof baseDoc> & { tags: { name: string }[] };
    doc.tags.push({ name: 'b' }, { name: 'c' });
    applyOverlay(
      doc,
      overlayOf([
        { target: "$.paths['/internal']", remove: true },
        { target: '$.tags[*]', remove: true, description: 'all tags' },
      ]),
    );
    expect(Object.keys(doc.paths)).toEqual(['/projects']);
    expect(doc.tags).toEqual([]);
  });

  it('applies actions in order: a later action sees what an earlier one did', () => {
    const doc = baseDoc();
    applyOverlay(
      doc,
      overlayOf([
        { target: "$.paths['/internal']", remove: true },
        { target: '$.paths', update: { '/internal': { get: { operationId: 'again' } } } },
        { target: "$.paths['/internal'].get", update: { summary: 'third' } },
      ]),
    );
    expect(doc.paths['/internal']).toEqual({ get: { operationId: 'again', summary: 'third' } });
    // The reverse order fails: the third action's target is gone after a remove.
    const err = specError(() =>
      applyOverlay(
        baseDoc(),
        overlayOf([
          { target: "$.paths['/internal'].get", update: { summary: 'x' } },
          { target: "$.paths['/internal']", remove: true },
          { target: "$.paths['/internal'].get", update: { summary: 'y' } },
        ]),
      ),
    );
    expect(err.message).toContain(
      "actions[2]: the target selects nothing: paths['/internal'] does not exist in the spec ($.paths has '/projects')",
    );
  });

  it('says which action selects nothing and what the spec has there', () => {
    const loaded = overlayOf([
      { target: '$.info', update: { 'x-a': 1 } },
      { target: "$.paths['/projects'].put", update: { summary: 'x' }, description: 'replace projects' },
    ]);
    const err = specError(() => applyOverlay(baseDoc(), loaded));
    expect(err.code).toBe('bad-overlay');
    expect(err.message).toContain(
      "actions[1] (replace projects): paths['/projects'].put does not exist in the spec ($.paths['/projects'] has get, post)",
    );
    expect(err.location).toMatchObject({ file: loaded.path, pointer: '/actions/1/target' });

    const earlier = specError(() =>
      applyOverlay(baseDoc(), overlayOf([{ target: "$.paths['/projectz'].get", update: { summary: 'x' } }])),
    );
    expect(earlier.message).toContain(
      "actions[0]: the target selects nothing: paths['/projectz'] does not exist in the spec ($.paths has '/projects', '/internal')",
    );
  });

  it('refuses targets outside the JSONPath subset, naming the action and the syntax', () => {
    const err = specError(() =>
      applyOverlay(
        baseDoc(),
        overlayOf([
          { target: '$.info', update: {} },
          { target: '$..get', update: {} },
        ]),
      ),
    );
    expect(err.code).toBe('bad-overlay');
    expect(err.message).toContain('actions[1]: unsupported target: recursive descent (`..`) is not supported');
    const filter = specError(() => applyOverlay(baseDoc(), overlayOf([{ target: '$.paths[?(@.get)]', update: {} }])));
    expect(filter.message).toContain('actions[0]: unsupported target: filter expressions');
  });

  it('refuses updates that do not fit the target, and removing the whole spec', () => {
    expect(
      specError(() => applyOverlay(baseDoc(), overlayOf([{ target: '$.info.title', update: 'New' }]))).message,
    ).toContain(
      'actions[0]: $.info.title is a string; an update merges into objects and appends to arrays, so target its parent',
    );
    expect(
      specError(() => applyOverlay(baseDoc(), overlayOf([{ target: '$.info', update: ['x'] }]))).message,
    ).toContain(
      'actions[0]: $.info is an object, so the update must be an object of properties to merge (got an array)',
    );
    expect(specError(() => applyOverlay(baseDoc(), overlayOf([{ target: '$', remove: true }]))).message).toContain(
      'would remove the whole spec',
    );
  });

  it('checks $refs once applied: one added must point inside the spec, one left behind by a remove must still resolve', () => {
    const ok = baseDoc();
    applyOverlay(
      ok,
      overlayOf([
        {
          target: "$.paths['/projects'].get.responses['200']",
          update: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Project' } } } },
        },
      ]),
    );
    const external = specError(() =>
      applyOverlay(baseDoc(), overlayOf([{ target: '$.info', update: { 'x-s': { $ref: 'other.yaml#/A' } } }])),
    );
    expect(external.message).toContain('points outside the spec');
    expect(external.location.pointer).toBe('/actions/0/update/x-s');

    const doc = baseDoc();
    const loaded = overlayOf([
      { target: '$.info', update: { 'x-s': { $ref: '#/components/schemas/Project' } } },
      { target: '$.components.schemas.Project', remove: true },
    ]);
    const dangling = specError(() => applyOverlay(doc, loaded));
    expect(dangling.message).toContain('"#/components/schemas/Project" points nowhere once the overlay');
  });

  it("attributes what it wrote to the overlay's lines, and the rest to the spec", () => {
    const text = [
      'overlay: 1.0.0',
      'info: { title: t, version: "1" }',
      'actions:',
      "  - target: $.paths['/projects'].get",
      '    update:',
      '      x-tenantproof-kind: bogus',
    ].join('\n');
    const file = overlayFile(text);
    const locate = applyOverlay(baseDoc(), parseOverlay(file, text), (pointer) => ({ file: 'spec.yaml', pointer }));
    expect(locate('/paths/~1projects/get/x-tenantproof-kind')).toEqual({
      file,
      pointer: '/actions/0/update/x-tenantproof-kind',
      line: 6,
    });
    expect(locate('/paths/~1projects/get/responses')).toEqual({
      file: 'spec.yaml',
      pointer: '/paths/~1projects/get/responses',
    });
  });

  it('never writes through __proto__', () => {
    const doc = baseDoc();
    applyOverlay(
      doc,
      parseOverlay(
        path.join(dir, 'p.json'),
        '{"overlay":"1.0.0","info":{"title":"t","version":"1"},"actions":[{"target":"$.info","update":{"__proto__":{"polluted":true}}}]}',
      ),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(doc.info, '__proto__')?.value).toEqual({ polluted: true });
  });
});

describe('writing overlays', () => {
  it('operationTarget quotes the path (escaping quotes) and lower-cases the method', () => {
    expect(operationTarget('/projects/{projectId}', 'GET')).toBe("$.paths['/projects/{projectId}'].get");
    const odd = operationTarget("/it's/a\\path", 'post');
    expect(odd).toBe("$.paths['/it\\'s/a\\\\path'].post");
    expect(queryJsonPath({ paths: { "/it's/a\\path": { post: 1 } } }, odd).map((x) => x.value)).toEqual([1]);
  });

  it('overlayAction checks its target', () => {
    expect(overlayAction('$.info', { 'x-a': 1 }, 'why')).toEqual({
      target: '$.info',
      update: { 'x-a': 1 },
      description: 'why',
    });
    expect(() => overlayAction('$..get', {}, 'x')).toThrow(/recursive descent/);
  });

  it('writeOverlay writes a commented overlay that reads back; appendOverlayActions adds only new actions and keeps comments', async () => {
    const file = path.join(dir, 'tenantproof.overlay.yaml');
    const skip = overlayAction(
      operationTarget('/projects/{projectId}', 'get'),
      { 'x-tenantproof-skip-probes': ['interleaved'] },
      'skip',
    );
    writeOverlay(file, [skip, { ...skip }], { title: 'Tracklet hints' });
    const written = readFileSync(file, 'utf8');
    expect(written).toMatch(/^# tenantproof overlay \(OpenAPI Overlay Specification 1\.0\.0\)\./);
    expect(written).toContain('applies these actions on top of the OpenAPI spec');
    const back = await readOverlay(file);
    expect(back.overlay).toMatchObject({ overlay: '1.0.0', info: { title: 'Tracklet hints' }, actions: [skip] });

    writeFileSync(file, written.replace('actions:', 'actions: # mine'));
    const ignore = overlayAction(operationTarget('/stats', 'get'), { 'x-tenantproof-ignore': true }, 'not ours');
    // Same target and update, other key order and description: a duplicate.
    const same = {
      target: skip.target,
      description: 'again',
      update: { 'x-tenantproof-skip-probes': ['interleaved'] },
    };
    expect(appendOverlayActions(file, [same, ignore, ignore])).toBe(1);
    expect(appendOverlayActions(file, [ignore])).toBe(0);
    const after = readFileSync(file, 'utf8');
    expect(after).toContain('# mine');
    expect((await readOverlay(file)).overlay.actions.map((a) => a.target)).toEqual([skip.target, ignore.target]);
  });

  it('appendOverlayActions creates a missing file, and refuses to touch a broken one', () => {
    const file = path.join(dir, 'fresh.overlay.yaml');
    expect(appendOverlayActions(file, [overlayAction('$.info', { 'x-a': 1 }, 'a')])).toBe(1);
    expect(readFileSync(file, 'utf8')).toContain('x-a: 1');
    const broken = overlayFile('overlay: 1.0.0\n');
    expect(() => appendOverlayActions(broken, [overlayAction('$.info', { 'x-a': 1 }, 'a')])).toThrow(SpecError);
    expect(readFileSync(broken, 'utf8')).toBe('overlay: 1.0.0\n');
  });
});

describe('loadSpec / analyzeSpecFile with an overlay (Tracklet)', () => {
  it('a hint in the overlay changes the ApiModel, and the spec sha256 covers the overlay', async () => {
    const file = path.join(dir, 'tracklet.overlay.yaml');
    writeOverlay(
      file,
      [
        overlayAction(
          operationTarget('/projects/{projectId}', 'get'),
          { 'x-tenantproof-skip-probes': ['interleaved'] },
          'a',
        ),
        overlayAction(operationTarget('/stats', 'get'), { 'x-tenantproof-ignore': true }, 'b'),
      ],
      { title: 'Tracklet' },
    );
    const plain = await analyzeSpecFile(TRACKLET, { skipSchemaValidation: true });
    // A relative overlay path resolves from the working directory, like --spec.
    const hinted = await analyzeSpecFile(TRACKLET, { overlay: path.relative(process.cwd(), file) });
    const op = (m: typeof plain, id: string) => m.operations.find((o) => o.operationId === id)!;

    expect(op(plain, 'getProject').probes).toContain('interleaved');
    expect(op(hinted, 'getProject').probes).not.toContain('interleaved');
    expect(op(hinted, 'getProject').probes).toContain('cross-tenant-read');
    expect(op(hinted, 'getProject').overrides).toEqual(['x-tenantproof-skip-probes']);
    expect(op(plain, 'getStats')).toMatchObject({ kind: 'aggregate', tenantOwned: true });
    expect(op(hinted, 'getStats')).toMatchObject({ kind: 'unclassified', tenantOwned: false, probes: [] });

    expect(hinted.document.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(hinted.document.sha256).not.toBe(plain.document.sha256);
    const again = await loadSpec(TRACKLET, { overlay: file, skipSchemaValidation: true });
    expect(again.document.sha256).toBe(hinted.document.sha256);
  });

  it("a bad hint the overlay adds is reported at the overlay's line; a missing operation names the action", async () => {
    const bad = overlayFile(
      [
        'overlay: 1.0.0',
        'info: { title: t, version: "1" }',
        'actions:',
        "  - target: $.paths['/projects'].get",
        '    update:',
        '      x-tenantproof-kind: bogus',
      ].join('\n'),
    );
    const err = await specErrorAsync(() => analyzeSpecFile(TRACKLET, { overlay: bad, skipSchemaValidation: true }));
    expect(err.code).toBe('bad-extension');
    expect(err.location).toMatchObject({ file: bad, line: 6 });

    const missing = overlayFile(
      "overlay: 1.0.0\ninfo: { title: t, version: '1' }\nactions:\n  - target: $.paths['/projects'].put\n    update: { x-tenantproof-ignore: true }\n",
    );
    const err2 = await specErrorAsync(() => analyzeSpecFile(TRACKLET, { overlay: missing }));
    expect(err2.code).toBe('bad-overlay');
    expect(err2.message).toContain(
      `${missing}:4 (at #/actions/0/target): actions[0]: paths['/projects'].put does not exist in the spec`,
    );
    expect(err2.message).toContain('has get, post');
  });

  it('the parsed targets of operationTarget select the operation in the real spec', async () => {
    const { document } = await loadSpec(TRACKLET, { skipSchemaValidation: true });
    const [node] = queryJsonPath(document.root, parseJsonPath(operationTarget('/projects/{projectId}/tasks', 'POST')));
    expect((node!.value as { operationId: string }).operationId).toBe('createTask');
  });
});

describe('an empty overlay', () => {
  it('is a no-op (init writes one for doctor --write-overlay to fill)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tp-empty-overlay-'));
    const file = path.join(dir, 'tenantproof.overlay.yaml');
    writeOverlay(file, [], { title: 'hints' });
    const spec = 'examples/third-party/openapi.yaml';
    const plain = await analyzeSpecFile(spec);
    const overlaid = await analyzeSpecFile(spec, { overlay: file });
    expect(overlaid.operations.map((o) => [o.operationId, o.kind, o.probes])).toEqual(
      plain.operations.map((o) => [o.operationId, o.kind, o.probes]),
    );
  });
});
