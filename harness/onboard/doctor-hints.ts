/**
 * Machine-applicable `x-tenantproof-*` hints for `tenantproof doctor`: each one an OpenAPI Overlay
 * action (target + update) with the reason it is safe. A hint is derived only where the spec itself
 * says what the answer is (the method and path shape, the response schema, a parameter's name, the
 * spec's own security); anything the user must decide stays a text fix in the table.
 *
 * The rules:
 * - **tenant-owned**: an operation that is public only because its `security` is empty (or missing)
 *   while the rest of the spec requires a tenant scheme, and whose resource tenant-owned operations
 *   work on, gets `x-tenantproof-tenant-owned: true`.
 * - **kind**: an unclassified tenant-owned GET, PATCH, PUT or DELETE whose last path parameter takes
 *   the id of a resource the campaign can create gets `x-tenantproof-kind: item` and that resource;
 *   an unclassified GET whose success response is a list gets `collection`; an unclassified POST
 *   on `…/{param}/verb` gets `action`.
 * - **parameter resource**: a path parameter `{name}` that takes no id of a resource the campaign
 *   can create, while its name names exactly one such resource (`taskId`, `task_ref` → task), gets
 *   `x-tenantproof-resource: <resource>` on the parameter (in the operation's or path item's
 *   `parameters`, by index; or on the `#/components/parameters/X` it references, when no other
 *   operation using it reads it as another resource the campaign can create).
 * - **producer**: a resource nothing tenant-owned creates, with exactly one tenant-owned POST on
 *   its collection path that creates nothing, gets `x-tenantproof-produces` (and `kind: create`,
 *   `resource`) on that POST.
 */
import type { ApiModel, OperationInfo } from '../openapi/api-model.ts';
import { resourceNameFromSegment, splitWords } from '../openapi/naming.ts';
import { operationTarget, overlayAction, type OverlayAction } from '../openapi/overlay.ts';
import { isPluralNoun } from '../openapi/path-shape.ts';
import { findItems } from '../openapi/schema-shape.ts';
import { isObject, type JsonObject, type SpecDocument } from '../openapi/spec-document.ts';

/** `a task`, `an export`. */
export function article(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}

export type HintRule = 'tenant-owned' | 'kind' | 'parameter-resource' | 'producer';

export interface DoctorHint {
  rule: HintRule;
  /** The operation the hint is written on (for a path-item parameter, the first operation that needs it). */
  operationId: string;
  method: string;
  path: string;
  /** JSONPath of the node the update merges into. */
  target: string;
  update: Record<string, unknown>;
  /** Why this hint is safe to apply, in one line. */
  reason: string;
  /** The snippet, as a user would paste it: `x-tenantproof-kind: action on POST /x/{id}/verb`. */
  snippet: string;
}

/** A hint written on an operation itself (`$.paths['/x'].post`). */
function operationHint(
  rule: HintRule,
  op: { operationId: string; method: string; path: string },
  update: Record<string, unknown>,
  reason: string,
): DoctorHint {
  const where = `${op.method.toUpperCase()} ${op.path}`;
  return {
    rule,
    operationId: op.operationId,
    method: op.method.toUpperCase(),
    path: op.path,
    target: operationTarget(op.path, op.method),
    update,
    reason,
    snippet: snippetOf(update, where),
  };
}

const OWNERSHIP_GAPS = new Set(['no security requirement (public)', 'security is optional (public)']);
/** Reasons of unclassified operations that are deliberate or are not data. */
const NOT_FOR_HINTS =
  /^(ignored|marked unclassified|authentication endpoint|[A-Z]+ is protocol plumbing|the root path)/;
/** Words after a resource name that still make a parameter an id of it (`taskRef`, `project_no`). */
const ID_WORDS = new Set([
  'id',
  'ids',
  'uuid',
  'guid',
  'key',
  'slug',
  'code',
  'number',
  'no',
  'num',
  'ref',
  'identifier',
]);

function yamlScalar(value: unknown): string {
  return typeof value === 'string' && /^[A-Za-z0-9_./-]+$/.test(value) ? value : JSON.stringify(value);
}

function snippetOf(update: Record<string, unknown>, where: string): string {
  return `${Object.entries(update)
    .map(([k, v]) => `${k}: ${yamlScalar(v)}`)
    .join(', ')} on ${where}`;
}

function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
}

function rawOperation(doc: SpecDocument, op: OperationInfo): { pathItem: JsonObject; operation: JsonObject } {
  const paths = isObject(doc.root.paths) ? doc.root.paths : {};
  const pathItem = doc.object(paths[op.path]);
  return { pathItem, operation: doc.object(pathItem[op.method]) };
}

/** Resources a tenant-owned operation creates: what the plan may use for path ids (as plan.ts counts them). */
export function producibleResources(model: ApiModel): Set<string> {
  return new Set(model.operations.filter((o) => o.produces && o.tenantOwned).map((o) => o.produces!.resource));
}

/** The resource a parameter name names among `candidates`: `taskId`, `task_ref`, `tasks` → task. */
export function resourceNamedBy(name: string, candidates: ReadonlySet<string>): string[] {
  const words = splitWords(name);
  while (words.length > 1 && ID_WORDS.has(words[words.length - 1]!)) words.pop();
  if (words.length === 0 || (words.length === 1 && ID_WORDS.has(words[0]!))) return [];
  const exact = words.join('-');
  const singular = resourceNameFromSegment(words.join('_'));
  return [...new Set([exact, singular])].filter((r) => candidates.has(r));
}

function tenantOwnedHints(model: ApiModel): DoctorHint[] {
  const doc = model.document;
  const schemes = isObject(doc.root.components) ? doc.object(doc.root.components.securitySchemes) : {};
  const requiresScheme = (security: unknown): boolean =>
    Array.isArray(security) &&
    security.length > 0 &&
    security.every((r) => isObject(r) && Object.keys(r).some((name) => name in schemes));
  const globalRequires = requiresScheme(doc.root.security);
  const ownedResources = new Set(
    model.operations
      .filter((o) => o.tenantOwned)
      .flatMap((o) => [o.resource, o.produces?.resource].filter((r): r is string => !!r)),
  );
  const othersDeclare = model.operations.some((o) => o.tenantOwned && o.overrides.length === 0);
  const hints: DoctorHint[] = [];
  for (const op of model.operations) {
    if (op.tenantOwned || !OWNERSHIP_GAPS.has(op.tenantOwnedReason) || op.kind === 'unclassified') continue;
    const resource = op.produces?.resource ?? op.resource;
    if (!resource || !ownedResources.has(resource)) continue;
    const { operation } = rawOperation(doc, op);
    const spec =
      operation.security === undefined
        ? othersDeclare
          ? 'it declares no security while the other operations on its data require a tenant scheme'
          : undefined
        : globalRequires
          ? `its security is ${JSON.stringify(operation.security)} while the spec's global security requires a tenant scheme`
          : undefined;
    if (!spec) continue;
    const update = { 'x-tenantproof-tenant-owned': true };
    hints.push(
      operationHint(
        'tenant-owned',
        op,
        update,
        `${op.operationId} works on ${resource}s, which tenants own, but ${spec}`,
      ),
    );
  }
  return hints;
}

function isListResponse(doc: SpecDocument, op: OperationInfo): boolean {
  const schema = op.successResponse?.schema;
  if (schema === undefined) return false;
  if (doc.object(schema).type === 'array') return true;
  const items = findItems(doc, schema);
  return items !== undefined && items.field !== '';
}

function kindHints(model: ApiModel, producible: ReadonlySet<string>): DoctorHint[] {
  const hints: DoctorHint[] = [];
  for (const op of model.operations) {
    if (!op.tenantOwned || op.kind !== 'unclassified' || NOT_FOR_HINTS.test(op.reason ?? '')) continue;
    const segments = op.path.split('/').filter(Boolean);
    const last = segments[segments.length - 1] ?? '';
    const beforeLast = segments[segments.length - 2] ?? '';
    let kind: 'collection' | 'action' | undefined;
    let why = '';
    const lastParam = /^\{([^}]+)\}$/.exec(last)?.[1];
    const lastUse = lastParam ? op.consumes.find((c) => c.in === 'path' && c.name === lastParam) : undefined;
    if (lastUse && producible.has(lastUse.resource) && ['get', 'patch', 'put', 'delete'].includes(op.method)) {
      const update = { 'x-tenantproof-kind': 'item', 'x-tenantproof-resource': lastUse.resource };
      hints.push(
        operationHint(
          'kind',
          op,
          update,
          `${op.operationId} is unclassified (${op.reason ?? 'no rule matched'}), but it is a ${op.method.toUpperCase()} of one record: its last path parameter {${lastParam}} takes ${article(lastUse.resource)} id`,
        ),
      );
      continue;
    }
    if (op.method === 'get' && isListResponse(model.document, op)) {
      kind = 'collection';
      why = 'a GET whose success response is a list';
    } else if (op.method === 'post' && /^\{[^}]+\}$/.test(beforeLast) && !last.includes('{') && !isPluralNoun(last)) {
      kind = 'action';
      why = `a POST of the verb "${last}" on one record`;
    }
    if (!kind) continue;
    const update = { 'x-tenantproof-kind': kind };
    hints.push(
      operationHint(
        'kind',
        op,
        update,
        `${op.operationId} is unclassified (${op.reason ?? 'no rule matched'}), but it is ${why}`,
      ),
    );
  }
  return hints;
}

/** How a path parameter is declared: inline at an index of a `parameters` list, or by a `$ref`. */
type Declaration = { target: string } | { ref: string } | undefined;

function parameterDeclaration(doc: SpecDocument, op: OperationInfo, name: string): Declaration {
  const { pathItem, operation } = rawOperation(doc, op);
  const find = (list: unknown, base: string): Declaration => {
    if (!Array.isArray(list)) return undefined;
    const i = list.findIndex((p) => {
      const param = doc.object(p);
      return param.name === name && param.in === 'path';
    });
    if (i < 0) return undefined;
    const raw = list[i];
    return isObject(raw) && typeof raw.$ref === 'string' ? { ref: raw.$ref } : { target: `${base}.parameters[${i}]` };
  };
  const target = operationTarget(op.path, op.method);
  return find(operation.parameters, target) ?? find(pathItem.parameters, target.slice(0, target.lastIndexOf('.')));
}

/** `#/components/parameters/TaskId` → `$.components.parameters.TaskId` (only that simple form). */
function componentTarget(ref: string): string | undefined {
  const m = /^#\/components\/parameters\/([A-Za-z_][A-Za-z0-9_]*)$/.exec(ref);
  return m ? `$.components.parameters.${m[1]}` : undefined;
}

/**
 * Where to write `x-tenantproof-resource` for a parameter: on its inline declaration, or on the
 * shared component it references when every operation using that component would get the same hint
 * (or already reads it as that resource), so the shared mark never changes another operation.
 */
function parameterTarget(
  model: ApiModel,
  op: OperationInfo,
  name: string,
  resource: string,
  producible: ReadonlySet<string>,
): string | undefined {
  const declared = parameterDeclaration(model.document, op, name);
  if (!declared) return undefined;
  if ('target' in declared) return declared.target;
  const target = componentTarget(declared.ref);
  if (!target) return undefined;
  for (const other of model.operations) {
    const d = parameterDeclaration(model.document, other, name);
    if (!d || !('ref' in d) || d.ref !== declared.ref) continue;
    const use = other.consumes.find((c) => c.in === 'path' && c.name === name);
    if (use && use.resource !== resource && producible.has(use.resource)) return undefined;
  }
  return target;
}

function parameterResourceHints(model: ApiModel, producible: ReadonlySet<string>): DoctorHint[] {
  const hints: DoctorHint[] = [];
  for (const op of model.operations) {
    if (!op.tenantOwned || op.kind === 'unclassified') continue;
    for (const name of pathParams(op.path)) {
      const use = op.consumes.find((c) => c.in === 'path' && c.name === name);
      if (use?.source === 'extension') continue;
      if (use && producible.has(use.resource)) continue;
      const named = resourceNamedBy(name, producible);
      if (named.length !== 1 || named[0] === use?.resource) continue;
      const resource = named[0]!;
      const target = parameterTarget(model, op, name, resource, producible);
      if (!target) continue;
      const update = { 'x-tenantproof-resource': resource };
      hints.push({
        rule: 'parameter-resource',
        operationId: op.operationId,
        method: op.method.toUpperCase(),
        path: op.path,
        target,
        update,
        reason: use
          ? `{${name}} is read as ${article(use.resource)} id, which nothing tenant-owned creates; its name says ${resource}, which the campaign can create`
          : `{${name}} takes no id the campaign knows; its name says ${resource}, which the campaign can create`,
        snippet: snippetOf(update, `the parameter {${name}} of ${op.method.toUpperCase()} ${op.path}`),
      });
    }
  }
  return hints;
}

function producerHints(model: ApiModel, producible: ReadonlySet<string>): DoctorHint[] {
  const needed = new Set<string>();
  for (const op of model.operations) {
    if (!op.tenantOwned) continue;
    for (const use of op.consumes) if (use.in === 'path') needed.add(use.resource);
    if (op.kind === 'item' && op.resource) needed.add(op.resource);
  }
  const hints: DoctorHint[] = [];
  for (const resource of model.resources) {
    if (producible.has(resource.name) || !needed.has(resource.name) || !resource.collectionPath) continue;
    const posts = model.operations.filter(
      (o) => o.tenantOwned && o.method === 'post' && o.path === resource.collectionPath,
    );
    if (posts.length !== 1) continue;
    const post = posts[0]!;
    if (post.produces || post.overrides.includes('x-tenantproof-produces')) continue;
    const update: Record<string, unknown> =
      post.kind === 'create' && post.resource === resource.name
        ? { 'x-tenantproof-produces': resource.name }
        : {
            'x-tenantproof-kind': 'create',
            'x-tenantproof-resource': resource.name,
            'x-tenantproof-produces': resource.name,
          };
    hints.push(
      operationHint(
        'producer',
        post,
        update,
        `nothing tenant-owned creates ${article(resource.name)}, and ${post.operationId} is the one POST on its collection path ${resource.collectionPath}`,
      ),
    );
  }
  return hints;
}

/** Every hint the spec supports, in a stable order, one per target and update. */
export function computeHints(model: ApiModel): DoctorHint[] {
  const producible = producibleResources(model);
  const all = [
    ...tenantOwnedHints(model),
    ...kindHints(model, producible),
    ...parameterResourceHints(model, producible),
    ...producerHints(model, producible),
  ];
  const seen = new Set<string>();
  return all.filter((h) => {
    const key = `${h.target}\0${JSON.stringify(h.update)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The hints as overlay actions, each described by its snippet and reason. */
export function hintActions(hints: readonly DoctorHint[]): OverlayAction[] {
  return hints.map((h) => overlayAction(h.target, h.update, `${h.snippet}: ${h.reason}`));
}
