/** The JSON Schema -> fast-check translation on hand-made schemas, each checked by ajv. */
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { schemaArbitrary, UnsatisfiableSchemaError } from './index.ts';
import type { RefResolver } from '../openapi/index.ts';

type FormatsPlugin = (ajv: Ajv) => Ajv;
const formatsModule = addFormatsModule as unknown as FormatsPlugin | { default: FormatsPlugin };
const addFormats: FormatsPlugin = typeof formatsModule === 'function' ? formatsModule : formatsModule.default;

const SEED = 4242;
const components: Record<string, unknown> = {
  Node: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', maxLength: 30 },
      children: { type: 'array', items: { $ref: '#/components/schemas/Node' } },
    },
  },
  Base: {
    type: 'object',
    required: ['id'],
    properties: {
      id: { type: 'string', format: 'uuid', readOnly: true },
      label: { type: 'string', minLength: 3, maxLength: 30 },
    },
  },
};
const root = { components: { schemas: components } };
const resolver: RefResolver = {
  lookup: (ref) =>
    ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root),
};

function check(
  schema: Record<string, unknown>,
  dialect: '3.0' | '3.1' = '3.1',
  canary = 'tpT1abcdefghij',
  runs = 100,
): unknown[] {
  const ajv = dialect === '3.1' ? new Ajv2020({ strict: false }) : new Ajv({ strict: false });
  addFormats(ajv as unknown as Ajv);
  const validate = ajv.compile({ ...schema, components: root.components });
  const values: unknown[] = [];
  fc.assert(
    fc.property(schemaArbitrary(schema, { resolver, canary }), (value) => {
      values.push(value);
      if (!validate(value)) throw new Error(`${JSON.stringify(value)}: ${JSON.stringify(validate.errors)}`);
    }),
    { seed: SEED, numRuns: runs },
  );
  return values;
}

describe('schemaArbitrary', () => {
  it('generates formats that ajv-formats accepts', () => {
    for (const format of [
      'email',
      'uuid',
      'date',
      'date-time',
      'time',
      'uri',
      'uri-reference',
      'hostname',
      'ipv4',
      'ipv6',
    ])
      check({ type: 'string', format });
  });

  it('builds conservative emails carrying the canary', () => {
    const values = check({ type: 'string', format: 'email', maxLength: 254 });
    for (const v of values) expect(v).toMatch(/^tpt1abcdefghij\.\d+@t1\.example$/);
  });

  it('respects enum, const, bounds and multipleOf', () => {
    check({ type: 'string', enum: ['a', 'b'] });
    check({ const: 42 });
    check({ type: 'integer', minimum: -5, maximum: 5 });
    check({ type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 3 });
    check({ type: 'number', minimum: 0.5, maximum: 2, multipleOf: 0.25 });
    // OpenAPI 3.0's boolean exclusiveMinimum (ajv only knows the numeric form).
    const open = fc.sample(
      schemaArbitrary({ type: 'integer', minimum: 10, maximum: 100, exclusiveMinimum: true }, { resolver }),
      { seed: SEED, numRuns: 200 },
    );
    for (const v of open) expect(v).toBeGreaterThan(10);
  });

  it('satisfies patterns, including with length bounds', () => {
    check({ type: 'string', pattern: '^[A-Z]{2}$' });
    check({ type: 'string', pattern: '^\\+?[0-9][0-9 ()-]{6,19}$' });
    check({ type: 'string', pattern: '^[a-z0-9-]+$', minLength: 3, maxLength: 12 });
  });

  it('puts the canary in free text and pads or drops it to fit the length', () => {
    const free = check({ type: 'string', minLength: 1, maxLength: 200 });
    for (const v of free) expect(v).toContain('tpT1abcdefghij');
    const short = check({ type: 'string', maxLength: 8 });
    for (const v of short) expect(v).not.toContain('tpT1');
    const long = check({ type: 'string', minLength: 40, maxLength: 45 });
    for (const v of long) expect((v as string).length).toBeGreaterThanOrEqual(40);
    const off = check({ type: 'string', 'x-tenantproof-canary': false });
    for (const v of off) expect(v).not.toContain('tpT1');
  });

  it('handles 3.0 nullable and 3.1 type arrays', () => {
    const a = check({ type: 'string', nullable: true, maxLength: 20 }, '3.0');
    const b = check({ type: ['integer', 'null'], maximum: 3 });
    expect(a).toContain(null);
    expect(b).toContain(null);
    expect(b.some((v) => typeof v === 'number')).toBe(true);
  });

  it('handles oneOf, anyOf and allOf', () => {
    check({ oneOf: [{ $ref: '#/components/schemas/Node' }, { type: 'null' }] });
    check({ anyOf: [{ type: 'string', maxLength: 5 }, { type: 'integer' }] });
    const merged = check({
      allOf: [
        { $ref: '#/components/schemas/Base' },
        { type: 'object', required: ['extra'], properties: { extra: { type: 'boolean' } } },
      ],
    });
    for (const v of merged as Record<string, unknown>[]) expect(typeof v.extra).toBe('boolean');
  });

  it('handles arrays with bounds and uniqueItems', () => {
    const values = check({
      type: 'array',
      minItems: 2,
      maxItems: 4,
      uniqueItems: true,
      items: { type: 'string', maxLength: 40 },
    });
    for (const v of values as string[][]) {
      expect(v.length).toBeGreaterThanOrEqual(2);
      expect(new Set(v).size).toBe(v.length);
    }
  });

  it('handles required, optional, minProperties and additionalProperties: false', () => {
    const values = check({
      type: 'object',
      additionalProperties: false,
      minProperties: 2,
      required: ['a'],
      properties: { a: { type: 'string' }, b: { type: 'integer' }, c: { type: 'boolean' } },
    });
    expect(values.some((v) => Object.keys(v as object).length === 3)).toBe(true);
  });

  it('skips readOnly properties in requests and keeps required ones', () => {
    const values = check({ $ref: '#/components/schemas/Base' });
    for (const v of values as Record<string, unknown>[]) expect(typeof v.id).toBe('string');
    const noId = check({
      type: 'object',
      properties: { id: { type: 'string', readOnly: true }, name: { type: 'string' } },
    });
    for (const v of noId as Record<string, unknown>[]) expect(v).not.toHaveProperty('id');
  });

  it('terminates on recursive schemas', () => {
    check({ $ref: '#/components/schemas/Node' }, '3.1', 'tpT1abcdefghij', 50);
  });

  it('throws a typed error for an unsatisfiable object', () => {
    expect(() =>
      schemaArbitrary({ type: 'object', minProperties: 3, properties: { a: { type: 'string' } } }, { resolver }),
    ).toThrow(UnsatisfiableSchemaError);
  });
});

describe('schemaArbitrary time range', () => {
  it('keeps dates and date-times inside the given range, and ranges in order', () => {
    const min = Date.UTC(2030, 0, 1);
    const max = Date.UTC(2030, 0, 31);
    const schema = {
      type: 'object',
      required: ['startsAt', 'endsAt', 'day'],
      properties: {
        startsAt: { type: 'string', format: 'date-time' },
        endsAt: { type: 'string', format: 'date-time' },
        day: { type: 'string', format: 'date' },
      },
    };
    for (const v of fc.sample(schemaArbitrary(schema, { resolver, timeRange: { min, max } }), {
      seed: SEED,
      numRuns: 100,
    }) as Record<string, string>[]) {
      for (const t of [v.startsAt!, v.endsAt!, `${v.day}T00:00:00Z`]) {
        expect(Date.parse(t)).toBeGreaterThanOrEqual(min);
        expect(Date.parse(t)).toBeLessThanOrEqual(max + 3_600_000);
      }
      expect(Date.parse(v.endsAt!)).toBeGreaterThan(Date.parse(v.startsAt!));
    }
  });
});

describe('schemaArbitrary fallbacks', () => {
  it('reports what it cannot honour and still generates a value', () => {
    const notes: string[] = [];
    const schema = {
      type: 'object',
      required: ['a', 'b'],
      properties: { a: { type: 'string', format: 'x-custom' }, b: { type: 'string', pattern: '(?<=x)y[' } },
    };
    const values = fc.sample(
      schemaArbitrary(schema, { resolver, onFallback: (field, detail) => notes.push(`${field}: ${detail}`) }),
      { seed: SEED, numRuns: 5 },
    );
    expect(values).toHaveLength(5);
    expect(notes).toEqual([
      'a: format "x-custom" is not known; free text used',
      'b: pattern "(?<=x)y[" does not compile in JavaScript; ignored',
    ]);
  });
});
