/**
 * Numbers in the string-typed parts of a request (query, path, headers) must be plain decimal.
 * Ajv's type coercion alone would also take `0x10`, `1e2`, ` 5`, `5 ` or `+5`; a leading `-` is
 * accepted only where the schema admits negative values. Leading zeros are fine (`05` is 5).
 */
import type { ErrorObject } from 'ajv';

type Schema = Record<string, unknown>;

const PATTERNS = {
  integer: { unsigned: /^\d+$/, signed: /^-?\d+$/ },
  number: { unsigned: /^\d+(?:\.\d+)?$/, signed: /^-?\d+(?:\.\d+)?$/ },
} as const;

function numericKind(schema: Schema): keyof typeof PATTERNS | undefined {
  const types = Array.isArray(schema.type) ? (schema.type as unknown[]) : [schema.type];
  if (types.includes('integer')) return 'integer';
  if (types.includes('number')) return 'number';
  return undefined;
}

function admitsNegatives(schema: Schema): boolean {
  if (typeof schema.minimum === 'number' && schema.minimum >= 0) return false;
  if (typeof schema.exclusiveMinimum === 'number' && schema.exclusiveMinimum >= 0) return false;
  return true;
}

/** Ajv-shaped errors for each numeric property of `data` whose text is not plain decimal. */
export function decimalParameterErrors(schema: Schema, data: unknown): ErrorObject[] {
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (!properties || data === null || typeof data !== 'object') return [];
  const errors: ErrorObject[] = [];
  for (const [name, property] of Object.entries(properties)) {
    const kind = numericKind(property);
    const value = (data as Record<string, unknown>)[name];
    if (!kind || value === undefined) continue;
    const pattern = PATTERNS[kind][admitsNegatives(property) ? 'signed' : 'unsigned'];
    const texts = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
    if (texts.every((text) => pattern.test(text))) continue;
    errors.push({
      instancePath: `/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`,
      schemaPath: `#/properties/${name}/type`,
      keyword: 'type',
      params: { type: kind },
      message: `must be a ${kind === 'integer' ? 'decimal integer' : 'decimal number'}`,
    });
  }
  return errors;
}
