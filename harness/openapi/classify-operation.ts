/**
 * Structural classification of one operation from its path shape, method and response: collection,
 * create, item, singleton, action, search, aggregate, export, audit, or unclassified with a reason.
 */
import type { ItemAction, OperationKind } from './api-model.ts';
import { resourceNameFromSegment } from './naming.ts';
import type { RawOperation } from './operations.ts';
import { anchorsOf, isPluralNoun, parseSegments, type Segment } from './path-shape.ts';
import { findItems, schemaIdentity, unwrapRecord } from './schema-shape.ts';
import type { SpecDocument } from './spec-document.ts';

const SEARCH = /(search|^find|^query|^lookup|^autocomplete)$/i;
const EXPORT = /^(exports?|download|dump|bulk[-_]?export)$/i;
const AGGREGATE =
  /^(summary|summaries|reports?|reporting|stats|statistics|counts?|metrics|totals?|analytics|insights|dashboard|aggregates?|aggregations?)$/i;
const AUDIT = /^(audit|audit[-_]?events?|audit[-_]?logs?|audit[-_]?trail)$/i;
const AUTH = /^(login|logout|signin|sign[-_]in|signup|sign[-_]up|authorize|oauth2?|refresh|authenticate)$/i;
const SINGLETON = /^(me|self|whoami|current[-_]?user)$/i;
const EXPORT_TYPES = /text\/csv|ndjson|octet-stream|zip|spreadsheet|ms-excel|jsonl/i;

export interface Classification {
  kind: OperationKind;
  itemAction?: ItemAction;
  resource?: string;
  parent?: { resource: string; param: string };
  reason?: string;
  /** Dotted path of the items array for collection-like responses. */
  itemsField?: string;
}

export interface ResourceIndex {
  /** Resources that have an item path (`/things/{id}`) somewhere. */
  withItems: Set<string>;
  /** Schema `$ref` -> resource, from item reads and creates. */
  bySchema: Map<string, string>;
  /** Path parameters that select the caller's tenant by path prefix (tenant-path-prefix.ts). */
  tenantPathParams?: ReadonlySet<string>;
}

function itemActionOf(method: string): ItemAction | undefined {
  if (method === 'get' || method === 'head') return 'read';
  if (method === 'put' || method === 'patch' || method === 'post') return 'update';
  if (method === 'delete') return 'delete';
  return undefined;
}

function listItems(doc: SpecDocument, op: RawOperation): { field: string; itemSchema: unknown } | undefined {
  const schema = op.successResponse?.schema;
  return schema === undefined ? undefined : findItems(doc, schema);
}

function resourceOfItems(doc: SpecDocument, index: ResourceIndex, itemSchema: unknown): string | undefined {
  const id = schemaIdentity(doc, itemSchema);
  return id ? index.bySchema.get(id) : undefined;
}

export function classifyOperation(doc: SpecDocument, op: RawOperation, index: ResourceIndex): Classification {
  const segments = parseSegments(op.path, index.tenantPathParams);
  const anchors = anchorsOf(segments);
  const last = segments[segments.length - 1];
  const method = op.method;
  const lastAnchor = anchors[anchors.length - 1];
  if (method === 'options' || method === 'head' || method === 'trace') {
    return { kind: 'unclassified', reason: `${method.toUpperCase()} is protocol plumbing, not data` };
  }
  // `/orgs/{orgId}` itself, under path-prefix tenancy: the caller's own tenant.
  if (!last && method === 'get' && segments.length < parseSegments(op.path).length)
    return { kind: 'singleton', reason: "the caller's own tenant (path-prefix tenancy)" };
  if (!last) return { kind: 'unclassified', reason: 'the root path has no resource' };

  // 1. `/things/{id}`: one record.
  if (last.param !== undefined) {
    if (!lastAnchor || lastAnchor.index !== segments.length - 1) {
      return { kind: 'unclassified', reason: `path parameter {${last.param}} does not follow a resource name` };
    }
    const parentAnchor = anchors[anchors.length - 2];
    const itemAction = itemActionOf(method);
    if (!itemAction) return { kind: 'unclassified', reason: `${method.toUpperCase()} on an item` };
    return {
      kind: 'item',
      itemAction,
      resource: lastAnchor.resource,
      ...(parentAnchor ? { parent: { resource: parentAnchor.resource, param: parentAnchor.param } } : {}),
    };
  }

  // Literal segments after the last parameter (`/reports/summary`, `/quotes/{id}/accept`).
  let lastParamIndex = -1;
  segments.forEach((s, i) => {
    if (s.param !== undefined) lastParamIndex = i;
  });
  const tail = segments.slice(lastParamIndex + 1).map((s) => (s as Extract<Segment, { literal: string }>).literal);
  const lastLiteral = tail[tail.length - 1]!;
  if (lastParamIndex >= 0 && lastAnchor?.index !== lastParamIndex) {
    return {
      kind: 'unclassified',
      reason: `path parameter {${(segments[lastParamIndex] as { param: string }).param}} does not follow a resource name`,
    };
  }
  const parent = lastAnchor ? { resource: lastAnchor.resource, param: lastAnchor.param } : undefined;
  const withParent = parent ? { parent } : {};
  // For an action or sub-resource of a nested record, the record's own parent.
  const outer = anchors[anchors.length - 2];
  const withGrandParent = outer ? { parent: { resource: outer.resource, param: outer.param } } : {};
  const items = method === 'get' || (method === 'post' && SEARCH.test(lastLiteral)) ? listItems(doc, op) : undefined;
  const itemsResource = items ? resourceOfItems(doc, index, items.itemSchema) : undefined;
  const pathResource =
    tail.length > 1 && index.withItems.has(resourceNameFromSegment(tail[0]!))
      ? resourceNameFromSegment(tail[0]!)
      : parent?.resource;

  if (tail.some((t) => AUDIT.test(t))) {
    return {
      kind: 'audit',
      resource: itemsResource ?? resourceNameFromSegment(lastLiteral),
      ...withParent,
      ...(items ? { itemsField: items.field } : {}),
    };
  }
  if (SEARCH.test(lastLiteral) && (method === 'get' || method === 'post')) {
    return {
      kind: 'search',
      ...(pathResource ? { resource: pathResource } : {}),
      ...withParent,
      ...(items ? { itemsField: items.field } : {}),
    };
  }
  const exportByType =
    method === 'get' && op.successContentTypes.length > 0 && op.successContentTypes.every((t) => EXPORT_TYPES.test(t));
  if ((tail.some((t) => EXPORT.test(t)) && (method === 'get' || method === 'post')) || exportByType) {
    return { kind: 'export', ...(pathResource ? { resource: pathResource } : {}), ...withParent };
  }
  if (tail.some((t) => AGGREGATE.test(t)) && method === 'get') {
    return { kind: 'aggregate', ...(pathResource ? { resource: pathResource } : {}), ...withParent };
  }
  if (AUTH.test(lastLiteral) && !parent)
    return { kind: 'unclassified', reason: `authentication endpoint (${lastLiteral})` };

  const plural = isPluralNoun(lastLiteral) || index.withItems.has(resourceNameFromSegment(lastLiteral));
  const literalResource = resourceNameFromSegment(lastLiteral);

  // 2. Under a record: a child collection (`/customers/{id}/notes`) or an action (`/quotes/{id}/accept`).
  if (parent && tail.length === 1) {
    if (plural) {
      if (method === 'get')
        return {
          kind: 'collection',
          resource: itemsResource ?? literalResource,
          parent,
          ...(items ? { itemsField: items.field } : {}),
        };
      if (method === 'post' || method === 'put') return { kind: 'create', resource: literalResource, parent };
      if (method === 'delete')
        return { kind: 'unclassified', reason: 'DELETE of a whole child collection (bulk delete)' };
      return { kind: 'unclassified', reason: `${method.toUpperCase()} of a whole child collection (bulk update)` };
    }
    if (method === 'get') {
      if (items && itemsResource)
        return { kind: 'collection', resource: itemsResource, parent, ...(items ? { itemsField: items.field } : {}) };
      return {
        kind: 'item',
        itemAction: 'read',
        resource: parent.resource,
        reason: `sub-resource ${lastLiteral} of ${parent.resource}`,
        ...withGrandParent,
      };
    }
    return { kind: 'action', resource: parent.resource, ...withGrandParent };
  }

  // A verb below a sub-object of a record (`/charges/{id}/dispute/close`): an action on the record.
  if (parent && tail.length > 1 && method !== 'get' && !plural) {
    return {
      kind: 'action',
      resource: parent.resource,
      reason: `action ${tail.join('/')} on a ${parent.resource}`,
      ...withGrandParent,
    };
  }

  // 3. No record in the path (or several literals after it).
  if (method === 'get') {
    if (SINGLETON.test(lastLiteral)) return { kind: 'singleton', resource: literalResource, ...withParent };
    if (items && (itemsResource || plural || items.field !== '' || tail.length > 1)) {
      return {
        kind: 'collection',
        resource: itemsResource ?? (plural ? literalResource : (pathResource ?? literalResource)),
        ...withParent,
        itemsField: items.field,
      };
    }
    if (plural)
      return {
        kind: 'collection',
        resource: literalResource,
        ...withParent,
        reason: 'list without a recognisable items array',
      };
    return { kind: 'singleton', resource: literalResource, ...withParent };
  }
  if (method === 'post' || method === 'put') {
    if (plural) return { kind: 'create', resource: literalResource, ...withParent };
    if (!SINGLETON.test(lastLiteral) && method === 'post' && tail.length > 1 && pathResource) {
      return {
        kind: 'unclassified',
        reason: `POST ${lastLiteral} on the ${pathResource} collection is neither a create nor an action on one record`,
      };
    }
    if (method === 'put' || SINGLETON.test(lastLiteral) || tail.length === 1)
      return { kind: 'singleton', resource: literalResource, ...withParent };
    return { kind: 'unclassified', reason: `POST on ${op.path}, which is neither a collection nor a record` };
  }
  if (method === 'patch') {
    if (plural) return { kind: 'unclassified', reason: 'PATCH of a whole collection (bulk update)' };
    return { kind: 'singleton', resource: literalResource, ...withParent };
  }
  if (method === 'delete') {
    if (plural) return { kind: 'unclassified', reason: 'DELETE of a whole collection (bulk delete)' };
    return { kind: 'singleton', resource: literalResource, ...withParent };
  }
  return { kind: 'unclassified', reason: `${String(method).toUpperCase()} on ${op.path}` };
}

/** Record schema and envelope of a single-record success response. */
export function recordOf(
  doc: SpecDocument,
  op: RawOperation,
  preferredId: string[],
): { schema: unknown; envelope?: string; ref?: string } | undefined {
  const schema = op.successResponse?.schema;
  if (schema === undefined) return undefined;
  const unwrapped = unwrapRecord(doc, schema, preferredId);
  if (!unwrapped) return undefined;
  const ref = schemaIdentity(doc, unwrapped.schema);
  return { ...unwrapped, ...(ref ? { ref } : {}) };
}
