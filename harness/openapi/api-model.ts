/**
 * What spec analysis infers about an API: operations with their kind, resources with their
 * producers and consumers, and which operations belong to a tenant. The campaign works from this.
 */
import type { ProbeName } from '../model/probe.ts';
import type { TenantField } from './tenant-fields.ts';
import type { SpecDocument } from './spec-document.ts';
import type { SpecWarning } from './validate-document.ts';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const OPERATION_KINDS = [
  /** GET of many records of one resource (a list, possibly filtered or paginated). */
  'collection',
  /** POST (or PUT) that creates a record on a collection path. */
  'create',
  /** GET, PATCH/PUT/POST or DELETE of one record by its id. See `itemAction`. */
  'item',
  /** A resource with no id in the path that stands for the caller (`/me`, `/user`, `/account`). */
  'singleton',
  /** A verb on one record (`POST /quotes/{id}/accept`). */
  'action',
  /** Full-text or cross-resource search. */
  'search',
  /** Counts, totals, reports, statistics. */
  'aggregate',
  /** Bulk export (CSV, NDJSON, files). */
  'export',
  /** The tenant's own audit log. */
  'audit',
  /** Nothing above fits; `reason` says why. */
  'unclassified',
] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

export type ItemAction = 'read' | 'update' | 'delete';

export type ParamLocation = 'path' | 'query' | 'header' | 'cookie';

export interface ParameterInfo {
  name: string;
  in: ParamLocation;
  required: boolean;
  /** The parameter's schema, `$ref`s unresolved (resolve with the SpecDocument). */
  schema: unknown;
}

export interface BodyInfo {
  contentType: string;
  required: boolean;
  schema: unknown;
}

export interface ResponseInfo {
  status: string;
  contentType?: string;
  schema?: unknown;
}

/** Where a request carries an id of some resource. */
export interface IdUse {
  resource: string;
  in: 'path' | 'query' | 'body';
  /** Parameter name, or for bodies the dotted property path (`customerId`, `address.ownerId`, `lineItems[].productId`). */
  name: string;
  /** True when the field is an array of ids. */
  many?: boolean;
  /** How the use was found: a naming rule, or an `x-tenantproof-*` extension. */
  source: 'inferred' | 'extension';
}

export type PaginationStyle = 'cursor' | 'page' | 'offset' | 'none';

export interface Pagination {
  style: PaginationStyle;
  /** Query parameter that carries the cursor, page number or offset. */
  param?: string;
  /** Query parameter for the page size. */
  limitParam?: string;
  /** Dotted path of the response field holding the next cursor (`nextCursor`, `meta.next`). */
  nextField?: string;
  /** Dotted path of a boolean "more pages" flag (`has_more`). */
  hasMoreField?: string;
}

export interface OperationInfo {
  /** The spec's operationId, or `<method> <path>` when it has none. */
  operationId: string;
  method: HttpMethod;
  path: string;
  /** JSON pointer of the operation in the bundled document. */
  pointer: string;
  kind: OperationKind;
  itemAction?: ItemAction;
  /** The resource the operation works on, when there is one. */
  resource?: string;
  /** For operations nested under another record (`/customers/{customerId}/notes`). */
  parent?: { resource: string; param: string };
  /** Why the operation is unclassified (or any other note on the inference). */
  reason?: string;
  /** Authenticated as a tenant (not public, not admin/provisioning). */
  tenantOwned: boolean;
  tenantOwnedReason: string;
  /** Resource this operation creates, with the response field holding the new id. */
  produces?: {
    resource: string;
    idField: string;
    envelope?: string;
    status: string;
    /** The spec documents no record in the response: the id is learned from real responses. */
    learned?: boolean;
  };
  /** Ids of other records this operation takes (path, query, body). */
  consumes: IdUse[];
  parameters: ParameterInfo[];
  requestBody?: BodyInfo;
  successResponse?: ResponseInfo;
  /** For collections: dotted path to the array of items in the response (`data`; `` for a bare array). */
  itemsField?: string;
  pagination?: Pagination;
  /** Query parameter for free-text search (`q`, `search`, `query`), if any. */
  searchParam?: string;
  /** Header parameter for idempotency keys, if declared. */
  idempotencyHeader?: string;
  /** Dotted paths of body fields that are likely unique per tenant (emails, usernames, codes). */
  uniqueFields?: string[];
  /** Header, query and body fields whose names say they select a tenant (see tenant-fields.ts). */
  tenantFields?: TenantField[];
  /** Probes the campaign should run (the oracle registry says which oracles judge each). */
  probes: ProbeName[];
  /** `x-tenantproof-*` keys that shaped this operation. */
  overrides: string[];
}

export interface ResourceInfo {
  name: string;
  /** Response field that holds a record's id (`id`, `slug`, ...). */
  idField?: string;
  /** `$ref` of the record schema, when the spec names one. */
  schemaRef?: string;
  /** Collection path (`/v1/customers`) and item path (`/v1/customers/{customerId}`), when present. */
  collectionPath?: string;
  itemPath?: string;
  parent?: string;
  producers: string[];
  consumers: string[];
  operations: string[];
}

export interface ProducerConsumerEdge {
  resource: string;
  producer: string;
  consumer: string;
  in: IdUse['in'];
  name: string;
}

export interface ApiModel {
  document: SpecDocument;
  title: string;
  version: string;
  openapi: string;
  servers: string[];
  operations: OperationInfo[];
  resources: ResourceInfo[];
  edges: ProducerConsumerEdge[];
  warnings: SpecWarning[];
}
