/**
 * Questions about schemas that the inference asks: what properties an object has (through
 * `$ref`, `allOf` and single-branch `oneOf`), where a list keeps its items, whether a response
 * wraps its record in an envelope (`{ "article": {...} }`), and which field holds the id.
 */
import { isIdLikeName } from './naming.ts';
import { isObject, type JsonObject, type SpecDocument } from './spec-document.ts';

export interface ObjectShape {
  properties: Record<string, unknown>;
  required: string[];
}

const MAX_DEPTH = 8;

/** Type names of a schema (3.0 `type` + `nullable`, 3.1 type arrays), `[]` when untyped. */
export function schemaTypes(schema: JsonObject): string[] {
  const t = schema.type;
  const types = Array.isArray(t) ? t.map(String) : typeof t === 'string' ? [t] : [];
  if (schema.nullable === true && !types.includes('null')) types.push('null');
  return types;
}

/** The non-null branches of a `oneOf`/`anyOf`, resolved. */
function nonNullBranches(doc: SpecDocument, schema: JsonObject): JsonObject[] {
  const branches = (
    Array.isArray(schema.oneOf) ? schema.oneOf : Array.isArray(schema.anyOf) ? schema.anyOf : []
  ) as unknown[];
  return branches
    .map((b) => doc.object(b))
    .filter((b) => !(schemaTypes(b).length === 1 && schemaTypes(b)[0] === 'null'));
}

/** Properties of an object schema, merged through `allOf` and single non-null `oneOf`/`anyOf`. */
export function objectShape(doc: SpecDocument, schema: unknown, depth = 0): ObjectShape | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const s = doc.object(schema);
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  let isObj = isObject(s.properties) || schemaTypes(s).includes('object');
  if (isObject(s.properties)) Object.assign(properties, s.properties);
  if (Array.isArray(s.required)) required.push(...s.required.map(String));
  if (Array.isArray(s.allOf)) {
    for (const part of s.allOf) {
      const shape = objectShape(doc, part, depth + 1);
      if (shape) {
        isObj = true;
        Object.assign(properties, shape.properties);
        required.push(...shape.required);
      }
    }
  }
  const branches = nonNullBranches(doc, s);
  if (branches.length === 1) {
    const shape = objectShape(doc, branches[0], depth + 1);
    if (shape) {
      isObj = true;
      Object.assign(properties, shape.properties);
      required.push(...shape.required);
    }
  }
  return isObj ? { properties, required: [...new Set(required)] } : undefined;
}

/** The `$ref` that names a schema (following chains and single-branch wrappers), if any. */
export function schemaIdentity(doc: SpecDocument, schema: unknown): string | undefined {
  const { node, ref } = doc.deref(schema);
  if (ref) return ref;
  if (!isObject(node)) return undefined;
  if (Array.isArray(node.allOf) && node.allOf.length === 1) return schemaIdentity(doc, node.allOf[0]);
  const branches = (Array.isArray(node.oneOf) ? node.oneOf : Array.isArray(node.anyOf) ? node.anyOf : []) as unknown[];
  const named = branches.filter((b) => !(isObject(b) && b.type === 'null'));
  if (named.length === 1) return schemaIdentity(doc, named[0]);
  return undefined;
}

/** Item schema of an array schema, or undefined if it is not an array. */
export function arrayItems(doc: SpecDocument, schema: unknown): unknown {
  const s = doc.object(schema);
  if (schemaTypes(s).includes('array') || s.items !== undefined) return s.items ?? {};
  const branches = nonNullBranches(doc, s);
  if (branches.length === 1) return arrayItems(doc, branches[0]);
  return undefined;
}

const ITEMS_FIELDS = [
  'data',
  'items',
  'results',
  'records',
  'content',
  'entries',
  'list',
  'rows',
  'values',
  'elements',
  'hits',
];

/** Where a list response keeps its records: `''` for a bare array, else the dotted field path. */
export function findItems(
  doc: SpecDocument,
  schema: unknown,
  hint?: string,
): { field: string; itemSchema: unknown } | undefined {
  const direct = arrayItems(doc, schema);
  if (direct !== undefined) return { field: '', itemSchema: direct };
  const shape = objectShape(doc, schema);
  if (!shape) return undefined;
  const arrays = Object.entries(shape.properties)
    .map(([name, prop]) => ({ name, items: arrayItems(doc, prop) }))
    .filter((a): a is { name: string; items: unknown } => a.items !== undefined);
  if (arrays.length === 0) {
    // One level of nesting: `{ "data": { "items": [...] } }`.
    for (const [name, prop] of Object.entries(shape.properties)) {
      if (!ITEMS_FIELDS.includes(name)) continue;
      const inner = objectShape(doc, prop);
      if (!inner) continue;
      const nested = findItems(doc, prop, hint);
      if (nested && nested.field !== '') return { field: `${name}.${nested.field}`, itemSchema: nested.itemSchema };
    }
    return undefined;
  }
  const byName = (n: string) => arrays.find((a) => a.name === n);
  const preferred = ITEMS_FIELDS.map(byName).find(Boolean) ?? (hint ? byName(hint) : undefined);
  const chosen =
    preferred ??
    (arrays.length === 1
      ? arrays[0]
      : arrays.find((a) => isObject(doc.deref(a.items).node) && objectShape(doc, a.items) !== undefined));
  return chosen ? { field: chosen.name, itemSchema: chosen.items } : undefined;
}

/** Picks the id field of a record schema: the preferred name, else `id`, else an id-like name. */
export function findIdField(doc: SpecDocument, schema: unknown, preferred: string[] = []): string | undefined {
  const shape = objectShape(doc, schema);
  if (!shape) return undefined;
  const names = Object.keys(shape.properties);
  for (const p of preferred) if (names.includes(p)) return p;
  if (names.includes('id')) return 'id';
  for (const n of ['uuid', '_id', 'guid', 'key', 'slug']) if (names.includes(n)) return n;
  return undefined;
}

/**
 * Unwraps a single-record response: the record itself when it has an id-like field, else the one
 * object property that is a record (`{ "article": {...} }`, `{ "tenant": {...}, "apiKey": "..." }`).
 */
export function unwrapRecord(
  doc: SpecDocument,
  schema: unknown,
  preferredId: string[] = [],
): { schema: unknown; envelope?: string } | undefined {
  const shape = objectShape(doc, schema);
  if (!shape) return undefined;
  if (findIdField(doc, schema, preferredId)) return { schema };
  const objectProps = Object.entries(shape.properties).filter(
    ([, prop]) => objectShape(doc, prop) !== undefined && arrayItems(doc, prop) === undefined,
  );
  const withId = objectProps.filter(([, prop]) => findIdField(doc, prop, preferredId));
  if (withId.length === 1) return { schema: withId[0]![1], envelope: withId[0]![0] };
  if (Object.keys(shape.properties).length === 1 && objectProps.length === 1)
    return { schema: objectProps[0]![1], envelope: objectProps[0]![0] };
  return { schema };
}

/** Id-like property names of an object schema (for walking responses and bodies). */
export function idLikeProperties(doc: SpecDocument, schema: unknown): string[] {
  const shape = objectShape(doc, schema);
  return shape ? Object.keys(shape.properties).filter(isIdLikeName) : [];
}
