/**
 * Specs as frameworks generate them are often not quite valid OpenAPI, in a few well-known ways.
 * They are accepted, with a warning naming the place, by rewriting the document before
 * validation:
 *
 * - an `http` security scheme that also carries `name`/`in` (NestJS `addBearerAuth`): the stray
 *   keys are dropped;
 * - `type: "null"` in an OpenAPI 3.0 document (code-first generators; valid only in 3.1):
 *   `anyOf`/`oneOf` `[X, {type: null}]` becomes `X` with `nullable: true`, `type: [X, "null"]`
 *   becomes `type: X, nullable: true`, and a lone `{type: null}` becomes `{nullable: true, enum: [null]}`.
 *
 * Two more quirks need no rewrite and are only told: operationIds with spaces, and success
 * responses without a schema (ids are then learned from real responses).
 */
import type { SpecLocation } from './spec-error.ts';
import { isObject } from './spec-document.ts';
import type { SpecWarning } from './validate-document.ts';

const escape = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

export function fixGeneratorQuirks(
  root: Record<string, unknown>,
  version: '3.0' | '3.1',
  locate: (pointer: string) => SpecLocation,
): SpecWarning[] {
  const warnings: SpecWarning[] = [];
  const warn = (pointer: string, message: string): void => {
    warnings.push({ message, location: locate(pointer) });
  };
  stripHttpSchemeKeys(root, warn);
  if (version === '3.0') {
    const fixed: string[] = [];
    rewriteNullTypes(root, '', fixed);
    if (fixed.length > 0)
      warn(
        fixed[0]!,
        `type "null" is not OpenAPI 3.0 (it is 3.1); read as nullable in ${fixed.length} place(s), first here`,
      );
  }
  tellOperationQuirks(root, warn);
  return warnings;
}

function stripHttpSchemeKeys(root: Record<string, unknown>, warn: (pointer: string, message: string) => void): void {
  const schemes =
    isObject(root.components) && isObject(root.components.securitySchemes) ? root.components.securitySchemes : {};
  for (const [name, scheme] of Object.entries(schemes)) {
    if (!isObject(scheme) || scheme.type !== 'http') continue;
    const stray = ['name', 'in'].filter((k) => k in scheme);
    if (stray.length === 0) continue;
    for (const k of stray) delete scheme[k];
    warn(
      `/components/securitySchemes/${escape(name)}`,
      `http security scheme "${name}" carries ${stray.join(' and ')}, which only apiKey schemes have; ignored`,
    );
  }
}

const isNullType = (s: unknown): boolean => isObject(s) && s.type === 'null' && Object.keys(s).length === 1;

/** Rewrites `type: "null"` forms into 3.0's `nullable`, collecting the pointers it changed. */
function rewriteNullTypes(node: unknown, pointer: string, fixed: string[]): void {
  if (Array.isArray(node)) {
    node.forEach((v, i) => rewriteNullTypes(v, `${pointer}/${i}`, fixed));
    return;
  }
  if (!isObject(node)) return;
  for (const key of ['anyOf', 'oneOf'] as const) {
    const list = node[key];
    if (!Array.isArray(list) || !list.some(isNullType)) continue;
    const rest = list.filter((s) => !isNullType(s));
    fixed.push(`${pointer}/${key}`);
    delete node[key];
    node.nullable = true;
    if (rest.length === 1 && isObject(rest[0])) {
      const only = rest[0];
      // A $ref cannot have siblings in 3.0: keep it under allOf.
      if ('$ref' in only) node.allOf = [only];
      else Object.assign(node, { ...only, nullable: true });
    } else if (rest.length > 1) node[key] = rest;
  }
  if (Array.isArray(node.type) && node.type.includes('null')) {
    const types = node.type.filter((t) => t !== 'null');
    fixed.push(`${pointer}/type`);
    if (types.length === 1) node.type = types[0];
    else if (types.length === 0) delete node.type;
    else {
      delete node.type;
      node.anyOf = types.map((t) => ({ type: t }));
    }
    node.nullable = true;
  } else if (node.type === 'null') {
    fixed.push(`${pointer}/type`);
    delete node.type;
    node.nullable = true;
    node.enum = [null];
  }
  for (const [k, v] of Object.entries(node)) rewriteNullTypes(v, `${pointer}/${escape(k)}`, fixed);
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function tellOperationQuirks(root: Record<string, unknown>, warn: (pointer: string, message: string) => void): void {
  const paths = isObject(root.paths) ? root.paths : {};
  const noSchema: string[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const at = `/paths/${escape(path)}/${method}`;
      if (typeof op.operationId === 'string' && /\s/.test(op.operationId))
        warn(`${at}/operationId`, `operationId ${JSON.stringify(op.operationId)} has spaces; it is used as it is`);
      const responses = isObject(op.responses) ? op.responses : {};
      const success = Object.entries(responses).filter(([status]) => /^2/.test(status) && status !== '204');
      const hasSchema = success.some(
        ([, r]) =>
          isObject(r) &&
          isObject(r.content) &&
          Object.values(r.content).some((m) => isObject(m) && m.schema !== undefined),
      );
      if (success.length > 0 && !hasSchema && method !== 'delete') noSchema.push(at);
    }
  }
  if (noSchema.length > 0)
    warn(
      noSchema[0]!,
      `${noSchema.length} operation(s) document no response schema (first here): ids and items are learned from real responses`,
    );
}
