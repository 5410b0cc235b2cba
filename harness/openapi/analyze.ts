/**
 * Builds the ApiModel: classify every operation, find resources, producers and consumers, the
 * tenant-owned operations and the probes for each, then apply `x-tenantproof-*` overrides.
 */
import type { ApiModel, IdUse, OperationInfo, ProducerConsumerEdge, ResourceInfo } from './api-model.ts';
import { classifyOperation, recordOf, type Classification, type ResourceIndex } from './classify-operation.ts';
import { operationExtensions, readExtensions, rootExtensionsSchema, type OperationExtensions } from './extensions.ts';
import { findIdUses } from './id-uses.ts';
import { toPointer } from './json-pointer.ts';
import { loadSpec, type LoadSpecOptions } from './load-spec.ts';
import { listOperations, type RawOperation } from './operations.ts';
import { detectPagination } from './pagination.ts';
import { anchorsOf, parseSegments, pathPrefix } from './path-shape.ts';
import { probesFor } from './probes.ts';
import { findIdField, findItems, objectShape, schemaIdentity } from './schema-shape.ts';
import { isObject, type SpecDocument } from './spec-document.ts';
import { tenantFieldsOf } from './tenant-fields.ts';
import { tenantPathParams } from './tenant-path-prefix.ts';
import { ownershipContext, tenantOwnership } from './tenant-ownership.ts';
import type { SpecWarning } from './validate-document.ts';

const SEARCH_PARAMS = /^(q|query|search|term|keywords?|text|search_?term|filter\[q\])$/i;

export async function analyzeSpecFile(file: string, options: LoadSpecOptions = {}): Promise<ApiModel> {
  const { document, warnings } = await loadSpec(file, options);
  return analyzeDocument(document, warnings);
}

interface Draft {
  raw: RawOperation;
  ext: OperationExtensions;
  cls: Classification;
}

export function analyzeDocument(doc: SpecDocument, warnings: SpecWarning[] = []): ApiModel {
  const rootExt = readExtensions(doc, doc.root, '', rootExtensionsSchema, 'the document');
  const raws = listOperations(doc);
  const ownership = ownershipContext(doc);
  const tenantParams = tenantPathParams(doc, raws);

  // Pass 1: resources that have item paths, their id fields and record schemas.
  const itemParam = new Map<string, string>();
  const itemPaths = new Map<string, string>();
  const collectionPaths = new Map<string, string>();
  const parents = new Map<string, string>();
  for (const raw of raws) {
    const segments = parseSegments(raw.path, tenantParams);
    const anchors = anchorsOf(segments);
    anchors.forEach((a, i) => {
      if (!itemParam.has(a.resource)) itemParam.set(a.resource, a.param);
      if (!itemPaths.has(a.resource)) {
        itemPaths.set(a.resource, pathPrefix(raw.path, segments, a.index + 1));
        collectionPaths.set(a.resource, pathPrefix(raw.path, segments, a.index));
      }
      const parent = anchors[i - 1];
      if (parent && !parents.has(a.resource)) parents.set(a.resource, parent.resource);
    });
  }
  const index: ResourceIndex = {
    withItems: new Set(itemParam.keys()),
    bySchema: new Map(),
    tenantPathParams: tenantParams,
  };
  const idFields = new Map<string, string>();
  const schemaRefs = new Map<string, string>();
  for (const [name, spec] of Object.entries(rootExt['x-tenantproof-resources'] ?? {}))
    if (spec.idField) idFields.set(name, spec.idField);

  const drafts: Draft[] = raws.map((raw) => {
    const ext = operationExtensions(doc, raw.pathItem, raw.operation, toPointer(['paths', raw.path]), raw.pointer);
    return { raw, ext, cls: { kind: 'unclassified' } };
  });
  // Record schemas from item reads: they name each resource's schema and id field.
  for (const d of drafts) {
    const segments = parseSegments(d.raw.path, tenantParams);
    const anchors = anchorsOf(segments);
    const last = anchors[anchors.length - 1];
    if (d.raw.method !== 'get' || !last || last.index !== segments.length - 1) continue;
    const resource = d.ext['x-tenantproof-resource'] ?? last.resource;
    const preferred = [d.ext['x-tenantproof-id-field'] ?? idFields.get(resource), last.param].filter(
      (x): x is string => !!x,
    );
    const record = recordOf(doc, d.raw, preferred);
    if (!record) continue;
    if (record.ref && !index.bySchema.has(record.ref)) index.bySchema.set(record.ref, resource);
    if (record.ref && !schemaRefs.has(resource)) schemaRefs.set(resource, record.ref);
    const idField = d.ext['x-tenantproof-id-field'] ?? findIdField(doc, record.schema, preferred);
    if (idField && !idFields.has(resource)) idFields.set(resource, idField);
  }

  // Pass 2: classify.
  for (const d of drafts) {
    d.cls = classifyOperation(doc, d.raw, index);
    if (d.ext['x-tenantproof-ignore']) d.cls = { kind: 'unclassified', reason: 'ignored (x-tenantproof-ignore)' };
    if (d.ext['x-tenantproof-kind']) {
      d.cls = { ...d.cls, kind: d.ext['x-tenantproof-kind'] };
      if (d.cls.kind !== 'unclassified') delete d.cls.reason;
      else d.cls.reason = 'marked unclassified (x-tenantproof-kind)';
    }
    if (d.ext['x-tenantproof-item-action']) d.cls.itemAction = d.ext['x-tenantproof-item-action'];
    if (d.cls.kind === 'item' && !d.cls.itemAction)
      d.cls.itemAction = d.raw.method === 'delete' ? 'delete' : d.raw.method === 'get' ? 'read' : 'update';
    if (d.cls.kind !== 'item') delete d.cls.itemAction;
    if (d.ext['x-tenantproof-resource']) d.cls.resource = d.ext['x-tenantproof-resource'];
    if (d.ext['x-tenantproof-parent']) {
      const param =
        anchorsOf(parseSegments(d.raw.path, tenantParams)).find((a) => a.resource === d.ext['x-tenantproof-parent'])
          ?.param ?? '';
      d.cls.parent = { resource: d.ext['x-tenantproof-parent'], param };
    }
  }

  // Create responses name schemas of resources without item reads.
  for (const d of drafts) {
    if (d.cls.kind !== 'create' || !d.cls.resource) continue;
    const resource = d.cls.resource;
    const preferred = [d.ext['x-tenantproof-id-field'] ?? idFields.get(resource), itemParam.get(resource)].filter(
      (x): x is string => !!x,
    );
    const record = recordOf(doc, d.raw, preferred);
    if (!record) continue;
    if (record.ref && !index.bySchema.has(record.ref)) index.bySchema.set(record.ref, resource);
    if (record.ref && !schemaRefs.has(resource)) schemaRefs.set(resource, record.ref);
    const idField = d.ext['x-tenantproof-id-field'] ?? findIdField(doc, record.schema, preferred);
    if (idField && !idFields.has(resource)) idFields.set(resource, idField);
  }

  const resourcesWithId = new Set<string>([...itemParam.keys(), ...idFields.keys()]);
  const operations: OperationInfo[] = drafts.map((d) =>
    buildOperation(doc, d, {
      idFields,
      itemParam,
      index,
      resourcesWithId,
      ownership,
      rootDefault: rootExt['x-tenantproof-tenant-owned'],
    }),
  );

  const resources = buildResources(operations, { idFields, schemaRefs, itemPaths, collectionPaths, parents });
  const edges = buildEdges(operations);
  const info = isObject(doc.root.info) ? doc.root.info : {};
  const servers = Array.isArray(doc.root.servers)
    ? doc.root.servers
        .filter(isObject)
        .map((s) => String(s.url ?? ''))
        .filter(Boolean)
    : [];
  return {
    document: doc,
    title: String(info.title ?? ''),
    version: String(info.version ?? ''),
    openapi: String(doc.root.openapi),
    servers,
    operations,
    resources,
    edges,
    warnings,
  };
}

interface BuildContext {
  idFields: Map<string, string>;
  itemParam: Map<string, string>;
  index: ResourceIndex;
  resourcesWithId: Set<string>;
  ownership: ReturnType<typeof ownershipContext>;
  rootDefault: boolean | undefined;
}

function buildOperation(doc: SpecDocument, d: Draft, ctx: BuildContext): OperationInfo {
  const { raw, ext, cls } = d;
  const overrides = Object.keys(ext).sort();
  const owned =
    ext['x-tenantproof-tenant-owned'] !== undefined
      ? { tenantOwned: ext['x-tenantproof-tenant-owned'], reason: 'x-tenantproof-tenant-owned' }
      : ext['x-tenantproof-ignore']
        ? { tenantOwned: false, reason: 'ignored (x-tenantproof-ignore)' }
        : tenantOwnership(ctx.ownership, raw.operation, ctx.rootDefault);

  // Consumers.
  let consumes: IdUse[] = findIdUses(doc, raw, ctx.resourcesWithId, ctx.index.tenantPathParams);
  const consumeExt = ext['x-tenantproof-consumes'];
  if (consumeExt) {
    const extra: IdUse[] = Array.isArray(consumeExt)
      ? consumeExt.map((u) => ({
          resource: u.resource,
          in: u.in,
          name: u.name,
          ...(u.many ? { many: true } : {}),
          source: 'extension' as const,
        }))
      : Object.entries(consumeExt).map(([key, resource]) => {
          const m = /^(path|query|body):(.+)$/.exec(key);
          const name = m ? m[2]! : key;
          const where = m
            ? (m[1] as IdUse['in'])
            : raw.parameters.find((p) => p.name === key && p.in === 'path')
              ? 'path'
              : raw.parameters.find((p) => p.name === key && p.in === 'query')
                ? 'query'
                : 'body';
          return { resource, in: where, name, source: 'extension' as const };
        });
    consumes = consumes.filter((u) => !extra.some((e) => e.in === u.in && e.name === u.name)).concat(extra);
  }
  consumes.sort((a, b) => `${a.in}:${a.name}`.localeCompare(`${b.in}:${b.name}`));

  // Producer.
  let produces: OperationInfo['produces'];
  const response = raw.successResponse;
  if (
    ext['x-tenantproof-produces'] !== false &&
    response?.schema !== undefined &&
    ['post', 'put'].includes(raw.method)
  ) {
    const explicit = typeof ext['x-tenantproof-produces'] === 'string' ? ext['x-tenantproof-produces'] : undefined;
    const record = recordOf(
      doc,
      raw,
      [
        ext['x-tenantproof-id-field'],
        explicit ? ctx.idFields.get(explicit) : undefined,
        cls.resource ? ctx.idFields.get(cls.resource) : undefined,
      ].filter((x): x is string => !!x),
    );
    let resource: string | undefined = explicit;
    if (!resource && cls.kind === 'create') resource = cls.resource;
    if (!resource && record?.ref && (cls.kind === 'action' || cls.kind === 'unclassified')) {
      const other = ctx.index.bySchema.get(record.ref);
      if (other && other !== cls.resource) resource = other;
    }
    if (resource && record) {
      const idField =
        ext['x-tenantproof-id-field'] ??
        ctx.idFields.get(resource) ??
        findIdField(doc, record.schema, [ctx.itemParam.get(resource) ?? '']);
      if (idField && objectShape(doc, record.schema)?.properties[idField] !== undefined) {
        produces = {
          resource,
          idField,
          status: response.status,
          ...((ext['x-tenantproof-envelope'] ?? record.envelope)
            ? { envelope: ext['x-tenantproof-envelope'] ?? record.envelope! }
            : {}),
        };
      }
    }
  }
  // A create whose response documents no usable record (no schema, as framework generators often
  // emit): its id is learned from the real response, from an id-like field or the Location header.
  if (
    !produces &&
    ext['x-tenantproof-produces'] !== false &&
    cls.kind === 'create' &&
    cls.resource &&
    ['post', 'put'].includes(raw.method)
  ) {
    const resource = typeof ext['x-tenantproof-produces'] === 'string' ? ext['x-tenantproof-produces'] : cls.resource;
    produces = {
      resource,
      idField: ext['x-tenantproof-id-field'] ?? ctx.idFields.get(resource) ?? 'id',
      status: response?.status ?? '201',
      learned: true,
      ...(ext['x-tenantproof-envelope'] ? { envelope: ext['x-tenantproof-envelope'] } : {}),
    };
  }

  // Lists: items, pagination, search.
  const isList = cls.kind === 'collection' || cls.kind === 'audit' || cls.kind === 'search';
  let itemsField = ext['x-tenantproof-items'] ?? cls.itemsField;
  if (isList && itemsField === undefined && response?.schema !== undefined)
    itemsField = findItems(doc, response.schema)?.field;
  const pagination = isList
    ? (ext['x-tenantproof-pagination'] ?? detectPagination(doc, raw.parameters, response?.schema))
    : undefined;
  const searchParam =
    ext['x-tenantproof-search-param'] ??
    raw.parameters.find((p) => p.in === 'query' && SEARCH_PARAMS.test(p.name))?.name ??
    (cls.kind === 'search'
      ? raw.parameters.find(
          (p) =>
            p.in === 'query' &&
            p.required &&
            schemaIdentity(doc, p.schema) === undefined &&
            doc.object(p.schema).type === 'string',
        )?.name
      : undefined);
  const idempotencyHeader = raw.parameters.find(
    (p) => p.in === 'header' && /idempotency|x-request-key/i.test(p.name),
  )?.name;
  const uniqueFields = raw.requestBody ? findUniqueFields(doc, raw.requestBody.schema) : [];
  const tenantFields = tenantFieldsOf(doc, raw.parameters, raw.requestBody?.schema, ctx.index.tenantPathParams);

  const draft: Omit<OperationInfo, 'probes'> = {
    operationId: raw.operationId,
    method: raw.method,
    path: raw.path,
    pointer: raw.pointer,
    kind: cls.kind,
    ...(cls.itemAction ? { itemAction: cls.itemAction } : {}),
    ...(cls.resource ? { resource: cls.resource } : {}),
    ...(cls.parent ? { parent: cls.parent } : {}),
    ...(cls.reason ? { reason: cls.reason } : {}),
    tenantOwned: owned.tenantOwned,
    tenantOwnedReason: owned.reason,
    ...(produces ? { produces } : {}),
    consumes,
    parameters: raw.parameters,
    ...(raw.requestBody ? { requestBody: raw.requestBody } : {}),
    ...(response ? { successResponse: response } : {}),
    ...(isList && itemsField !== undefined ? { itemsField } : {}),
    ...(pagination ? { pagination } : {}),
    ...(searchParam && (isList || cls.kind === 'search') ? { searchParam } : {}),
    ...(idempotencyHeader ? { idempotencyHeader } : {}),
    ...(uniqueFields.length ? { uniqueFields } : {}),
    ...(tenantFields.length ? { tenantFields } : {}),
    overrides,
  };
  return { ...draft, probes: probesFor(draft, ext['x-tenantproof-skip-probes'] ?? []) };
}

function buildResources(
  operations: OperationInfo[],
  maps: {
    idFields: Map<string, string>;
    schemaRefs: Map<string, string>;
    itemPaths: Map<string, string>;
    collectionPaths: Map<string, string>;
    parents: Map<string, string>;
  },
): ResourceInfo[] {
  const byName = new Map<string, ResourceInfo>();
  const get = (name: string): ResourceInfo => {
    let r = byName.get(name);
    if (!r) {
      r = { name, producers: [], consumers: [], operations: [] };
      const idField = maps.idFields.get(name);
      if (idField) r.idField = idField;
      const ref = maps.schemaRefs.get(name);
      if (ref) r.schemaRef = ref;
      const item = maps.itemPaths.get(name);
      if (item) r.itemPath = item;
      const coll = maps.collectionPaths.get(name);
      if (coll) r.collectionPath = coll;
      const parent = maps.parents.get(name);
      if (parent) r.parent = parent;
      byName.set(name, r);
    }
    return r;
  };
  for (const op of operations) {
    if (op.resource) get(op.resource).operations.push(op.operationId);
    if (op.produces) {
      const r = get(op.produces.resource);
      r.producers.push(op.operationId);
      if (!r.idField) r.idField = op.produces.idField;
      if (op.kind === 'create' && !r.collectionPath) r.collectionPath = op.path;
    }
    for (const use of op.consumes) {
      const r = get(use.resource);
      if (!r.consumers.includes(op.operationId)) r.consumers.push(op.operationId);
    }
  }
  const resources = [...byName.values()];
  for (const r of resources) {
    r.producers.sort();
    r.consumers.sort();
    r.operations = [...new Set(r.operations)].sort();
  }
  return resources.sort((a, b) => a.name.localeCompare(b.name));
}

function buildEdges(operations: OperationInfo[]): ProducerConsumerEdge[] {
  const producers = new Map<string, string[]>();
  for (const op of operations)
    if (op.produces)
      producers.set(op.produces.resource, [...(producers.get(op.produces.resource) ?? []), op.operationId]);
  const edges: ProducerConsumerEdge[] = [];
  for (const op of operations) {
    for (const use of op.consumes) {
      for (const producer of producers.get(use.resource) ?? [])
        edges.push({ resource: use.resource, producer, consumer: op.operationId, in: use.in, name: use.name });
    }
  }
  return edges.sort((a, b) =>
    [a.resource, a.producer, a.consumer, a.in, a.name]
      .join('\0')
      .localeCompare([b.resource, b.producer, b.consumer, b.in, b.name].join('\0')),
  );
}

const UNIQUE_NAMES =
  /^(email|e?mail_?address|username|user_?name|login|handle|slug|code|sku|external_?id|domain|subdomain)$/i;

/** Body fields that are usually unique within a tenant, top level and one object level down (envelopes). */
function findUniqueFields(doc: SpecDocument, schema: unknown, prefix = '', depth = 0): string[] {
  const shape = objectShape(doc, schema);
  if (!shape || depth > 1) return [];
  const out: string[] = [];
  for (const [name, prop] of Object.entries(shape.properties)) {
    const p = doc.object(prop);
    const path = prefix ? `${prefix}.${name}` : name;
    if (p.readOnly === true) continue;
    if (
      (p.format === 'email' || UNIQUE_NAMES.test(name)) &&
      (p.type === 'string' || (Array.isArray(p.type) && p.type.includes('string')) || p.type === undefined)
    )
      out.push(path);
    else if (objectShape(doc, prop) && p.type !== 'array') out.push(...findUniqueFields(doc, prop, path, depth + 1));
  }
  return out.sort();
}
