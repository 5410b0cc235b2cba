import { describe, expect, it } from 'vitest';
import {
  explainNoMatch,
  formatJsonPath,
  formatNodePath,
  JsonPathSyntaxError,
  parseJsonPath,
  queryJsonPath,
  quoteMemberName,
} from './json-path-lite.ts';

const doc = {
  paths: {
    '/projects': { get: { operationId: 'listProjects' }, post: { operationId: 'createProject' } },
    "/it's": { get: { operationId: 'quoted' } },
  },
  tags: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
  info: { title: 'T' },
};

const values = (target: string) => queryJsonPath(doc, target).map((n) => n.value);

describe('parseJsonPath', () => {
  it('reads $, .name, quoted names, wildcards and indexes', () => {
    expect(parseJsonPath('$')).toEqual([]);
    expect(parseJsonPath('$.paths[\'/a\']["b"][*].*[0][-1]')).toEqual([
      { kind: 'name', name: 'paths' },
      { kind: 'name', name: '/a' },
      { kind: 'name', name: 'b' },
      { kind: 'wildcard' },
      { kind: 'wildcard' },
      { kind: 'index', index: 0 },
      { kind: 'index', index: -1 },
    ]);
    expect(parseJsonPath("$[ 'spaced' ]")).toEqual([{ kind: 'name', name: 'spaced' }]);
  });

  it('unescapes \\\' \\" \\\\ and the JSON escapes inside quoted names', () => {
    expect(parseJsonPath("$['it\\'s']")).toEqual([{ kind: 'name', name: "it's" }]);
    expect(parseJsonPath('$["say \\"hi\\""]')).toEqual([{ kind: 'name', name: 'say "hi"' }]);
    expect(parseJsonPath("$['back\\\\slash']")).toEqual([{ kind: 'name', name: 'back\\slash' }]);
    expect(parseJsonPath("$['a\\u0041\\n']")).toEqual([{ kind: 'name', name: 'aA\n' }]);
    // The other quote needs no escape; brackets and dots inside quotes are plain characters.
    expect(parseJsonPath(`$["it's [a].b"]`)).toEqual([{ kind: 'name', name: "it's [a].b" }]);
  });

  it.each([
    ['paths', 'starts with `$`'],
    ['$..get', 'recursive descent'],
    ['$.paths[?(@.get)]', 'filter expressions'],
    ['$.tags[0:2]', 'slices'],
    ['$.tags[:2]', 'slices'],
    ["$['a','b']", 'unions'],
    ['$.tags[0,1]', 'unions'],
    ['$.responses.200', "write ['200']"],
    ['$.x-tenantproof-ignore', "write ['x-tenantproof-ignore']"],
    ["$['open", 'not closed'],
    ["$['a'", 'expected `]`'],
    ["$['a\\q']", 'unknown escape'],
    ['$.tags[01]', 'leading zeros'],
    ['$[]', 'empty brackets'],
    ['$.', 'a member name must follow'],
    ['$@', '`@`'],
    ['$ .a', 'unexpected'],
    ['$[length(@)]', 'unexpected `l`'],
  ])('refuses %s, naming the syntax', (expression, words) => {
    let error: unknown;
    try {
      parseJsonPath(expression);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(JsonPathSyntaxError);
    expect((error as Error).message).toContain(words);
    expect((error as Error).message).toContain(JSON.stringify(expression));
  });
});

describe('queryJsonPath', () => {
  it('selects by name, quoted name, index, negative index and wildcard', () => {
    expect(values("$.paths['/projects'].get")).toEqual([{ operationId: 'listProjects' }]);
    expect(values(`$.paths["/it's"].get.operationId`)).toEqual(['quoted']);
    expect(values("$.paths['/it\\'s'].get.operationId")).toEqual(['quoted']);
    expect(values('$.tags[1].name')).toEqual(['b']);
    expect(values('$.tags[-1].name')).toEqual(['c']);
    expect(values('$.tags[*].name')).toEqual(['a', 'b', 'c']);
    expect(values("$.paths['/projects'].*.operationId")).toEqual(['listProjects', 'createProject']);
    expect(values('$')).toEqual([doc]);
  });

  it('returns parent, key and the normalized path of each node', () => {
    const [node] = queryJsonPath(doc, '$.tags[*]').slice(2);
    expect(node!.parent).toBe(doc.tags);
    expect(node!.key).toBe(2);
    expect(node!.path).toEqual(['tags', 2]);
    expect(formatNodePath(node!.path)).toBe('$.tags[2]');
  });

  it('selects nothing where the member or index is missing, or the kind does not fit', () => {
    expect(values("$.paths['/nope']")).toEqual([]);
    expect(values('$.tags[3]')).toEqual([]);
    expect(values('$.tags.name')).toEqual([]); // a name on an array
    expect(values('$.info[0]')).toEqual([]); // an index on an object
    expect(values('$.info.title.*')).toEqual([]); // a wildcard on a string
  });
});

describe('formatting and explaining', () => {
  it('formats names in shorthand where RFC 9535 allows it, quoted otherwise', () => {
    expect(formatJsonPath(parseJsonPath(`$["paths"]["/a/{id}"].get['x-y']["it's"][0][*]`))).toBe(
      "$.paths['/a/{id}'].get['x-y']['it\\'s'][0][*]",
    );
    expect(quoteMemberName("a'b\\c")).toBe("'a\\'b\\\\c'");
    // What formatJsonPath writes reads back to the same segments.
    const names = ['plain', '/p/{x}', "q'uote", 'back\\slash', '200', 'x-ext'];
    for (const name of names)
      expect(parseJsonPath(formatJsonPath([{ kind: 'name', name }]))).toEqual([{ kind: 'name', name }]);
  });

  it('says which step found nothing and what is there instead', () => {
    expect(explainNoMatch(doc, parseJsonPath("$.paths['/projects'].put"))).toEqual({
      existing: "$.paths['/projects']",
      missing: "$.paths['/projects'].put",
      depth: 2,
      available: ['get', 'post'],
      existingKind: 'an object',
    });
    expect(explainNoMatch(doc, parseJsonPath("$.paths['/nope'].get"))?.depth).toBe(1);
    expect(explainNoMatch(doc, parseJsonPath('$.info.title.x'))?.existingKind).toBe('a string');
    expect(explainNoMatch(doc, parseJsonPath('$.tags[0]'))).toBeUndefined();
  });
});
