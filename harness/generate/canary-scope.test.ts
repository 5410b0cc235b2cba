/**
 * Arbitraries built once per schema, canaries drawn per record: every value carries its own
 * record's canary, when generated and when shrunk, and the schema's arbitraries are not rebuilt.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RefResolver } from '../openapi/index.ts';
import { uuidFromCanary } from './canary.ts';
import { CanaryScopeError } from './canary-scope.ts';
import { recordArbitrary } from './record-arbitrary.ts';
import { schemaArbitrary, schemaTemplate, UnsatisfiableSchemaError } from './schema-arbitrary.ts';

const SEED = 2026_12;
const resolver: RefResolver = { lookup: () => undefined };

const schema = {
  type: 'object',
  required: ['name', 'email', 'ref', 'site', 'code', 'notes', 'secret'],
  properties: {
    name: { type: 'string', maxLength: 60 },
    email: { type: 'string', format: 'email' },
    ref: { type: 'string', format: 'uuid' },
    site: { type: 'string', format: 'uri' },
    // Canaries have digits after the tenant tag: some match this pattern (the canary itself is
    // used), others do not (a string drawn from the pattern).
    code: { type: 'string', pattern: '^tp[A-Z][0-9]+[a-z]+$' },
    notes: { type: 'array', minItems: 2, maxItems: 4, items: { type: 'string', maxLength: 80 } },
    secret: { type: 'string', format: 'password', maxLength: 40 },
  },
};

interface Body {
  name: string;
  email: string;
  ref: string;
  site: string;
  code: string;
  notes: string[];
  secret: string;
}

function expectCarries(value: Body, canary: string): void {
  expect(value.name.startsWith(canary)).toBe(true);
  expect(value.email).toMatch(new RegExp(`^${canary.toLowerCase()}\\.\\d+@t1\\.example$`));
  expect(value.ref).toBe(uuidFromCanary(canary, 'ref'));
  expect(value.site).toMatch(new RegExp(`^https://t1\\.example/${canary}/\\d+$`));
  for (const note of value.notes) expect(note.startsWith(canary)).toBe(true);
  expect(value.secret).toBe(`${canary}Aa1!`);
  if (/^tp[A-Z][0-9]+[a-z]+$/.test(canary)) expect(value.code).toBe(canary);
  else expect(value.code).toMatch(/^tp[A-Z][0-9]+[a-z]+$/);
}

describe('records drawn from a template built once per schema', () => {
  it('reuses the template for the same schema and options, and builds another for other options', () => {
    const a = schemaTemplate(schema, { resolver, tag: 't1', canaryLength: 14 });
    expect(schemaTemplate(schema, { resolver, tag: 't1', canaryLength: 14 })).toBe(a);
    expect(schemaTemplate(schema, { resolver, tag: 't2', canaryLength: 14 })).not.toBe(a);
    expect(schemaTemplate(schema, { resolver, tag: 't1', canaryLength: 14, direction: 'response' })).not.toBe(a);
    expect(schemaTemplate({ ...schema }, { resolver, tag: 't1', canaryLength: 14 })).not.toBe(a);
  });

  it('gives every record its own canary in every field that carries one (property)', () => {
    const records = fc.sample(recordArbitrary(schema, resolver, 'T1', { optional: 'all' }), {
      seed: SEED,
      numRuns: 300,
    });
    const canaries = new Set(records.map((r) => r.canary));
    expect(canaries.size).toBe(records.length);
    const codesFromCanary = records.filter((r) => (r.value as Body).code === r.canary).length;
    // Both branches of the pattern field are exercised by these seeds.
    expect(codesFromCanary).toBeGreaterThan(0);
    expect(codesFromCanary).toBeLessThan(records.length);
    for (const r of records) expectCarries(r.value as Body, r.canary);
  });

  it('keeps the canary a value was generated with while shrinking it', () => {
    const seen: string[] = [];
    const result = fc.check(
      fc.property(recordArbitrary(schema, resolver, 'T1', { optional: 'all' }), (r) => {
        seen.push(r.canary);
        expectCarries(r.value as Body, r.canary);
        return (r.value as Body).notes.length < 3;
      }),
      { seed: SEED, numRuns: 200 },
    );
    expect(result.failed).toBe(true);
    expect(result.numShrinks).toBeGreaterThan(0);
    const [r] = result.counterexample as [{ canary: string; value: Body }];
    expect(r.value.notes).toHaveLength(3);
    expectCarries(r.value, r.canary);
  });

  it('schemaArbitrary with a fixed canary puts that canary everywhere', () => {
    for (const v of fc.sample(schemaArbitrary(schema, { resolver, canary: 'tpT1abcdefghij' }), {
      seed: SEED,
      numRuns: 50,
    }))
      expectCarries(v as Body, 'tpT1abcdefghij');
  });

  it('refuses to draw a canary-carrying template outside a record', () => {
    const template = schemaTemplate(schema, { resolver, tag: 't1', canaryLength: 14 });
    expect(() => fc.sample(template, { seed: SEED, numRuns: 1 })).toThrow(CanaryScopeError);
  });
});

describe('a record of a schema no value satisfies', () => {
  it('fails when a record is drawn, as before, not when its arbitrary is made', () => {
    const unsatisfiable = { type: 'object', minProperties: 3, properties: { a: { type: 'string' } } };
    const records = recordArbitrary(unsatisfiable, resolver, 'T1');
    expect(() => fc.sample(records, { seed: SEED, numRuns: 1 })).toThrow(UnsatisfiableSchemaError);
  });
});
