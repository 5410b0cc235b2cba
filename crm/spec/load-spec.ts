/**
 * Loads specs/crm.openapi.yaml (the source of truth) and exposes its operations with every
 * `$ref` resolved, so route schemas are derived from the contract rather than written by hand.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export type JsonSchema = { [key: string]: unknown };

export interface SpecParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: JsonSchema;
}

export interface SpecOperation {
  operationId: string;
  method: string;
  /** OpenAPI path, e.g. `/v1/customers/{customerId}`. */
  path: string;
  /** Fastify path, e.g. `/v1/customers/:customerId`. */
  routePath: string;
  parameters: SpecParameter[];
  requestBody?: { required: boolean; schema: JsonSchema };
  /** status code → media type → schema (resolved). */
  responses: Record<string, Record<string, JsonSchema | undefined>>;
}

export interface LoadedSpec {
  document: JsonSchema;
  operations: SpecOperation[];
  byOperationId: Map<string, SpecOperation>;
  schema(name: string): JsonSchema;
}

export class SpecError extends Error {
  override name = 'SpecError';
}

export const DEFAULT_SPEC_PATH = fileURLToPath(new URL('../../specs/crm.openapi.yaml', import.meta.url));

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pointer(document: JsonSchema, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new SpecError(`only local $refs are supported: ${ref}`);
  let node: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) || !(key in node)) throw new SpecError(`unresolvable $ref ${ref}`);
    node = node[key];
  }
  return node;
}

/** Deep copy with every local `$ref` replaced by its target (the spec has no recursive schemas). */
export function resolveRefs(document: JsonSchema, node: unknown, seen: readonly string[] = []): unknown {
  if (Array.isArray(node)) return node.map((item) => resolveRefs(document, item, seen));
  if (!isObject(node)) return node;
  if (typeof node.$ref === 'string') {
    const ref = node.$ref;
    if (seen.includes(ref)) throw new SpecError(`recursive $ref ${ref}`);
    const { $ref: _ignored, ...siblings } = node;
    const target = resolveRefs(document, pointer(document, ref), [...seen, ref]);
    return isObject(target) ? { ...target, ...(resolveRefs(document, siblings, seen) as JsonSchema) } : target;
  }
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) out[key] = resolveRefs(document, value, seen);
  return out;
}

export function loadSpec(path: string = DEFAULT_SPEC_PATH): LoadedSpec {
  const document = parse(readFileSync(path, 'utf8')) as JsonSchema;
  const paths = document.paths;
  if (!isObject(paths)) throw new SpecError('spec has no paths');
  const operations: SpecOperation[] = [];
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = resolveRefs(document, rawItem) as JsonSchema;
    const shared = (item.parameters as SpecParameter[] | undefined) ?? [];
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const own = (op.parameters as SpecParameter[] | undefined) ?? [];
      const parameters = [...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)), ...own];
      const body = op.requestBody as JsonSchema | undefined;
      const bodySchema = isObject(body)
        ? ((body.content as JsonSchema)['application/json'] as JsonSchema | undefined)?.schema
        : undefined;
      const responses: SpecOperation['responses'] = {};
      for (const [status, response] of Object.entries((op.responses as JsonSchema) ?? {})) {
        const content = isObject(response) && isObject(response.content) ? response.content : {};
        responses[status] = {};
        for (const [mediaType, media] of Object.entries(content)) {
          responses[status]![mediaType] = isObject(media) ? (media.schema as JsonSchema | undefined) : undefined;
        }
      }
      if (typeof op.operationId !== 'string') throw new SpecError(`${method} ${path} has no operationId`);
      operations.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        routePath: path.replace(/\{([^}]+)\}/g, ':$1'),
        parameters,
        ...(isObject(bodySchema) ? { requestBody: { required: body?.required === true, schema: bodySchema } } : {}),
        responses,
      });
    }
  }
  return {
    document,
    operations,
    byOperationId: new Map(operations.map((op) => [op.operationId, op])),
    schema(name: string): JsonSchema {
      const schemas = (document.components as JsonSchema | undefined)?.schemas as JsonSchema | undefined;
      if (!schemas || !isObject(schemas[name])) throw new SpecError(`no schema ${name}`);
      return resolveRefs(document, schemas[name]) as JsonSchema;
    },
  };
}

let cached: LoadedSpec | undefined;
/** The default spec, parsed once per process. */
export function defaultSpec(): LoadedSpec {
  cached ??= loadSpec();
  return cached;
}
