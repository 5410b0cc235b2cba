/** Flattens `allOf` into one schema: properties merged, `required` united, bounds tightened. */
import { isObject, type JsonObject, type RefResolver } from '../openapi/spec-document.ts';

export function derefSchema(resolver: RefResolver, schema: unknown): JsonObject {
  let current = schema;
  const seen = new Set<string>();
  while (isObject(current) && typeof current.$ref === 'string') {
    if (seen.has(current.$ref)) return {};
    seen.add(current.$ref);
    const { $ref, ...siblings } = current;
    const target = resolver.lookup($ref);
    // 3.1 allows keywords beside `$ref`; they refine the target.
    const rest = Object.keys(siblings).filter((k) => k !== 'description' && k !== 'summary');
    current =
      rest.length && isObject(target)
        ? { allOf: [target, Object.fromEntries(rest.map((k) => [k, siblings[k]]))] }
        : target;
  }
  return isObject(current) ? current : {};
}

const TIGHTEN_MAX = ['maximum', 'maxLength', 'maxItems', 'maxProperties', 'exclusiveMaximum'];
const TIGHTEN_MIN = ['minimum', 'minLength', 'minItems', 'minProperties', 'exclusiveMinimum'];

export function mergeAllOf(resolver: RefResolver, schema: JsonObject, depth = 0): JsonObject {
  if (!Array.isArray(schema.allOf) || depth > 16) return schema;
  const { allOf, ...base } = schema;
  let merged: JsonObject = { ...base };
  for (const part of allOf as unknown[]) {
    const p = mergeAllOf(resolver, derefSchema(resolver, part), depth + 1);
    merged = mergeTwo(resolver, merged, p, depth);
  }
  return merged;
}

function mergeTwo(resolver: RefResolver, a: JsonObject, b: JsonObject, depth: number): JsonObject {
  const out: JsonObject = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const existing = out[key];
    if (existing === undefined) {
      out[key] = value;
    } else if (key === 'properties' && isObject(existing) && isObject(value)) {
      const props: JsonObject = { ...existing };
      for (const [name, prop] of Object.entries(value))
        props[name] =
          props[name] === undefined
            ? prop
            : mergeTwo(resolver, derefSchema(resolver, props[name]), derefSchema(resolver, prop), depth + 1);
      out.properties = props;
    } else if (key === 'required' && Array.isArray(existing) && Array.isArray(value)) {
      out.required = [...new Set([...existing, ...value])];
    } else if (TIGHTEN_MAX.includes(key) && typeof existing === 'number' && typeof value === 'number') {
      out[key] = Math.min(existing, value);
    } else if (TIGHTEN_MIN.includes(key) && typeof existing === 'number' && typeof value === 'number') {
      out[key] = Math.max(existing, value);
    } else if (key === 'additionalProperties' && (existing === false || value === false)) {
      out.additionalProperties = false;
    } else {
      out[key] = value;
    }
  }
  return out;
}
