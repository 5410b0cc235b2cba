/**
 * Puts shared vocabulary words (vocabulary.ts) into a generated body, beside the canary: every
 * plain free-text string (a name, a description, an address line: `type: string` with no format,
 * pattern, enum or const, not marked `x-tenantproof-canary: false`, not named like an identifier)
 * that carries the record's canary becomes `<canary> <word> <word>`, within the field's length
 * bounds. Strings without the canary, and anything else, are left exactly as generated, so every
 * text with words keeps the canary that names its owner.
 *
 * It post-processes what the schema arbitraries made (a seam outside them): the schema is read once
 * per operation into a small plan of where plain text sits, and each body is walked along it.
 */
import { isObject, type JsonObject, type RefResolver } from '../openapi/spec-document.ts';
import { derefSchema, mergeAllOf } from './merge-all-of.ts';
import { textWithWords } from './vocabulary.ts';

/** Where plain text sits in a schema: at this node, in properties, or in array items. */
export interface VocabularyPlan {
  text?: { minLength: number; maxLength: number };
  properties?: Map<string, VocabularyPlan>;
  items?: VocabularyPlan;
  /** The array's items must stay distinct (`uniqueItems`). */
  uniqueItems?: boolean;
}

/** Strings the generator makes longer than this only when the schema asks (schema-arbitrary's default). */
const DEFAULT_MAX_STRING = 64;
const MAX_DEPTH = 8;

/** Property names whose strings are identifiers or codes, never prose (spaces would not belong there). */
const IDENTIFIER_NAME =
  /(^|_)id$|[a-z]Id$|ids$|slug|user_?name|login|handle|sku|code|key|token|secret|password|url|uri|href|domain|host|e?-?mail|phone|currency|locale|language|timezone|color|colour|hash|version|ref$/i;

function typesOf(s: JsonObject): string[] {
  const t = s.type;
  if (Array.isArray(t)) return t.map(String);
  if (typeof t === 'string') return [t];
  if (isObject(s.properties)) return ['object'];
  if (s.items !== undefined) return ['array'];
  if (s.minLength !== undefined || s.maxLength !== undefined) return ['string'];
  return [];
}

function plainText(s: JsonObject, propertyName: string | undefined): VocabularyPlan['text'] {
  if (!typesOf(s).includes('string')) return undefined;
  if (s.format !== undefined || s.pattern !== undefined || s.enum !== undefined || s.const !== undefined)
    return undefined;
  if (s.contentEncoding !== undefined || s.contentMediaType !== undefined) return undefined;
  if (s['x-tenantproof-canary'] === false) return undefined;
  if (propertyName !== undefined && IDENTIFIER_NAME.test(propertyName)) return undefined;
  const minLength = typeof s.minLength === 'number' ? s.minLength : 0;
  const maxLength = typeof s.maxLength === 'number' ? s.maxLength : Math.max(DEFAULT_MAX_STRING, minLength);
  return { minLength, maxLength };
}

/**
 * The plan of a schema: undefined when no plain text can sit anywhere in it. Branches of
 * oneOf/anyOf are left alone (which branch made a value is not known), and so is anything deeper
 * than MAX_DEPTH (recursive schemas).
 */
export function vocabularyPlan(
  schema: unknown,
  resolver: RefResolver,
  propertyName?: string,
  depth = 0,
): VocabularyPlan | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const s = mergeAllOf(resolver, derefSchema(resolver, schema));
  if (Array.isArray(s.oneOf) || Array.isArray(s.anyOf)) return undefined;
  const plan: VocabularyPlan = {};
  const text = plainText(s, propertyName);
  if (text) plan.text = text;
  const types = typesOf(s);
  if (types.includes('object') && isObject(s.properties)) {
    const properties = new Map<string, VocabularyPlan>();
    for (const [name, prop] of Object.entries(s.properties)) {
      const inner = vocabularyPlan(prop, resolver, name, depth + 1);
      if (inner) properties.set(name, inner);
    }
    if (properties.size > 0) plan.properties = properties;
  }
  if (types.includes('array') && s.items !== undefined) {
    const items = vocabularyPlan(s.items, resolver, undefined, depth + 1);
    if (items) plan.items = items;
    if (items && s.uniqueItems === true) plan.uniqueItems = true;
  }
  return plan.text || plan.properties || plan.items ? plan : undefined;
}

/**
 * `value` with vocabulary words after the canary in each plain text the plan names (a copy; the
 * input is not changed). `seed` picks the words; 1 to 3 words a field.
 */
export function withVocabulary(
  value: unknown,
  plan: VocabularyPlan | undefined,
  canary: string,
  seed: number,
  field = '',
): unknown {
  if (!plan) return value;
  if (typeof value === 'string') {
    if (!plan.text || !value.includes(canary)) return value;
    const wanted = 1 + ((seed + field.length) % 3);
    return textWithWords(canary, wanted, plan.text, seed, field) ?? value;
  }
  if (Array.isArray(value)) {
    if (!plan.items) return value;
    const out = value.map((v, i) => withVocabulary(v, plan.items, canary, seed, `${field}[${i}]`));
    // Items that must stay distinct keep what was generated if the words made two of them equal.
    if (plan.uniqueItems && new Set(out.map((v) => JSON.stringify(v))).size < out.length) return value;
    return out;
  }
  if (isObject(value) && plan.properties) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      const inner = plan.properties.get(k);
      out[k] = inner ? withVocabulary(v, inner, canary, seed, field ? `${field}.${k}` : k) : v;
    }
    return out;
  }
  return value;
}
