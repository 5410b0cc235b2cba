/**
 * JSON Schema / OpenAPI 3.0 and 3.1 Schema Objects → zod 4 source code.
 *
 * One exported const per component schema (`<Name>Schema`), declared after everything it depends
 * on. Schemas in a reference cycle get an explicit `z.ZodType<components['schemas'][Name]>`
 * annotation (TypeScript cannot infer a self-referential const) and every reference inside the cycle
 * is `z.lazy`. Semantics follow JSON Schema: an object without `additionalProperties` accepts extra
 * keys (`z.looseObject`), `additionalProperties: false` rejects them (`z.strictObject`). Formats are
 * checked exactly as ajv-formats checks them (see formats.ts), so the SDK neither rejects what a
 * JSON Schema validator accepts nor accepts what it rejects.
 */
import { FormatRegistry } from './formats.ts';
import { orderSchemas } from './ref-graph.ts';
import { componentSchemaName, isObject, resolvePointer, type OpenApiDocument, type SchemaNode } from './spec.ts';

export interface ZodEmitOptions {
  /** Module specifier of the openapi-typescript output, used for the annotations of recursive schemas. */
  typesImport: string;
  /** Header comment placed first in the file. */
  header: string;
}

export interface ZodEmitResult {
  code: string;
  /** Component schema name → exported const name. */
  constNames: Map<string, string>;
  /** Keywords met but not expressible in zod, with counts (reported by the generator). */
  skipped: Map<string, number>;
}

type Schema = Record<string, unknown>;

const RESERVED = new Set(['z', 'components', 'schemas', '__unique', '__minProps', '__maxProps']);

export function constNameFor(name: string, taken: Set<string>): string {
  let base = name.replace(/[^A-Za-z0-9_$]/g, '_');
  if (/^[0-9]/.test(base)) base = `_${base}`;
  base = `${base}Schema`;
  let candidate = base;
  for (let i = 2; taken.has(candidate) || RESERVED.has(candidate); i++) candidate = `${base}${i}`;
  taken.add(candidate);
  return candidate;
}

function propertyKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
}

function lit(value: unknown): string {
  return JSON.stringify(value);
}

/** A pattern as a JS RegExp literal expression, or undefined if JavaScript cannot compile it. */
function regexExpression(pattern: string): string | undefined {
  for (const flags of ['u', '']) {
    try {
      new RegExp(pattern, flags);
      return `new RegExp(${lit(pattern)}${flags ? `, ${lit(flags)}` : ''})`;
    } catch {
      // try the next flag set
    }
  }
  return undefined;
}

/** uniqueItems with JSON Schema equality: objects are equal whatever their key order. */
const UNIQUE_HELPER = `const __canonical = (value: unknown): string =>
  Array.isArray(value)
    ? \`[\${value.map(__canonical).join(',')}]\`
    : value !== null && typeof value === 'object'
      ? \`{\${Object.keys(value).sort().map((k) => \`\${JSON.stringify(k)}:\${__canonical((value as Record<string, unknown>)[k])}\`).join(',')}}\`
      : JSON.stringify(value);
const __unique = (items: readonly unknown[]): boolean => new Set(items.map(__canonical)).size === items.length;`;

class Emitter {
  private readonly constNames = new Map<string, string>();
  readonly skipped = new Map<string, number>();
  private readonly is30: boolean;
  /** Members of the cycle being emitted, whose references must be lazy. */
  private currentCycle: Set<string> | undefined;
  /** Non-component $refs being inlined, to stop infinite expansion. */
  private readonly inlining = new Set<string>();
  /** Nesting depth of object literals, for indentation. */
  private depth = 0;
  /** Format helpers the emitted code uses. */
  readonly formats = new FormatRegistry();

  constructor(
    private readonly doc: OpenApiDocument,
    /** Prefix for references to component consts (e.g. `Z.` when they live in another module). */
    private readonly refPrefix = '',
  ) {
    this.is30 = doc.openapi.startsWith('3.0');
    const taken = new Set<string>();
    for (const name of Object.keys(doc.components?.schemas ?? {})) this.constNames.set(name, constNameFor(name, taken));
  }

  private skip(keyword: string): void {
    this.skipped.set(keyword, (this.skipped.get(keyword) ?? 0) + 1);
  }

  emitModule(options: ZodEmitOptions): ZodEmitResult {
    const schemas = (this.doc.components?.schemas ?? {}) as Record<string, SchemaNode>;
    const { order, cyclic } = orderSchemas(schemas);
    const body: string[] = [];
    let needsTypes = false;
    for (const name of order) {
      const constName = this.constNames.get(name)!;
      const schema = schemas[name]!;
      this.currentCycle = cyclic.get(name);
      const expr = this.emit(schema);
      const doc = isObject(schema) ? docComment(schema) : '';
      if (this.currentCycle) {
        needsTypes = true;
        body.push(`${doc}export const ${constName}: z.ZodType<components["schemas"][${lit(name)}]> = ${expr};`);
      } else {
        body.push(`${doc}export const ${constName} = ${expr};`);
      }
    }
    this.currentCycle = undefined;
    const registry = Object.keys(schemas)
      .map((name) => `  ${propertyKey(name)}: ${this.constNames.get(name)!},`)
      .join('\n');
    const text = body.join('\n\n');
    const helpers = [
      ...this.formats.declarations(),
      text.includes('__unique') ? UNIQUE_HELPER : '',
      text.includes('__minProps')
        ? `const __minProps = (n: number) => (value: object): boolean => Object.keys(value).length >= n;`
        : '',
      text.includes('__maxProps')
        ? `const __maxProps = (n: number) => (value: object): boolean => Object.keys(value).length <= n;`
        : '',
    ].filter(Boolean);
    const code = [
      options.header,
      `import { z } from 'zod';`,
      needsTypes ? `import type { components } from ${lit(options.typesImport)};` : '',
      '',
      ...helpers,
      helpers.length > 0 ? '' : '',
      text,
      '',
      '/** Every component schema, by its name in the spec. */',
      `export const schemas = {\n${registry}\n} as const;`,
      '',
      'export type SchemaName = keyof typeof schemas;',
      '',
    ]
      .filter((line, i, all) => !(line === '' && all[i - 1] === ''))
      .join('\n');
    return { code, constNames: this.constNames, skipped: this.skipped };
  }

  emit(node: unknown): string {
    if (node === true || node === undefined) return 'z.unknown()';
    if (node === false) return 'z.never()';
    if (!isObject(node)) return 'z.unknown()';
    const schema = node;
    if (typeof schema.$ref === 'string') return this.emitRef(schema.$ref, schema);
    let expr = this.emitCore(schema);
    if (schema.nullable === true && !expr.startsWith('z.null()')) expr = `${expr}.nullable()`;
    if ('default' in schema) expr = this.withDefault(expr, schema);
    return expr;
  }

  private emitRef(ref: string, siblings: Schema): string {
    const name = componentSchemaName(ref);
    let expr: string;
    if (name !== undefined && this.constNames.has(name)) {
      const constName = `${this.refPrefix}${this.constNames.get(name)!}`;
      expr = this.currentCycle?.has(name) ? `z.lazy(() => ${constName})` : constName;
    } else {
      if (this.inlining.has(ref)) {
        this.skip('recursive non-component $ref');
        return 'z.unknown()';
      }
      this.inlining.add(ref);
      expr = this.emit(resolvePointer(this.doc, ref));
      this.inlining.delete(ref);
    }
    // OpenAPI 3.1 allows keywords beside $ref; 3.0 ignores them. Only `nullable` is honoured for
    // 3.0 (a common idiom), the rest of the siblings in 3.1 are applied as an intersection.
    const rest = Object.keys(siblings).filter(
      (k) =>
        ![
          '$ref',
          'description',
          'summary',
          'title',
          'example',
          'examples',
          'readOnly',
          'writeOnly',
          'deprecated',
        ].includes(k) && !k.startsWith('x-'),
    );
    if (rest.length === 0) return expr;
    if (this.is30) return siblings.nullable === true ? `${expr}.nullable()` : expr;
    const { $ref: _ignored, ...others } = siblings;
    return `z.intersection(${expr}, ${this.emit(others)})`;
  }

  private emitCore(schema: Schema): string {
    if ('const' in schema) return this.emitLiteral(schema.const);
    if (Array.isArray(schema.enum)) return this.emitEnum(schema.enum);

    const parts: string[] = [];
    const union =
      (Array.isArray(schema.oneOf) ? schema.oneOf : undefined) ??
      (Array.isArray(schema.anyOf) ? schema.anyOf : undefined);
    if (Array.isArray(schema.oneOf) && Array.isArray(schema.anyOf))
      this.skip('oneOf+anyOf (anyOf applied as intersection)');
    const hasOwnShape =
      schema.type !== undefined ||
      isObject(schema.properties) ||
      schema.additionalProperties !== undefined ||
      schema.items !== undefined;
    if (hasOwnShape) parts.push(this.emitTyped(schema));
    if (union) {
      const members = union.map((m) => this.emit(m));
      parts.push(members.length === 1 ? members[0]! : `z.union([${members.join(', ')}])`);
    }
    if (Array.isArray(schema.oneOf) && Array.isArray(schema.anyOf)) {
      const members = schema.anyOf.map((m) => this.emit(m));
      parts.push(members.length === 1 ? members[0]! : `z.union([${members.join(', ')}])`);
    }
    if (Array.isArray(schema.allOf)) for (const member of schema.allOf) parts.push(this.emit(member));
    if ('not' in schema) this.skip('not');
    if (parts.length === 0) return 'z.unknown()';
    // A typed base plus a union whose members are bare $refs of a different type would be an
    // impossible intersection; a plain `type: object` base with no properties adds nothing, so drop it.
    if (parts.length > 1 && hasOwnShape && isBareObjectType(schema)) parts.shift();
    return parts.reduce((acc, part) => `z.intersection(${acc}, ${part})`);
  }

  private emitLiteral(value: unknown): string {
    if (value === null) return 'z.null()';
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      return `z.literal(${lit(value)})`;
    this.skip('const of object or array');
    return `z.unknown().refine((value) => JSON.stringify(value) === ${lit(JSON.stringify(value))})`;
  }

  private emitEnum(values: unknown[]): string {
    const nonNull = values.filter((v) => v !== null);
    const hasNull = nonNull.length !== values.length;
    let expr: string;
    if (nonNull.length === 0) expr = 'z.null()';
    else if (nonNull.every((v) => typeof v === 'string')) expr = `z.enum(${lit([...new Set(nonNull)])})`;
    else {
      const members = nonNull.map((v) => this.emitLiteral(v));
      expr = members.length === 1 ? members[0]! : `z.union([${members.join(', ')}])`;
    }
    if (hasNull && nonNull.length > 0) expr = `${expr}.nullable()`;
    return expr;
  }

  /** A schema with `type` (string or 3.1 array), or an implicit object/array by its keywords. */
  private emitTyped(schema: Schema): string {
    let types: string[];
    if (Array.isArray(schema.type)) types = schema.type.filter((t): t is string => typeof t === 'string');
    else if (typeof schema.type === 'string') types = [schema.type];
    else if (isObject(schema.properties) || schema.additionalProperties !== undefined) types = ['object'];
    else if (schema.items !== undefined) types = ['array'];
    else types = [];
    const nonNull = types.filter((t) => t !== 'null');
    const nullable = nonNull.length !== types.length;
    let expr: string;
    if (nonNull.length === 0) expr = nullable ? 'z.null()' : 'z.unknown()';
    else {
      const members = nonNull.map((t) => this.emitType(t, schema));
      expr = members.length === 1 ? members[0]! : `z.union([${members.join(', ')}])`;
      if (nullable) expr = `${expr}.nullable()`;
    }
    return expr;
  }

  private emitType(type: string, s: Schema): string {
    switch (type) {
      case 'string':
        return this.emitString(s);
      case 'integer':
      case 'number':
        return this.emitNumber(type, s);
      case 'boolean':
        return 'z.boolean()';
      case 'null':
        return 'z.null()';
      case 'array':
        return this.emitArray(s);
      case 'object':
        return this.emitObject(s);
      default:
        this.skip(`type ${type}`);
        return 'z.unknown()';
    }
  }

  private emitString(s: Schema): string {
    let expr = (typeof s.format === 'string' ? this.formats.stringFormat(s.format) : undefined) ?? 'z.string()';
    if (typeof s.minLength === 'number') expr += `.min(${s.minLength})`;
    if (typeof s.maxLength === 'number') expr += `.max(${s.maxLength})`;
    if (typeof s.pattern === 'string') {
      const re = regexExpression(s.pattern);
      if (re) expr += `.regex(${re})`;
      else this.skip('pattern not valid in JavaScript');
    }
    return expr;
  }

  private emitNumber(type: string, s: Schema): string {
    let expr = type === 'integer' ? 'z.int()' : 'z.number()';
    if (typeof s.format === 'string') expr += this.formats.numberFormat(s.format);
    const exMin = s.exclusiveMinimum;
    const exMax = s.exclusiveMaximum;
    if (typeof s.minimum === 'number') expr += exMin === true ? `.gt(${s.minimum})` : `.gte(${s.minimum})`;
    if (typeof s.maximum === 'number') expr += exMax === true ? `.lt(${s.maximum})` : `.lte(${s.maximum})`;
    if (typeof exMin === 'number') expr += `.gt(${exMin})`;
    if (typeof exMax === 'number') expr += `.lt(${exMax})`;
    if (typeof s.multipleOf === 'number') expr += `.multipleOf(${s.multipleOf})`;
    return expr;
  }

  private emitArray(s: Schema): string {
    let expr: string;
    if (Array.isArray(s.prefixItems)) {
      const items = s.prefixItems.map((item) => this.emit(item));
      const rest = s.items === false || s.items === undefined ? '' : `, ${this.emit(s.items)}`;
      expr =
        s.items === undefined ? `z.tuple([${items.join(', ')}], z.unknown())` : `z.tuple([${items.join(', ')}]${rest})`;
    } else {
      expr = `z.array(${this.emit(s.items)})`;
      if (typeof s.minItems === 'number') expr += `.min(${s.minItems})`;
      if (typeof s.maxItems === 'number') expr += `.max(${s.maxItems})`;
    }
    if (s.uniqueItems === true) expr += `.refine(__unique, { message: 'items must be unique' })`;
    return expr;
  }

  private emitObject(s: Schema): string {
    const properties = isObject(s.properties) ? s.properties : {};
    const required = new Set(
      Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : [],
    );
    this.depth++;
    const entries = Object.entries(properties).map(([key, prop]) => {
      let value = this.emit(prop);
      // A property with a default is present after parsing, as openapi-typescript's defaultNonNullable says.
      if (!required.has(key) && !defaultFits(prop)) value = `${value}.optional()`;
      return `${propertyKey(key)}: ${value}`;
    });
    for (const key of required) if (!(key in properties)) entries.push(`${propertyKey(key)}: z.unknown()`);
    const pad = '  '.repeat(this.depth);
    this.depth--;
    const shape =
      entries.length === 0 ? '{}' : `{\n${entries.map((e) => `${pad}${e},`).join('\n')}\n${'  '.repeat(this.depth)}}`;
    const additional = s.additionalProperties;
    if (isObject(s.patternProperties)) this.skip('patternProperties');
    let expr: string;
    if (additional === false) expr = `z.strictObject(${shape})`;
    else if (isObject(additional) && Object.keys(additional).length > 0) {
      const valueExpr = this.emit(additional);
      expr =
        entries.length === 0 ? `z.record(z.string(), ${valueExpr})` : `z.looseObject(${shape}).catchall(${valueExpr})`;
    } else expr = `z.looseObject(${shape})`;
    if (typeof s.minProperties === 'number' && s.minProperties > 0)
      expr += `.refine(__minProps(${s.minProperties}), { message: 'must have at least ${s.minProperties} properties' })`;
    if (typeof s.maxProperties === 'number')
      expr += `.refine(__maxProps(${s.maxProperties}), { message: 'must have at most ${s.maxProperties} properties' })`;
    return expr;
  }

  /** `.default(v)` when v fits the schema's primitive type; otherwise the default is documented only. */
  private withDefault(expr: string, s: Schema): string {
    if (!defaultFits(s)) {
      this.skip('default (not applied: does not fit the schema)');
      return expr;
    }
    return `${expr}.default(${lit(s.default)})`;
  }
}

/** String formats the emitter validates; a default for them is only applied when it matches. */
const STRICT_FORMATS = new Set(['uuid', 'email', 'date-time', 'date', 'uri', 'url', 'ipv4', 'ipv6']);

/** Whether a schema's `default` is a primitive that fits its type, so zod can apply it. */
function defaultFits(s: unknown): boolean {
  if (!isObject(s) || !('default' in s) || typeof s.$ref === 'string') return false;
  const value = s.default;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  return (
    (value === null && (s.nullable === true || types.includes('null'))) ||
    (typeof value === 'string' &&
      types.includes('string') &&
      (!Array.isArray(s.enum) || s.enum.includes(value)) &&
      (s.format === undefined || !STRICT_FORMATS.has(String(s.format)))) ||
    (typeof value === 'number' &&
      (types.includes('number') || (types.includes('integer') && Number.isInteger(value))) &&
      (!Array.isArray(s.enum) || s.enum.includes(value))) ||
    (typeof value === 'boolean' && types.includes('boolean'))
  );
}

function isBareObjectType(s: Schema): boolean {
  return (
    s.type === 'object' && !isObject(s.properties) && s.additionalProperties === undefined && s.required === undefined
  );
}

function docComment(s: Schema): string {
  const text = typeof s.description === 'string' ? s.description : typeof s.title === 'string' ? s.title : '';
  const line = text.split('\n')[0]!.trim().replace(/\*\//g, '*\\/');
  return line ? `/** ${line} */\n` : '';
}

export interface ParameterSpec {
  name: string;
  required: boolean;
  schema: unknown;
}

/**
 * One zod object per operation for its query parameters (string values coerced to numbers and
 * booleans where the schema says so), referencing the component consts of zod.ts as `Z.*`.
 */
export function emitQueryModule(
  doc: OpenApiDocument,
  ops: Array<{ operationId: string; query: ParameterSpec[] }>,
  options: { header: string; zodImport: string },
): string {
  const emitter = new Emitter(doc, 'Z.');
  const entries = ops.map((op) => {
    const fields = op.query.map((p) => {
      const resolved =
        isObject(p.schema) && typeof p.schema.$ref === 'string' ? resolvePointer(doc, p.schema.$ref) : p.schema;
      const type = isObject(resolved) ? resolved.type : undefined;
      let expr = emitter.emit(p.schema);
      if (type === 'integer' || type === 'number') expr = `z.preprocess(__number, ${expr})`;
      else if (type === 'boolean') expr = `z.preprocess(__boolean, ${expr})`;
      return `    ${propertyKey(p.name)}: ${expr}${p.required || (isObject(resolved) && 'default' in resolved) ? '' : '.optional()'},`;
    });
    return fields.length === 0
      ? `  ${propertyKey(op.operationId)}: z.looseObject({}),`
      : `  ${propertyKey(op.operationId)}: z.looseObject({\n${fields.join('\n')}\n  }),`;
  });
  const text = entries.join('\n');
  return [
    options.header,
    `import { z } from 'zod';`,
    text.includes('Z.') ? `import * as Z from ${lit(options.zodImport)};` : '',
    '',
    ...emitter.formats.declarations(),
    text.includes('__number')
      ? `const __number = (v: unknown): unknown => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v);`
      : '',
    text.includes('__boolean')
      ? `const __boolean = (v: unknown): unknown => (v === 'true' ? true : v === 'false' ? false : v);`
      : '',
    '',
    '/** Query parameters of every operation, as the server validates them. */',
    `export const querySchemas = {\n${text}\n} as const;`,
    '',
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');
}

export function emitZodModule(doc: OpenApiDocument, options: ZodEmitOptions): ZodEmitResult {
  return new Emitter(doc).emitModule(options);
}
