/**
 * Consumers: where a request carries the id of a record. Path parameters after a resource name,
 * query parameters and body fields named like ids of a known resource (`customerId`,
 * `customer_id`, `customerIds`, or Stripe's bare `customer`), and `x-tenantproof-resource` marks.
 */
import type { IdUse, ParameterInfo } from './api-model.ts';
import { valueExtensions } from './extensions.ts';
import { idReference } from './naming.ts';
import type { RawOperation } from './operations.ts';
import { anchorsOf, parseSegments } from './path-shape.ts';
import { arrayItems, objectShape, schemaTypes } from './schema-shape.ts';
import { isObject, type SpecDocument } from './spec-document.ts';

const NOT_IDS =
  /^(q|query|search|cursor|after|before|starting_after|ending_before|limit|offset|page|sort|order|fields|expand|include|format|status|type)$/i;
const MAX_BODY_DEPTH = 4;

function isScalarIdSchema(doc: SpecDocument, schema: unknown): { ok: boolean; many: boolean } {
  const s = doc.object(schema);
  if (Array.isArray(s.enum) || s.const !== undefined || s.readOnly === true) return { ok: false, many: false };
  const types = schemaTypes(s);
  if (types.includes('array')) {
    const inner = isScalarIdSchema(doc, arrayItems(doc, s));
    return { ok: inner.ok, many: true };
  }
  if (types.length === 0) {
    const branches = (Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : []) as unknown[];
    // Stripe: `customer: anyOf [string, customer object]` still takes an id on requests.
    return { ok: branches.some((b) => isScalarIdSchema(doc, b).ok) || branches.length === 0, many: false };
  }
  return { ok: types.some((t) => t === 'string' || t === 'integer'), many: false };
}

function paramRawSchemaNode(doc: SpecDocument, op: RawOperation, param: ParameterInfo): unknown {
  for (const list of [op.pathItem.parameters, op.operation.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const p = doc.object(raw);
      if (p.name === param.name && p.in === param.in) return p;
    }
  }
  return undefined;
}

export function findIdUses(
  doc: SpecDocument,
  op: RawOperation,
  resourcesWithId: ReadonlySet<string>,
  tenantPathParams?: ReadonlySet<string>,
): IdUse[] {
  const uses: IdUse[] = [];
  const anchors = anchorsOf(parseSegments(op.path, tenantPathParams));
  for (const param of op.parameters) {
    if (param.in !== 'path' && param.in !== 'query') continue;
    const ext = valueExtensions(doc, paramRawSchemaNode(doc, op, param), `${op.pointer}/parameters`);
    const marked = ext['x-tenantproof-resource'];
    if (marked === false) continue;
    if (typeof marked === 'string') {
      uses.push({ resource: marked, in: param.in, name: param.name, source: 'extension' });
      continue;
    }
    if (param.in === 'path') {
      // A tenant prefix (`/orgs/{orgId}`) names the caller's tenant, not a record: a tenant field.
      if (tenantPathParams?.has(param.name)) continue;
      const anchor = anchors.find((a) => a.param === param.name);
      const resource = anchor?.resource ?? idReference(param.name, resourcesWithId, true)?.resource;
      if (resource && resourcesWithId.has(resource))
        uses.push({ resource, in: 'path', name: param.name, source: 'inferred' });
      continue;
    }
    if (NOT_IDS.test(param.name)) continue;
    const ref = idReference(param.name, resourcesWithId, true);
    const shape = isScalarIdSchema(doc, param.schema);
    if (ref && ref.many && !shape.many && !/(ids|_ids)$/i.test(param.name)) continue;
    if (ref && shape.ok)
      uses.push({
        resource: ref.resource,
        in: 'query',
        name: param.name,
        ...(ref.many || shape.many ? { many: true } : {}),
        source: 'inferred',
      });
  }
  if (op.requestBody) walkBody(doc, op.requestBody.schema, '', 0, resourcesWithId, uses, new Set());
  return uses;
}

function walkBody(
  doc: SpecDocument,
  schema: unknown,
  prefix: string,
  depth: number,
  known: ReadonlySet<string>,
  uses: IdUse[],
  seen: Set<unknown>,
): void {
  if (depth > MAX_BODY_DEPTH) return;
  const resolved = doc.deref(schema).node;
  if (seen.has(resolved)) return;
  seen.add(resolved);
  const shape = objectShape(doc, schema);
  if (!shape) return;
  const entries = Object.entries(shape.properties);
  // A body that wraps its record (`{ "kase": { … } }`) is an envelope, not a reference.
  if (
    depth === 0 &&
    entries.length === 1 &&
    arrayItems(doc, entries[0]![1]) === undefined &&
    objectShape(doc, entries[0]![1])
  ) {
    walkBody(doc, entries[0]![1], entries[0]![0], depth + 1, known, uses, seen);
    seen.delete(resolved);
    return;
  }
  for (const [name, prop] of entries) {
    const path = prefix ? `${prefix}.${name}` : name;
    const propNode = doc.deref(prop).node;
    const ext = valueExtensions(doc, isObject(prop) ? prop : propNode, '/components/schemas');
    const marked = ext['x-tenantproof-resource'];
    if (marked === false) continue;
    const idShape = isScalarIdSchema(doc, prop);
    if (typeof marked === 'string') {
      uses.push({
        resource: marked,
        in: 'body',
        name: path,
        ...(idShape.many ? { many: true } : {}),
        source: 'extension',
      });
      continue;
    }
    if (idShape.ok) {
      const ref = idReference(name, known, true);
      // A plural name (`notes`) only holds ids when it is an array; a string `notes` is free text.
      if (ref && ref.many && !idShape.many && !/(ids|_ids)$/i.test(name)) continue;
      if (ref)
        uses.push({
          resource: ref.resource,
          in: 'body',
          name: path,
          ...(ref.many || idShape.many ? { many: true } : {}),
          source: 'inferred',
        });
      continue;
    }
    const items = arrayItems(doc, prop);
    // A nested reference by object: `{ "party": { "id": 7 } }` (Capsule, Jira, HubSpot style).
    const refObject = objectShape(doc, items ?? prop);
    const ref =
      refObject && refObject.properties.id !== undefined && isScalarIdSchema(doc, refObject.properties.id).ok
        ? idReference(name, known, true)
        : undefined;
    if (ref) {
      const many = items !== undefined;
      if (!(ref.many && !many)) {
        uses.push({
          resource: ref.resource,
          in: 'body',
          name: `${path}${many ? '[]' : ''}.id`,
          ...(many ? { many: true } : {}),
          source: 'inferred',
        });
        continue;
      }
    }
    if (items !== undefined) walkBody(doc, items, `${path}[]`, depth + 1, known, uses, seen);
    else walkBody(doc, prop, path, depth + 1, known, uses, seen);
  }
  seen.delete(resolved);
}
