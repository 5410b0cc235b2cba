/**
 * The zod emitter on a synthetic spec that uses every construct it supports, in OpenAPI 3.1 and
 * 3.0 flavours: the output typechecks, agrees with openapi-typescript in both directions, and
 * validates at runtime as JSON Schema says it should.
 */
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { orderSchemas } from './ref-graph.ts';
import { emitZodModule } from './zod-emitter.ts';
import { generateInto, scratchDir, typecheckGenerated } from './test-support.ts';

const schemas31 = {
  Id: { type: 'string', format: 'uuid' },
  Email: { type: 'string', format: 'email', maxLength: 254 },
  When: { type: 'string', format: 'date-time' },
  Day: { type: 'string', format: 'date' },
  Link: { type: 'string', format: 'uri' },
  Phone: { type: ['string', 'null'], pattern: '^\\+?[0-9 ]{7,20}$' },
  Status: { type: 'string', enum: ['open', 'closed'] },
  MixedEnum: { enum: [1, 'two', true, null] },
  Kind: { const: 'widget' },
  Count: { type: 'integer', minimum: 0, maximum: 10 },
  Ratio: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, multipleOf: 0.25 },
  Tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3, uniqueItems: true },
  Bag: { type: 'array', uniqueItems: true, items: { type: 'object' } },
  Pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false },
  Closed: {
    type: 'object',
    additionalProperties: false,
    required: ['a'],
    properties: { a: { type: 'string' }, b: { type: 'integer', default: 5 } },
  },
  Open: { type: 'object', properties: { a: { type: 'string' } } },
  Dict: { type: 'object', additionalProperties: { type: 'integer' } },
  Mixed: { type: 'object', properties: { a: { type: 'integer' } }, additionalProperties: { type: 'integer' } },
  Patch: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 2,
    properties: { x: { type: 'string' }, y: { type: 'string' }, z: { type: 'string' } },
  },
  Shape: { oneOf: [{ $ref: '#/components/schemas/Circle' }, { $ref: '#/components/schemas/Square' }] },
  Circle: { type: 'object', required: ['kind', 'r'], properties: { kind: { const: 'circle' }, r: { type: 'number' } } },
  Square: {
    type: 'object',
    required: ['kind', 'side'],
    properties: { kind: { const: 'square' }, side: { type: 'number' } },
  },
  AnyId: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
  Named: {
    allOf: [
      { $ref: '#/components/schemas/Open' },
      { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
    ],
  },
  NullableRef: { oneOf: [{ $ref: '#/components/schemas/Closed' }, { type: 'null' }] },
  Tree: {
    type: 'object',
    required: ['value', 'children'],
    properties: {
      value: { type: 'integer' },
      children: { type: 'array', items: { $ref: '#/components/schemas/Tree' } },
    },
  },
  Ping: { type: 'object', properties: { pong: { $ref: '#/components/schemas/Pong' } } },
  Pong: { type: 'object', properties: { ping: { $ref: '#/components/schemas/Ping' } } },
  Anything: {},
  Nothing: { not: {} },
  'weird-name.v2': { type: 'object', properties: { 'kebab-key': { type: 'string' } } },
  Deep: { type: 'object', properties: { sub: { $ref: '#/components/schemas/Open/properties/a' } } },
};

const schemas30 = {
  Maybe: { type: 'string', nullable: true },
  MaybeEnum: { type: 'string', enum: ['a', 'b'], nullable: true },
  Bound: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 5, exclusiveMaximum: true },
  WithDefault: {
    type: 'object',
    properties: { limit: { type: 'integer', default: 20 }, flag: { type: 'boolean', default: false } },
  },
  Expandable: {
    anyOf: [{ type: 'string', maxLength: 5000 }, { $ref: '#/components/schemas/Account' }],
    nullable: true,
  },
  Account: {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string' }, parent: { $ref: '#/components/schemas/Expandable' } },
  },
  Empty: { type: 'object' },
};

function spec(version: string, schemas: object): string {
  return JSON.stringify({ openapi: version, info: { title: 't', version: '1' }, paths: {}, components: { schemas } });
}

type Mod = Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }>;

describe('zod emitter', () => {
  let z31: Mod;
  let z30: Mod;
  let diagnostics: string[] = [];
  let skipped31 = new Map<string, number>();

  beforeAll(async () => {
    const d31 = scratchDir('emitter31');
    const d30 = scratchDir('emitter30');
    const g31 = await generateInto(d31, spec('3.1.0', schemas31), 'synthetic-3.1');
    const g30 = await generateInto(d30, spec('3.0.3', schemas30), 'synthetic-3.0');
    skipped31 = g31.skipped;
    diagnostics = [...typecheckGenerated(g31.paths).diagnostics, ...typecheckGenerated(g30.paths).diagnostics];
    z31 = (await import(pathToFileURL(g31.paths['zod.ts']!).href)) as Mod;
    z30 = (await import(pathToFileURL(g30.paths['zod.ts']!).href)) as Mod;
  });

  const ok = (m: () => Mod, name: string, value: unknown) =>
    expect(m()[name]!.safeParse(value).success, `${name} should accept ${JSON.stringify(value)}`).toBe(true);
  const bad = (m: () => Mod, name: string, value: unknown) =>
    expect(m()[name]!.safeParse(value).success, `${name} should reject ${JSON.stringify(value)}`).toBe(false);
  const m31 = () => z31;
  const m30 = () => z30;

  it('typechecks, and zod and openapi-typescript types agree both ways (type-parity.ts)', () => {
    expect(diagnostics).toEqual([]);
  });

  it('reports what zod cannot express instead of failing', () => {
    expect(skipped31.get('not')).toBe(1);
    // A default that does not fit its type cannot be applied; it is reported, not emitted.
    const doc = {
      openapi: '3.0.3',
      components: { schemas: { X: { type: 'object', properties: { bad: { type: 'integer', default: 'x' } } } } },
    };
    const result = emitZodModule(doc, { typesImport: './types.ts', header: '' });
    expect(result.skipped.get('default (not applied: does not fit the schema)')).toBe(1);
    expect(result.code).toContain('bad: z.int().optional()');
  });

  it('string formats, lengths and patterns', () => {
    ok(m31, 'IdSchema', '7f0c1d2e-3a4b-4c5d-8e6f-708192a3b4c5');
    bad(m31, 'IdSchema', 'nope');
    ok(m31, 'IdSchema', 'urn:uuid:7f0c1d2e-3a4b-4c5d-8e6f-708192a3b4c5');
    // Formats follow ajv-formats (full), the validator JSON Schema users and the CRM rely on.
    ok(m31, 'EmailSchema', 'dana.w+crm@whitfield.example');
    bad(m31, 'EmailSchema', 'a@localhost');
    bad(m31, 'EmailSchema', 'not an email');
    ok(m31, 'WhenSchema', '2026-01-05T09:30:00Z');
    ok(m31, 'WhenSchema', '2026-01-05T09:30:00.123+02:00');
    ok(m31, 'WhenSchema', '2026-01-05t09:30:00z');
    ok(m31, 'WhenSchema', '2016-12-31T23:59:60Z');
    bad(m31, 'WhenSchema', '2026-01-05T09:30:00');
    bad(m31, 'WhenSchema', '2026-01-05T24:30:00Z');
    bad(m31, 'WhenSchema', '2026-01-05');
    ok(m31, 'DaySchema', '2026-01-05');
    ok(m31, 'DaySchema', '2028-02-29');
    bad(m31, 'DaySchema', '2026-02-29');
    bad(m31, 'DaySchema', '2026-13-05');
    ok(m31, 'LinkSchema', 'https://example.com/x');
    bad(m31, 'LinkSchema', 'not a url');
    ok(m31, 'PhoneSchema', '+1 555 0102');
    ok(m31, 'PhoneSchema', null);
    bad(m31, 'PhoneSchema', 'abc');
  });

  it('enums and const, including null members', () => {
    ok(m31, 'StatusSchema', 'open');
    bad(m31, 'StatusSchema', 'pending');
    for (const v of [1, 'two', true, null]) ok(m31, 'MixedEnumSchema', v);
    bad(m31, 'MixedEnumSchema', 2);
    ok(m31, 'KindSchema', 'widget');
    bad(m31, 'KindSchema', 'gadget');
  });

  it('numeric bounds: inclusive, exclusive (3.1 numbers and 3.0 booleans) and multipleOf', () => {
    ok(m31, 'CountSchema', 10);
    bad(m31, 'CountSchema', 11);
    bad(m31, 'CountSchema', 1.5);
    ok(m31, 'RatioSchema', 0.5);
    bad(m31, 'RatioSchema', 0);
    bad(m31, 'RatioSchema', 0.3);
    ok(m30, 'BoundSchema', 2.5);
    bad(m30, 'BoundSchema', 0);
    bad(m30, 'BoundSchema', 5);
  });

  it('arrays: bounds, uniqueItems and prefixItems tuples', () => {
    ok(m31, 'TagsSchema', ['a', 'b']);
    bad(m31, 'TagsSchema', []);
    bad(m31, 'TagsSchema', ['a', 'a']);
    ok(m31, 'BagSchema', [
      { a: 1, b: 2 },
      { a: 1, b: 3 },
    ]);
    bad(m31, 'BagSchema', [
      { a: 1, b: 2 },
      { b: 2, a: 1 },
    ]);
    bad(m31, 'TagsSchema', ['a', 'b', 'c', 'd']);
    ok(m31, 'PairSchema', ['a', 1]);
    bad(m31, 'PairSchema', ['a', 1, 2]);
  });

  it('objects: additionalProperties false / absent / schema, required, minProperties, defaults', () => {
    ok(m31, 'ClosedSchema', { a: 'x' });
    expect(z31.ClosedSchema!.safeParse({ a: 'x' }).data).toEqual({ a: 'x', b: 5 });
    bad(m31, 'ClosedSchema', { a: 'x', extra: 1 });
    bad(m31, 'ClosedSchema', {});
    expect(z31.OpenSchema!.safeParse({ a: 'x', extra: 1 }).data).toEqual({ a: 'x', extra: 1 });
    ok(m31, 'DictSchema', { x: 1, y: 2 });
    bad(m31, 'DictSchema', { x: 'one' });
    ok(m31, 'MixedSchema', { a: 1, b: 2 });
    bad(m31, 'MixedSchema', { a: 1, b: 'two' });
    bad(m31, 'PatchSchema', {});
    ok(m31, 'PatchSchema', { x: 'a' });
    bad(m31, 'PatchSchema', { x: 'a', y: 'b', z: 'c' });
    ok(m31, 'weird_name_v2Schema', { 'kebab-key': 'k' });
    ok(m31, 'DeepSchema', { sub: 'inlined' });
    bad(m31, 'DeepSchema', { sub: 1 });
    expect(z30.WithDefaultSchema!.safeParse({}).data).toEqual({ limit: 20, flag: false });
  });

  it('oneOf / anyOf as unions, allOf as intersections, nullable refs', () => {
    ok(m31, 'ShapeSchema', { kind: 'circle', r: 1 });
    ok(m31, 'ShapeSchema', { kind: 'square', side: 2 });
    bad(m31, 'ShapeSchema', { kind: 'triangle' });
    ok(m31, 'AnyIdSchema', 'x');
    ok(m31, 'AnyIdSchema', 3);
    bad(m31, 'AnyIdSchema', true);
    ok(m31, 'NamedSchema', { name: 'n', a: 'x' });
    bad(m31, 'NamedSchema', { a: 'x' });
    ok(m31, 'NullableRefSchema', null);
    ok(m31, 'NullableRefSchema', { a: 'x' });
  });

  it('3.0 nullable, including enums and anyOf with a $ref', () => {
    ok(m30, 'MaybeSchema', null);
    ok(m30, 'MaybeEnumSchema', null);
    ok(m30, 'MaybeEnumSchema', 'a');
    bad(m30, 'MaybeEnumSchema', 'c');
    ok(m30, 'ExpandableSchema', null);
    ok(m30, 'ExpandableSchema', 'acct_1');
    ok(m30, 'ExpandableSchema', { id: 'acct_1', parent: { id: 'acct_0', parent: null } });
    ok(m30, 'EmptySchema', { anything: true });
  });

  it('recursion through z.lazy: self-reference and a two-schema cycle', () => {
    ok(m31, 'TreeSchema', { value: 1, children: [{ value: 2, children: [] }] });
    bad(m31, 'TreeSchema', { value: 1, children: [{ value: 'two', children: [] }] });
    ok(m31, 'PingSchema', { pong: { ping: { pong: {} } } });
    bad(m31, 'PingSchema', { pong: { ping: { pong: 5 } } });
    ok(m31, 'AnythingSchema', { whatever: [1, 'x'] });
  });

  it('orders schemas dependencies-first and finds cycles', () => {
    const { order, cyclic } = orderSchemas({
      A: { $ref: '#/components/schemas/B' },
      B: { type: 'string' },
      C: { properties: { d: { $ref: '#/components/schemas/D' } } },
      D: { items: { $ref: '#/components/schemas/C' } },
    });
    expect(order.indexOf('B')).toBeLessThan(order.indexOf('A'));
    expect([...(cyclic.get('C') ?? [])].sort()).toEqual(['C', 'D']);
    expect(cyclic.has('A')).toBe(false);
  });
});
