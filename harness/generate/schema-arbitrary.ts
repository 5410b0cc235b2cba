/**
 * JSON Schema (OpenAPI 3.0 and 3.1 flavours) to fast-check arbitraries. Handles types and 3.1
 * type arrays, `nullable`, enum/const, formats, patterns, length and numeric bounds, objects
 * (required/optional, min/maxProperties, readOnly/writeOnly), arrays (min/maxItems, uniqueItems),
 * oneOf/anyOf/allOf and `$ref` with a depth limit for recursive schemas. Free text carries the
 * record's canary (see canary.ts).
 *
 * The arbitraries of a schema are built once per schema object and set of options (`schemaTemplate`)
 * and reused for every record: the canary is read when a value is drawn (canary-scope.ts).
 */
import { UsageError } from '../errors.ts';
import fc from 'fast-check';
import { isObject, type JsonObject, type RefResolver } from '../openapi/spec-document.ts';
import { withCanaryScope } from './canary-scope.ts';
import { derefSchema, mergeAllOf } from './merge-all-of.ts';
import { orderTimeRanges } from './time-ranges.ts';
import {
  formatArbitrary,
  freeTextArbitrary,
  patternArbitrary,
  type StringContext,
  type TimeRange,
} from './string-arbitraries.ts';

export interface SchemaArbitraryOptions {
  resolver: RefResolver;
  /** `request` skips readOnly properties, `response` skips writeOnly ones. Default `request`. */
  direction?: 'request' | 'response';
  /** The record's canary (`tpT1…`), carried by free text; omit for none. */
  canary?: string;
  /** Lower-case tenant tag for emails and hosts; default derived from the canary. */
  tag?: string;
  /** Nesting depth past which optional properties are left out. Default 4. */
  maxDepth?: number;
  /** `random` (default) picks a random subset of optional properties; `all` includes all, `none` none. */
  optional?: 'random' | 'all' | 'none';
  /** Dates and date-times fall in `[min, max]` (epoch ms); default years 2000 to 2099. */
  timeRange?: TimeRange;
  /** Told when a schema feature cannot be honoured and a fallback is used (unknown format, unusable pattern). */
  onFallback?: (field: string, detail: string) => void;
}

/** The options of a template: those of schemaArbitrary, with the canary known only by its length. */
export interface SchemaTemplateOptions extends Omit<SchemaArbitraryOptions, 'canary'> {
  /** Length of the canary the values carry (drawn per record, read from the canary scope); omit for none. */
  canaryLength?: number;
}

interface Ctx {
  opts: Required<Pick<SchemaTemplateOptions, 'direction' | 'maxDepth' | 'optional'>> & SchemaTemplateOptions;
  tag: string;
  depth: number;
  field: string;
  propertyName?: string;
  refs: string[];
}

const HARD_DEPTH = 12;
const DEFAULT_MAX_STRING = 64;

/** A schema in the user's spec that no value satisfies. */
export class UnsatisfiableSchemaError extends UsageError {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`cannot generate a value for ${field || 'the body'}: ${detail}`, {
      hint: 'fix the schema in the spec, or mark the operation x-tenantproof-ignore',
    });
  }
}

export function schemaArbitrary(schema: unknown, options: SchemaArbitraryOptions): fc.Arbitrary<unknown> {
  const { canary, ...rest } = options;
  if (!canary) return schemaTemplate(schema, rest);
  const tag = options.tag ?? /^tp(T[0-9]+)/.exec(canary)?.[1]?.toLowerCase() ?? 'tenant';
  const template = schemaTemplate(schema, { ...rest, tag, canaryLength: canary.length });
  return withCanaryScope(fc.constant(canary), template, (_, value) => value);
}

/** Templates by resolver, then schema object, then the options that shape them. */
const templates = new WeakMap<RefResolver, WeakMap<object, Map<string, fc.Arbitrary<unknown>>>>();

/**
 * The arbitrary of `schema`, built once per schema object and options and then reused. Values of a
 * template with a `canaryLength` must be drawn inside a canary scope (recordArbitrary, or
 * schemaArbitrary with a `canary`). With `onFallback`, the template is built anew so that the
 * caller hears of every fallback.
 */
export function schemaTemplate(schema: unknown, options: SchemaTemplateOptions): fc.Arbitrary<unknown> {
  const make = (): fc.Arbitrary<unknown> =>
    build(schema, {
      opts: { direction: 'request', maxDepth: 4, optional: 'random', ...options },
      tag: options.tag ?? 'tenant',
      depth: 0,
      field: '',
      refs: [],
    });
  if (typeof schema !== 'object' || schema === null || options.onFallback) return make();
  let bySchema = templates.get(options.resolver);
  if (!bySchema) templates.set(options.resolver, (bySchema = new WeakMap()));
  let byOptions = bySchema.get(schema);
  if (!byOptions) bySchema.set(schema, (byOptions = new Map()));
  const key = [
    options.direction ?? 'request',
    options.maxDepth ?? 4,
    options.optional ?? 'random',
    options.tag ?? 'tenant',
    options.canaryLength ?? -1,
    options.timeRange ? `${options.timeRange.min}..${options.timeRange.max}` : '',
  ].join('|');
  let template = byOptions.get(key);
  if (!template) byOptions.set(key, (template = make()));
  return template;
}

function typesOf(s: JsonObject): string[] {
  const t = s.type;
  let types = Array.isArray(t) ? t.map(String) : typeof t === 'string' ? [t] : [];
  if (types.length === 0) {
    if (isObject(s.properties) || s.additionalProperties !== undefined || Array.isArray(s.required)) types = ['object'];
    else if (s.items !== undefined || s.minItems !== undefined) types = ['array'];
    else if (
      s.minLength !== undefined ||
      s.maxLength !== undefined ||
      s.pattern !== undefined ||
      s.format !== undefined
    )
      types = ['string'];
    else if (s.minimum !== undefined || s.maximum !== undefined) types = ['number'];
  }
  if (s.nullable === true && !types.includes('null')) types = [...types, 'null'];
  return types;
}

function build(schema: unknown, ctx: Ctx): fc.Arbitrary<unknown> {
  if (schema === true || schema === undefined) return fc.constant('x');
  if (schema === false) throw new UnsatisfiableSchemaError(ctx.field, 'schema is false');
  let refs = ctx.refs;
  if (isObject(schema) && typeof schema.$ref === 'string') {
    // Recursion is bounded by `maxDepth` (optional properties and array items stop there); this
    // only cuts a chain of *required* self-references, which no finite value could satisfy anyway.
    if (refs.length > HARD_DEPTH) return fc.constant(null);
    refs = [...refs, schema.$ref];
  }
  const s = mergeAllOf(ctx.opts.resolver, derefSchema(ctx.opts.resolver, schema));
  const here: Ctx = { ...ctx, refs };

  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum) && s.enum.length) {
    const values = s.nullable === true && !s.enum.includes(null) ? [...s.enum, null] : s.enum;
    return fc.constantFrom(...values);
  }
  const branches = (Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : undefined) as
    unknown[] | undefined;
  if (branches && branches.length) {
    const { oneOf: _o, anyOf: _a, ...base } = s;
    const hasBase = Object.keys(base).some(
      (k) => !['description', 'title', 'discriminator', 'example', 'examples', 'nullable'].includes(k),
    );
    const arbs = branches.map((b) => build(hasBase ? { allOf: [base, b] } : b, here));
    if (s.nullable === true) arbs.push(fc.constant(null));
    return fc.oneof(...arbs);
  }

  const types = typesOf(s);
  if (types.length === 0) return fc.constant('x');
  const arbs = types.map((t) => buildType(t, s, here));
  // Keep `null` a minority so nullable fields still exercise their real type.
  if (arbs.length === 1) return arbs[0]!;
  return fc.oneof(...types.map((t, i) => ({ arbitrary: arbs[i]!, weight: t === 'null' ? 1 : 3 })));
}

function buildType(type: string, s: JsonObject, ctx: Ctx): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return integerArbitrary(s);
    case 'number':
      return numberArbitrary(s);
    case 'string':
      return stringArbitrary(s, ctx);
    case 'array':
      return arrayArbitrary(s, ctx);
    case 'object':
      return objectArbitrary(s, ctx);
    default:
      return fc.constant(null);
  }
}

function numericBounds(s: JsonObject, integer: boolean): { min: number; max: number } {
  const step = integer ? 1 : 0.01;
  let min = typeof s.minimum === 'number' ? s.minimum : undefined;
  let max = typeof s.maximum === 'number' ? s.maximum : undefined;
  if (typeof s.exclusiveMinimum === 'number') min = Math.max(min ?? -Infinity, s.exclusiveMinimum + step);
  if (s.exclusiveMinimum === true && min !== undefined) min += step;
  if (typeof s.exclusiveMaximum === 'number') max = Math.min(max ?? Infinity, s.exclusiveMaximum - step);
  if (s.exclusiveMaximum === true && max !== undefined) max -= step;
  // Without bounds, stay small and non-negative: business rules often reject what the schema allows.
  min ??= max !== undefined ? Math.min(0, max) : 0;
  max ??= Math.max(min + 10_000, min);
  return { min, max };
}

function integerArbitrary(s: JsonObject): fc.Arbitrary<number> {
  const { min, max } = numericBounds(s, true);
  const lo = Math.ceil(Math.max(min, Number.MIN_SAFE_INTEGER));
  const hi = Math.floor(Math.min(max, Number.MAX_SAFE_INTEGER));
  const multipleOf = typeof s.multipleOf === 'number' && s.multipleOf > 0 ? s.multipleOf : undefined;
  if (multipleOf && Number.isInteger(multipleOf)) {
    const a = Math.ceil(lo / multipleOf);
    const b = Math.floor(hi / multipleOf);
    return fc.integer({ min: a, max: Math.max(a, b) }).map((k) => k * multipleOf);
  }
  return smallFirst(lo, Math.max(lo, hi));
}

/** Mostly small values near the lower bound (sums of them stay realistic), sometimes the full range. */
function smallFirst(lo: number, hi: number): fc.Arbitrary<number> {
  const smallHi = Math.min(hi, lo + 1000);
  if (smallHi === hi) return fc.integer({ min: lo, max: hi });
  return fc.oneof(
    { arbitrary: fc.integer({ min: lo, max: smallHi }), weight: 4 },
    { arbitrary: fc.integer({ min: lo, max: hi }), weight: 1 },
  );
}

function numberArbitrary(s: JsonObject): fc.Arbitrary<number> {
  const { min, max } = numericBounds(s, false);
  const multipleOf = typeof s.multipleOf === 'number' && s.multipleOf > 0 ? s.multipleOf : 0.01;
  const a = Math.ceil(min / multipleOf);
  const b = Math.floor(max / multipleOf);
  const safeA = Math.max(a, -Number.MAX_SAFE_INTEGER);
  const safeB = Math.min(b, Number.MAX_SAFE_INTEGER);
  return smallFirst(safeA, Math.max(safeA, safeB)).map((k) => Number((k * multipleOf).toFixed(10)));
}

function stringArbitrary(s: JsonObject, ctx: Ctx): fc.Arbitrary<string> {
  const minLength = typeof s.minLength === 'number' ? s.minLength : 0;
  const maxLength = typeof s.maxLength === 'number' ? s.maxLength : Math.max(DEFAULT_MAX_STRING, minLength);
  const bounds = { minLength, maxLength };
  const sctx: StringContext = {
    ...(ctx.opts.canaryLength !== undefined ? { canaryLength: ctx.opts.canaryLength } : {}),
    tag: ctx.tag,
    field: ctx.field,
    ...(ctx.propertyName ? { propertyName: ctx.propertyName } : {}),
    allowCanary: s['x-tenantproof-canary'] !== false,
    ...(ctx.opts.timeRange ? { timeRange: ctx.opts.timeRange } : {}),
  };
  const fallback = (detail: string) => ctx.opts.onFallback?.(ctx.field, detail);
  if (typeof s.pattern === 'string') {
    let regex: RegExp | undefined;
    try {
      regex = new RegExp(s.pattern, 'u');
    } catch {
      fallback(`pattern ${JSON.stringify(s.pattern)} does not compile in JavaScript; ignored`);
    }
    if (regex) {
      const formatted = typeof s.format === 'string' ? formatArbitrary(s.format, sctx, bounds) : undefined;
      const re = regex;
      if (formatted) return formatted.filter((v) => re.test(v));
      const pattern = s.pattern;
      return patternArbitrary(regex, sctx, bounds, (err) => {
        fallback(`pattern ${JSON.stringify(pattern)} is beyond the regex generator (${err.message}); free text used`);
        return unpatternedString(s, ctx, sctx, bounds, fallback);
      });
    }
  }
  return unpatternedString(s, ctx, sctx, bounds, fallback);
}

/** A string by its format, its property's name (emails), or else free text. */
function unpatternedString(
  s: JsonObject,
  ctx: Ctx,
  sctx: StringContext,
  bounds: { minLength: number; maxLength: number },
  fallback: (detail: string) => void,
): fc.Arbitrary<string> {
  const { maxLength } = bounds;
  if (typeof s.format === 'string') {
    const formatted = formatArbitrary(s.format, sctx, bounds);
    if (formatted) return formatted;
    fallback(`format ${JSON.stringify(s.format)} is not known; free text used`);
  }
  if (ctx.propertyName && /(^|_)e?-?mail(_?address)?$/i.test(ctx.propertyName) && maxLength >= 6)
    return formatArbitrary('email', sctx, bounds)!;
  return freeTextArbitrary(sctx, bounds);
}

function arrayArbitrary(s: JsonObject, ctx: Ctx): fc.Arbitrary<unknown[]> {
  const minItems = typeof s.minItems === 'number' ? s.minItems : 0;
  let maxItems = typeof s.maxItems === 'number' ? s.maxItems : Math.max(3, minItems);
  if (ctx.depth >= ctx.opts.maxDepth) maxItems = minItems;
  maxItems = Math.min(maxItems, Math.max(minItems, 5));
  const item = build(s.items ?? {}, { ...ctx, depth: ctx.depth + 1, field: `${ctx.field}[]`, propertyName: undefined });
  if (s.uniqueItems === true)
    return fc.uniqueArray(item, { minLength: minItems, maxLength: maxItems, selector: (v) => JSON.stringify(v) });
  return fc.array(item, { minLength: minItems, maxLength: maxItems });
}

function objectArbitrary(s: JsonObject, ctx: Ctx): fc.Arbitrary<Record<string, unknown>> {
  const properties = isObject(s.properties) ? s.properties : {};
  const required = new Set(Array.isArray(s.required) ? s.required.map(String) : []);
  const skip = ctx.opts.direction === 'request' ? 'readOnly' : 'writeOnly';
  const entries: [string, fc.Arbitrary<unknown>][] = [];
  const optional: string[] = [];
  for (const [name, raw] of Object.entries(properties)) {
    const prop = derefSchema(ctx.opts.resolver, raw);
    if (prop[skip] === true && !required.has(name)) continue;
    const isRequired = required.has(name);
    if (!isRequired && (ctx.depth >= ctx.opts.maxDepth || ctx.opts.optional === 'none')) continue;
    entries.push([
      name,
      build(raw, {
        ...ctx,
        depth: ctx.depth + 1,
        field: ctx.field ? `${ctx.field}.${name}` : name,
        propertyName: name,
      }),
    ]);
    if (!isRequired) optional.push(name);
  }
  const requiredNames = entries.map(([n]) => n).filter((n) => required.has(n));
  const minProps = typeof s.minProperties === 'number' ? s.minProperties : 0;
  const maxProps = typeof s.maxProperties === 'number' ? s.maxProperties : Infinity;
  const minOptional = Math.max(0, minProps - requiredNames.length);
  const maxOptional = Math.max(minOptional, Math.min(optional.length, maxProps - requiredNames.length));
  if (minOptional > optional.length)
    throw new UnsatisfiableSchemaError(ctx.field, `minProperties ${minProps} exceeds the declared properties`);
  const model = Object.fromEntries(entries) as Record<string, fc.Arbitrary<unknown>>;
  const all = fc.record(model);
  const chosen =
    ctx.opts.optional === 'all'
      ? fc.constant(optional.slice(0, maxOptional))
      : fc.subarray(optional, { minLength: minOptional, maxLength: maxOptional });
  return fc.tuple(all, chosen).map(([values, picked]) => {
    const out: Record<string, unknown> = {};
    const keep = new Set([...requiredNames, ...picked]);
    for (const [name] of entries) if (keep.has(name)) out[name] = values[name];
    return orderTimeRanges(out);
  });
}
