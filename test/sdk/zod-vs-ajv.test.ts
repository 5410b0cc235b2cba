/**
 * Differential property test: for every component schema of the CRM spec, the generated zod schema
 * accepts exactly what ajv accepts, configured as the CRM configures it (crm/spec/ajv.ts: ajv 8 +
 * ajv-formats, strict off; rebuilt here because crm/ only exports server.ts to others). Values
 * come from a small schema-directed generator that aims at the edges: bounds ±1, near-miss formats,
 * missing required keys, extra keys, wrong types.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { REPO_ROOT } from '../../sdk/codegen/generate.ts';
import { schemas as zodSchemas } from '../../sdk/generated/zod.ts';

type Json = Record<string, unknown>;

type FormatsPlugin = (ajv: Ajv) => Ajv;
// ajv-formats is CJS with `exports.default`; under NodeNext the callable may sit on `.default`.
const formatsModule = addFormatsModule as unknown as FormatsPlugin | { default: FormatsPlugin };
const addFormats: FormatsPlugin = typeof formatsModule === 'function' ? formatsModule : formatsModule.default;

function createSpecAjv(): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateFormats: true,
    coerceTypes: false,
    useDefaults: false,
    removeAdditional: false,
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'example' });
  return ajv;
}

const doc = parse(readFileSync(path.join(REPO_ROOT, 'specs', 'crm.openapi.yaml'), 'utf8')) as Json;
const components = (doc.components as { schemas: Record<string, Json> }).schemas;

const FORMAT_SAMPLES: Record<string, string[]> = {
  uuid: [
    '7f0c1d2e-3a4b-4c5d-8e6f-708192a3b4c5',
    '7F0C1D2E-3A4B-4C5D-8E6F-708192A3B4C5',
    '7f0c1d2e3a4b4c5d8e6f708192a3b4c5',
    'urn:uuid:7f0c1d2e-3a4b-4c5d-8e6f-708192a3b4c5',
    'nope',
  ],
  email: [
    'dana@whitfield.example',
    'a@localhost',
    'a..b@x.example',
    'x',
    'first.last+tag@sub.example.co',
    '@x.example',
  ],
  'date-time': [
    '2026-01-05T09:30:00Z',
    '2026-01-05t09:30:00z',
    '2026-01-05 09:30:00+02:00',
    '2026-01-05T09:30:00+0200',
    '2026-01-05T09:30:00',
    '2026-02-30T00:00:00Z',
    '2016-12-31T23:59:60Z',
    '2026-01-05T25:00:00Z',
    '2026-01-05',
  ],
  date: ['2026-01-05', '2028-02-29', '2026-02-29', '2026-1-5', '2026-13-01', '2026-01-05T00:00:00Z'],
  'uri-reference': [
    'https://tenantproof.dev/problems/not-found',
    '/relative/path',
    'has space',
    'about:blank',
    '#frag',
    '\\back',
  ],
};

/** A generator of mostly-near-valid values for a schema. */
function arb(schema: unknown, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 6 || schema === null || typeof schema !== 'object') return fc.jsonValue();
  const s = schema as Json;
  if (typeof s.$ref === 'string') return arb(components[s.$ref.split('/').pop()!], depth + 1);
  if (Array.isArray(s.oneOf)) return fc.oneof(...s.oneOf.map((m) => arb(m, depth + 1)));
  if (Array.isArray(s.enum)) return fc.oneof(fc.constantFrom(...s.enum), fc.constantFrom('other', 0, null));
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : [];
  if (types.length > 1) return fc.oneof(...types.map((t) => arb({ ...s, type: t }, depth)));
  switch (types[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min = typeof s.minimum === 'number' ? s.minimum : -1000;
      const max = typeof s.maximum === 'number' ? s.maximum : 1000;
      const edges = fc.constantFrom(min - 1, min, max, max + 1, 0.5, -0.0);
      const inRange = fc.integer({ min: Math.max(min, -1e9), max: Math.min(max, 1e9) });
      return fc.oneof(
        { arbitrary: inRange, weight: 8 },
        { arbitrary: edges, weight: 1 },
        { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), weight: 1 },
      );
    }
    case 'string': {
      const samples = typeof s.format === 'string' ? FORMAT_SAMPLES[s.format] : undefined;
      // The first sample is canonical and valid; favour it so whole objects are valid often enough.
      if (samples)
        return fc.oneof(
          { arbitrary: fc.constant(samples[0]!), weight: 3 },
          { arbitrary: fc.constantFrom(...samples), weight: 2 },
        );
      if (typeof s.pattern === 'string')
        return fc.oneof(fc.stringMatching(new RegExp(s.pattern, 'u')), fc.string({ maxLength: 25 }));
      const min = typeof s.minLength === 'number' ? s.minLength : 0;
      const max = typeof s.maxLength === 'number' ? s.maxLength : 30;
      // Astral characters count once for JSON Schema (code points) but twice for String#length.
      const edges = fc.constantFrom(
        '',
        'x'.repeat(max),
        'x'.repeat(max + 1),
        '😀'.repeat(Math.max(min, 1)),
        '😀'.repeat(max),
        '😀'.repeat(max + 1),
      );
      return fc.oneof(
        { arbitrary: fc.string({ minLength: min, maxLength: Math.min(max, 60) }), weight: 6 },
        {
          arbitrary: fc.string({ unit: 'grapheme', minLength: Math.max(0, min - 1), maxLength: Math.min(max + 1, 60) }),
          weight: 1,
        },
        { arbitrary: edges, weight: 2 },
      );
    }
    case 'array': {
      const min = typeof s.minItems === 'number' ? s.minItems : 0;
      const max = typeof s.maxItems === 'number' ? s.maxItems : 3;
      return fc.array(arb(s.items, depth + 1), { minLength: Math.max(0, min - 1), maxLength: Math.min(max + 1, 6) });
    }
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const required = new Set((s.required as string[] | undefined) ?? []);
      const shape = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, arb(v, depth + 1)]));
      const record = fc.record(shape, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) });
      const dropOne = fc.tuple(record, fc.nat()).map(([o, i]) => {
        const keys = Object.keys(o);
        if (keys.length === 0) return o;
        const { [keys[i % keys.length]!]: _dropped, ...rest } = o as Json;
        return rest;
      });
      const extra = fc
        .tuple(record, fc.constantFrom('tenantId', 'extra', 'id'))
        .map(([o, k]) => ({ ...(o as Json), [k]: 'x' }));
      return fc.oneof(
        { arbitrary: record, weight: 4 },
        { arbitrary: dropOne, weight: 1 },
        { arbitrary: extra, weight: 1 },
      );
    }
    default:
      return fc.jsonValue();
  }
}

describe('generated zod schemas accept exactly what the CRM’s ajv accepts', () => {
  const ajv = createSpecAjv();
  ajv.addSchema({ components: doc.components }, 'crm');
  const names = Object.keys(components);

  it('covers every component schema', () => {
    expect(Object.keys(zodSchemas).sort()).toEqual([...names].sort());
  });

  it.each(names)('%s', (name) => {
    const validate = ajv.getSchema(`crm#/components/schemas/${name}`)!;
    const zodSchema = zodSchemas[name as keyof typeof zodSchemas] as { safeParse(v: unknown): { success: boolean } };
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.oneof({ arbitrary: arb(components[name]), weight: 9 }, { arbitrary: fc.jsonValue(), weight: 1 }),
        (value) => {
          const byAjv = validate(structuredClone(value)) === true;
          const byZod = zodSchema.safeParse(structuredClone(value)).success;
          if (byAjv) accepted++;
          else rejected++;
          expect({ value, zod: byZod }).toEqual({ value, zod: byAjv });
        },
      ),
      { numRuns: 300, seed: 20260105 },
    );
    expect(rejected).toBeGreaterThan(0);
    if (!['Problem'].includes(name))
      expect(accepted, `${name}: the generator never produced a valid value`).toBeGreaterThan(0);
  });
});
