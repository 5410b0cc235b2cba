/**
 * `x-tenantproof-*` extensions: how a spec author overrides any inference. Each is validated with
 * zod; a wrong value is a SpecError naming its location. The list is documented in README.md.
 */
import { z } from 'zod';
import { OPERATION_KINDS } from './api-model.ts';
import { PROBE_NAMES } from './probes.ts';
import { isObject, type JsonObject, type SpecDocument } from './spec-document.ts';
import { SpecError } from './spec-error.ts';

export const EXTENSION_PREFIX = 'x-tenantproof-';

const idUseSchema = z.object({
  in: z.enum(['path', 'query', 'body']),
  name: z.string().min(1),
  resource: z.string().min(1),
  many: z.boolean().optional(),
});

/** `{ "customerId": "customer", "body:lineItems[].productId": "product" }` or a list of uses. */
const consumesSchema = z.union([z.record(z.string().min(1), z.string().min(1)), z.array(idUseSchema)]);

const paginationSchema = z.object({
  style: z.enum(['cursor', 'page', 'offset', 'none']),
  param: z.string().optional(),
  limitParam: z.string().optional(),
  nextField: z.string().optional(),
  hasMoreField: z.string().optional(),
});

/** Allowed on an operation, or on a path item (then inherited by its operations). */
export const operationExtensionsSchema = z
  .object({
    'x-tenantproof-ignore': z.boolean(),
    'x-tenantproof-kind': z.enum(OPERATION_KINDS),
    'x-tenantproof-item-action': z.enum(['read', 'update', 'delete']),
    'x-tenantproof-resource': z.string().min(1),
    'x-tenantproof-parent': z.string().min(1),
    'x-tenantproof-tenant-owned': z.boolean(),
    'x-tenantproof-produces': z.union([z.string().min(1), z.literal(false)]),
    'x-tenantproof-id-field': z.string().min(1),
    'x-tenantproof-envelope': z.string().min(1),
    'x-tenantproof-consumes': consumesSchema,
    'x-tenantproof-search-param': z.string().min(1),
    'x-tenantproof-items': z.string(),
    'x-tenantproof-pagination': paginationSchema,
    'x-tenantproof-skip-probes': z.array(z.enum(PROBE_NAMES)),
  })
  .partial()
  .strict();
export type OperationExtensions = z.infer<typeof operationExtensionsSchema>;

/** On a parameter or a schema property: this value holds an id of that resource (or, `false`, none). */
export const valueExtensionsSchema = z
  .object({
    'x-tenantproof-resource': z.union([z.string().min(1), z.literal(false)]),
    'x-tenantproof-canary': z.boolean(),
  })
  .partial()
  .strict();

export const securitySchemeExtensionsSchema = z.object({ 'x-tenantproof-admin': z.boolean() }).partial().strict();

export const rootExtensionsSchema = z
  .object({
    'x-tenantproof-tenant-owned': z.boolean(),
    'x-tenantproof-resources': z.record(
      z.string().min(1),
      z.object({ idField: z.string().min(1).optional() }).strict(),
    ),
    /** Set by the bundler (external files), not by authors. */
    'x-tenantproof-bundle': z.unknown(),
  })
  .partial()
  .strict();

function pickExtensions(node: JsonObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k.startsWith(EXTENSION_PREFIX)) out[k] = v;
  return out;
}

/** Validates the `x-tenantproof-*` keys of `node` against `schema`; throws a located SpecError. */
export function readExtensions<T>(
  doc: SpecDocument,
  node: JsonObject,
  pointer: string,
  schema: z.ZodType<T>,
  what: string,
): T {
  const picked = pickExtensions(node);
  if (Object.keys(picked).length === 0) return {} as T;
  const result = schema.safeParse(picked);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : String(issue.path[0] ?? '');
  const where = key ? `${pointer}/${key}` : pointer;
  const detail =
    issue.code === 'unrecognized_keys'
      ? `unknown extension ${key} on ${what}`
      : `bad value for ${key} on ${what}: ${issue.message}`;
  throw new SpecError('bad-extension', detail, doc.locate(where));
}

/** Operation-level extensions merged over the path item's. */
export function operationExtensions(
  doc: SpecDocument,
  pathItem: JsonObject,
  operation: JsonObject,
  pathPointer: string,
  opPointer: string,
): OperationExtensions {
  const fromPath = readExtensions(doc, pathItem, pathPointer, operationExtensionsSchema, 'a path item');
  const fromOp = readExtensions(doc, operation, opPointer, operationExtensionsSchema, 'an operation');
  return { ...fromPath, ...fromOp };
}

export function valueExtensions(
  doc: SpecDocument,
  node: unknown,
  pointer: string,
): z.infer<typeof valueExtensionsSchema> {
  return isObject(node) ? readExtensions(doc, node, pointer, valueExtensionsSchema, 'a parameter or schema') : {};
}
