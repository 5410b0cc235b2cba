import { describe, expect, it } from 'vitest';
import { decimalParameterErrors } from './decimal-parameters.ts';
import { createValidatorCompiler, toFieldErrors } from './validator-compiler.ts';

const LIMIT_QUERY = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    offset: { type: 'integer' },
    ratio: { type: 'number', exclusiveMinimum: 0 },
    q: { type: 'string' },
  },
  additionalProperties: false,
};

const rejected = (data: Record<string, unknown>): string[] =>
  decimalParameterErrors(LIMIT_QUERY, data).map((error) => error.instancePath);

describe('decimalParameterErrors', () => {
  it.each(['5', '05', '100', '0', '007'])('accepts %j: decimal digits, leading zeros included', (limit) => {
    expect(rejected({ limit })).toEqual([]);
  });

  it.each(['0x10', '1e2', ' 5', '5 ', '+5', '-5', '5.0', '', '0b1', '0o7', 'Infinity', 'NaN', '١', '５', '5\n'])(
    'refuses %j for a non-negative integer',
    (limit) => {
      expect(rejected({ limit })).toEqual(['/limit']);
    },
  );

  it('takes a leading minus only where the schema admits negative values', () => {
    expect(rejected({ offset: '-5' })).toEqual([]);
    expect(rejected({ offset: '--5' })).toEqual(['/offset']);
    expect(rejected({ offset: '-0x5' })).toEqual(['/offset']);
  });

  it('accepts a decimal fraction for a number, never an exponent', () => {
    expect(rejected({ ratio: '0.5' })).toEqual([]);
    expect(rejected({ ratio: '2' })).toEqual([]);
    expect(rejected({ ratio: '-0.5' })).toEqual(['/ratio']);
    expect(rejected({ ratio: '5e-1' })).toEqual(['/ratio']);
    expect(rejected({ ratio: '.5' })).toEqual(['/ratio']);
  });

  it('checks every value of a repeated parameter, and leaves other types and absent ones alone', () => {
    expect(rejected({ limit: ['5', '0x10'] })).toEqual(['/limit']);
    expect(rejected({ limit: ['5', '6'] })).toEqual([]);
    expect(rejected({ q: '0x10' })).toEqual([]);
    expect(rejected({})).toEqual([]);
  });
});

describe('the validator compiler for query strings', () => {
  const validate = createValidatorCompiler()({ schema: LIMIT_QUERY, httpPart: 'querystring', url: '/', method: 'GET' });

  it('refuses text ajv would coerce, with a field error naming the parameter', () => {
    expect(validate({ limit: '0x10' })).toBe(false);
    const errors = toFieldErrors((validate as unknown as { errors: Parameters<typeof toFieldErrors>[0] }).errors);
    expect(errors).toEqual([{ path: '/limit', message: 'must be a decimal integer' }]);
  });

  it('still coerces decimal text, and applies defaults', () => {
    const query: Record<string, unknown> = { limit: '05' };
    expect(validate(query)).toBe(true);
    expect(query).toEqual({ limit: 5 });
    const empty: Record<string, unknown> = {};
    expect(validate(empty)).toBe(true);
    expect(empty).toEqual({ limit: 20 });
  });

  it('leaves bodies to ajv without coercion', () => {
    const body = createValidatorCompiler()({ schema: LIMIT_QUERY, httpPart: 'body', url: '/', method: 'POST' });
    expect(body({ limit: 5 })).toBe(true);
    expect(body({ limit: '5' })).toBe(false);
  });
});
