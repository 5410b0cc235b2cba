/**
 * The literal request body `tenantproof init` writes into a provisioning module for a sign-up,
 * login, admin create, invite or accept: one field per required property (and the identity fields
 * email, password, name, slug even when optional), each filled by what its name and schema say.
 * The module holds the body as code the user can read and edit; `renderBody` prints it.
 */
import { isObject, type JsonObject, type SpecDocument } from '../openapi/spec-document.ts';
import { objectShape, schemaTypes } from '../openapi/schema-shape.ts';

/** What fills a field: a variable of the generated module, or a literal. */
export type BodyValue =
  | { kind: 'email' }
  | { kind: 'password' }
  | { kind: 'name' }
  | { kind: 'slug' }
  | { kind: 'inviteToken' }
  | { kind: 'memberEmail' }
  | { kind: 'literal'; value: unknown }
  | { kind: 'object'; fields: BodyField[] };

export interface BodyField {
  name: string;
  value: BodyValue;
}

const norm = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

export const isEmailName = (name: string): boolean => /email|mail$/.test(norm(name));
export const isPasswordName = (name: string): boolean =>
  /^(password|passwd|pass|pwd|passphrase)/.test(norm(name)) || /password$/.test(norm(name));
export const isSlugName = (name: string): boolean =>
  /^(slug|subdomain|handle|domain|username|login)$/.test(norm(name)) || /(slug|subdomain)$/.test(norm(name));
export const isNameName = (name: string): boolean =>
  /name$|^title$|^label$/.test(norm(name)) && norm(name) !== 'username';
export const isTokenName = (name: string): boolean =>
  /^(token|invitetoken|invitationtoken|code|invitecode|invitationcode|secret)$/.test(norm(name));

export interface BodyPlanOptions {
  /** For an invite: the email field is the invited member's. */
  emailIs?: 'email' | 'memberEmail';
  /** For an invite's role field: the role to ask for (`member`). */
  role?: string;
  /** For an accept: token-ish fields carry the invite token. */
  tokenField?: boolean;
}

/** The body to send for a request schema, or undefined when the operation takes no JSON object. */
export function planBody(
  doc: SpecDocument,
  schema: unknown,
  options: BodyPlanOptions = {},
  depth = 0,
): BodyField[] | undefined {
  const shape = objectShape(doc, schema);
  if (!shape || depth > 4) return undefined;
  const fields: BodyField[] = [];
  for (const [name, raw] of Object.entries(shape.properties)) {
    const prop = doc.object(raw);
    if (prop.readOnly === true) continue;
    const required = shape.required.includes(name);
    const identity = isEmailName(name) || isPasswordName(name) || (options.tokenField === true && isTokenName(name));
    if (!required && !identity) continue;
    fields.push({ name, value: valueFor(doc, name, prop, options, depth) });
  }
  return fields;
}

function valueFor(
  doc: SpecDocument,
  name: string,
  prop: JsonObject,
  options: BodyPlanOptions,
  depth: number,
): BodyValue {
  const types = schemaTypes(prop);
  const isString = types.includes('string') || (types.length === 0 && !isObject(prop.properties));
  if (Array.isArray(prop.enum) && prop.enum.length > 0) {
    if (options.role && /role/i.test(name) && prop.enum.includes(options.role))
      return { kind: 'literal', value: options.role };
    if (options.role && /role/i.test(name)) {
      const gentle = prop.enum.find((v) => typeof v === 'string' && !/admin|owner/i.test(v));
      if (gentle !== undefined) return { kind: 'literal', value: gentle };
    }
    return { kind: 'literal', value: prop.enum[0] };
  }
  if (prop.const !== undefined) return { kind: 'literal', value: prop.const };
  if (isString && (prop.format === 'email' || isEmailName(name))) return { kind: options.emailIs ?? 'email' };
  if (isString && isPasswordName(name)) return { kind: 'password' };
  if (isString && options.tokenField && isTokenName(name)) return { kind: 'inviteToken' };
  if (isString && options.role && /role/i.test(name)) return { kind: 'literal', value: options.role };
  if (isString && isSlugName(name)) return { kind: 'slug' };
  if (isString && isNameName(name)) return { kind: 'name' };
  if (types.includes('boolean'))
    return { kind: 'literal', value: /terms|accept|agree|consent|tos|gdpr|privacy/i.test(name) };
  if (types.includes('integer') || types.includes('number'))
    return { kind: 'literal', value: typeof prop.minimum === 'number' ? prop.minimum : 1 };
  if (types.includes('array')) return { kind: 'literal', value: [] };
  if (types.includes('object') || isObject(prop.properties))
    return { kind: 'object', fields: planBody(doc, prop, options, depth + 1) ?? [] };
  if (prop.format === 'date') return { kind: 'literal', value: '2030-01-01' };
  if (prop.format === 'date-time') return { kind: 'literal', value: '2030-01-01T09:00:00Z' };
  const min = typeof prop.minLength === 'number' ? prop.minLength : 0;
  return { kind: 'literal', value: 'tenantproof'.padEnd(min, 'x') };
}

/** The field names, for evidence lines (`orgName/email/password`). */
export function fieldNames(fields: readonly BodyField[] | undefined): string {
  return fields && fields.length > 0 ? fields.map((f) => f.name).join('/') : 'no body';
}

/** A value as TypeScript source, strings in single quotes. */
export function literal(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  return JSON.stringify(value) ?? 'undefined';
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** The body as a TypeScript object literal, using the module's variables. */
export function renderBody(fields: readonly BodyField[], indent = '    '): string {
  if (fields.length === 0) return '{}';
  const inner = indent + '  ';
  const lines = fields.map((f) => {
    const key = IDENT.test(f.name) ? f.name : literal(f.name);
    const value = renderValue(f.value, inner);
    return key === value ? `${inner}${key},` : `${inner}${key}: ${value},`;
  });
  return `{\n${lines.join('\n')}\n${indent}}`;
}

function renderValue(value: BodyValue, indent: string): string {
  switch (value.kind) {
    case 'email':
      return 'email';
    case 'password':
      return 'password';
    case 'name':
      return '`tenantproof ${ctx.label}`';
    case 'slug':
      return 'slug';
    case 'inviteToken':
      return 'inviteToken';
    case 'memberEmail':
      return 'memberEmail';
    case 'literal':
      return literal(value.value);
    case 'object':
      return renderBody(value.fields, indent);
  }
}
