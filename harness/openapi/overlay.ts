/**
 * Overlays (OpenAPI Overlay Specification 1.0.0): a separate file of actions applied on top of a
 * spec before it is analysed, so `x-tenantproof-*` hints and missing pieces (a response schema)
 * need no edit of a generated spec.
 *
 *     overlay: 1.0.0
 *     info: { title: tenantproof hints, version: 1.0.0 }
 *     actions:
 *       - target: $.paths['/projects/{projectId}'].get
 *         update: { x-tenantproof-skip-probes: [foreign-cursor] }
 *       - target: $.paths['/internal']
 *         remove: true
 *
 * Actions apply in order. `update` merges into every node the target selects: objects merge
 * recursively (new keys are added, scalars replaced); where the target, or a key inside the merge,
 * is an array, the update's value is appended (the spec: "If the target selects an array, the
 * value MUST be an entry to append"; inside a merge, an array's entries are appended to the
 * existing array). `remove: true` removes the selected nodes from their parent. A target selecting
 * nothing is an error: an overlay that silently does nothing misleads. Targets are the JSONPath
 * subset of json-path-lite.ts. `extends` is accepted and not used: the spec is the one given.
 *
 * Everything wrong is a SpecError `bad-overlay` naming the overlay file, the action and the line.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import YAML, { isSeq, parseDocument } from 'yaml';
import { z } from 'zod';
import { InternalError } from '../errors.ts';
import { fragmentToPointer, getAtPointer, parsePointer, toPointer } from './json-pointer.ts';
import {
  explainNoMatch,
  formatNodePath,
  JsonPathSyntaxError,
  kindOf,
  parseJsonPath,
  queryJsonPath,
  quoteMemberName,
  type PathSegment,
} from './json-path-lite.ts';
import { parseSourceText } from './source-file.ts';
import { formatLocation, SpecError, type SpecLocation } from './spec-error.ts';

export const OVERLAY_VERSION = '1.0.0';
/** The file `tenantproof doctor --write-overlay` writes and the README suggests. */
export const DEFAULT_OVERLAY_FILE = 'tenantproof.overlay.yaml';

/** Fields besides `x-*` extensions an object may have (the spec's `unevaluatedProperties: false`). */
function onlyFields(fields: readonly string[], what: string) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    for (const key of Object.keys(value))
      if (!fields.includes(key) && !key.startsWith('x-'))
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `unknown field of ${what} (allowed: ${fields.join(', ')}, and x-* extensions)`,
        });
  };
}

const text = (what: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be a string`) });

const actionSchema = z
  .looseObject({
    target: text('target').regex(/^\$/, 'target must be a JSONPath starting with $'),
    description: text('description').optional(),
    update: z.unknown().optional(),
    remove: z.boolean({ error: 'remove must be true or false' }).optional(),
  })
  .superRefine(onlyFields(['target', 'description', 'update', 'remove'], 'an action'))
  .superRefine((action, ctx) => {
    if (!('update' in action) && action.remove !== true)
      ctx.addIssue({ code: 'custom', message: 'an action needs an update or remove: true' });
  });

export const overlaySchema = z
  .looseObject({
    overlay: text('overlay').regex(/^1\.0\.\d+$/, 'overlay must be 1.0.x (OpenAPI Overlay Specification 1.0)'),
    info: z
      .looseObject({ title: text('info.title'), version: text('info.version') }, { error: 'info must be an object' })
      .superRefine(onlyFields(['title', 'version'], 'info')),
    extends: text('extends').optional(),
    // The Overlay 1.0 schema asks for at least one action; an empty list is accepted here as a no-op,
    // so `tenantproof init` can write the file that `doctor --write-overlay` later fills.
    actions: z.array(actionSchema, { error: 'actions must be a list' }),
  })
  .superRefine(onlyFields(['overlay', 'info', 'extends', 'actions'], 'an overlay'));

export type Overlay = z.output<typeof overlaySchema>;
export type OverlayAction = Overlay['actions'][number];

/** An overlay as read from its file: the text (hashed with the spec) and where each node is. */
export interface LoadedOverlay {
  /** Absolute path. */
  path: string;
  text: string;
  overlay: Overlay;
  /** 1-based line of the node at a JSON pointer in the overlay file (or its nearest ancestor). */
  lineOf(pointer: string): number | undefined;
}

function overlayError(detail: string, location: SpecLocation, more: string[] = []): SpecError {
  return new SpecError('bad-overlay', detail, location, more);
}

/** Reads and validates an overlay file; a relative path resolves from the working directory. */
export async function readOverlay(file: string): Promise<LoadedOverlay> {
  const path = resolvePath(file);
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw overlayError(`cannot read the overlay (${reason})`, { file: path });
  }
  return parseOverlay(path, content);
}

/** Parses and validates an overlay's text; `path` names it in errors. */
export function parseOverlay(path: string, content: string): LoadedOverlay {
  let source;
  try {
    source = parseSourceText(path, content);
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    // Same location, the detail without the location prefix SpecError put in front of it.
    const detail = err.message.slice(formatLocation(err.location).length + 2);
    throw overlayError(`the overlay is ${detail.replace(/^cannot parse/, 'unparsable')}`, err.location);
  }
  const lineOf = (pointer: string) => source.lineOf(pointer);
  const at = (pointer: string): SpecLocation => {
    const line = lineOf(pointer);
    return { file: path, pointer, ...(line !== undefined ? { line } : {}) };
  };
  if (source.value === null || typeof source.value !== 'object' || Array.isArray(source.value))
    throw overlayError(
      'not an overlay: expected a mapping with overlay: 1.0.0, info and actions (OpenAPI Overlay Specification 1.0)',
      { file: path },
    );
  const parsed = overlaySchema.safeParse(source.value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      pointer: toPointer(issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))),
      message: issue.message,
    }));
    const [first, ...rest] = problems;
    throw overlayError(
      `not a valid overlay: ${first!.message}`,
      at(first!.pointer),
      rest.map((p) => `#${p.pointer}: ${p.message}`),
    );
  }
  return { path, text: content, overlay: parsed.data, lineOf };
}

// ---------------------------------------------------------------------------------------------
// Applying

interface Provenance {
  /** Pointer in the spec document of a node the overlay wrote. */
  docPointer: string;
  /** Pointer in the overlay file of the value written there. */
  overlayPointer: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Sets an own property, even one named `__proto__` (a parsed file may hold one). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The value as plain data, copied (so later actions never alias the overlay or each other). */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setOwn(out, k, copy(v));
    return out;
  }
  return value;
}

/**
 * Applies the overlay's actions to `root` (in place), then checks that every `$ref` still points
 * somewhere. Returns a `locate` that attributes what the overlay wrote to the overlay file (an
 * `x-tenantproof-*` value it added that is bad is reported at the overlay's line) and everything
 * else to `specLocate`.
 */
export function applyOverlay(
  root: Record<string, unknown>,
  loaded: LoadedOverlay,
  specLocate: (pointer: string) => SpecLocation = (pointer) => ({ file: '(spec)', pointer }),
): (pointer: string) => SpecLocation {
  const written: Provenance[] = [];
  const at = (pointer: string): SpecLocation => {
    const line = loaded.lineOf(pointer);
    return { file: loaded.path, pointer, ...(line !== undefined ? { line } : {}) };
  };
  const locate = (pointer: string): SpecLocation => {
    let best: Provenance | undefined;
    for (const p of written)
      if (
        (pointer === p.docPointer || pointer.startsWith(p.docPointer + '/')) &&
        (!best || p.docPointer.length >= best.docPointer.length)
      )
        best = p;
    return best ? at(best.overlayPointer + pointer.slice(best.docPointer.length)) : specLocate(pointer);
  };

  loaded.overlay.actions.forEach((action, i) => {
    const name = `actions[${i}]${action.description ? ` (${action.description})` : ''}`;
    const actionPointer = `/actions/${i}`;
    let segments: PathSegment[];
    try {
      segments = parseJsonPath(action.target);
    } catch (err) {
      if (!(err instanceof JsonPathSyntaxError)) throw err;
      throw overlayError(`${name}: unsupported target: ${err.message}`, at(`${actionPointer}/target`));
    }
    const nodes = queryJsonPath(root, segments);
    if (nodes.length === 0)
      throw overlayError(`${name}: ${noMatchText(root, segments)}`, at(`${actionPointer}/target`));

    if (action.remove === true) {
      // All selected nodes sit at the same depth; backwards keeps array indexes valid.
      for (const node of [...nodes].reverse()) {
        if (node.parent === undefined || node.key === undefined)
          throw overlayError(`${name}: remove: true on $ would remove the whole spec`, at(`${actionPointer}/target`));
        const pointer = toPointer(node.path);
        if (Array.isArray(node.parent)) {
          node.parent.splice(node.key as number, 1);
          // What the overlay wrote at later indexes has moved: forget it rather than misattribute it.
          const arrayPointer = toPointer(node.path.slice(0, -1));
          removeProvenance(written, arrayPointer);
        } else {
          delete node.parent[node.key as string];
          removeProvenance(written, pointer);
        }
      }
      return;
    }

    const update = action.update;
    const updatePointer = `${actionPointer}/update`;
    for (const node of nodes) {
      const where = formatNodePath(node.path);
      if (Array.isArray(node.value)) {
        written.push({ docPointer: toPointer([...node.path, node.value.length]), overlayPointer: updatePointer });
        node.value.push(copy(update));
      } else if (isRecord(node.value)) {
        if (!isRecord(update))
          throw overlayError(
            `${name}: ${where} is an object, so the update must be an object of properties to merge (got ${kindOf(update)})`,
            at(updatePointer),
          );
        merge(node.value, update, node.path, updatePointer, written);
      } else {
        throw overlayError(
          `${name}: ${where} is ${kindOf(node.value)}; an update merges into objects and appends to arrays, ` +
            `so target its parent and update the property (e.g. update: { ${JSON.stringify(node.key)}: … })`,
          at(`${actionPointer}/target`),
        );
      }
    }
  });

  checkRefs(root, locate, loaded.path);
  return locate;
}

function removeProvenance(written: Provenance[], pointer: string): void {
  for (let k = written.length - 1; k >= 0; k--) {
    const p = written[k]!.docPointer;
    if (p === pointer || p.startsWith(pointer + '/')) written.splice(k, 1);
  }
}

function merge(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
  path: (string | number)[],
  overlayPointer: string,
  written: Provenance[],
): void {
  for (const [key, value] of Object.entries(patch)) {
    const existing = Object.prototype.hasOwnProperty.call(target, key) ? target[key] : undefined;
    const here = [...path, key];
    const overlayHere = `${overlayPointer}${toPointer([key])}`;
    if (isRecord(existing) && isRecord(value)) {
      merge(existing, value, here, overlayHere, written);
    } else if (Array.isArray(existing) && Array.isArray(value)) {
      value.forEach((item, k) => {
        written.push({ docPointer: toPointer([...here, existing.length]), overlayPointer: `${overlayHere}/${k}` });
        existing.push(copy(item));
      });
    } else {
      written.push({ docPointer: toPointer(here), overlayPointer: overlayHere });
      setOwn(target, key, copy(value));
    }
  }
}

function noMatchText(root: unknown, segments: readonly PathSegment[]): string {
  const why = explainNoMatch(root, segments);
  if (!why) return 'the target selects nothing in the spec';
  let text = `${why.missing.replace(/^\$\./, '')} does not exist in the spec`;
  if (why.existingKind && why.existingKind !== 'an object' && why.existingKind !== 'an array')
    text += ` (${why.existing} is ${why.existingKind})`;
  else if (why.available?.length === 0) text += ` (${why.existing} is empty)`;
  else if (why.available) {
    const shown = why.available
      .slice(0, 12)
      .map((k) => (k.startsWith('[') || SIMPLE_NAME.test(k) ? k : quoteMemberName(k)));
    const more = why.available.length - shown.length;
    text += ` (${why.existing} has ${shown.join(', ')}${more > 0 ? `, … ${more} more` : ''})`;
  }
  return why.depth < segments.length - 1 ? `the target selects nothing: ${text}` : text;
}

const SIMPLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Every `$ref` in the document after the overlay must point inside it, at something. */
function checkRefs(
  root: Record<string, unknown>,
  locate: (pointer: string) => SpecLocation,
  overlayFile: string,
): void {
  const stack: { node: unknown; path: (string | number)[] }[] = [{ node: root, path: [] }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    if (Array.isArray(node)) node.forEach((child, k) => stack.push({ node: child, path: [...path, k] }));
    else if (isRecord(node)) {
      const ref = node.$ref;
      if (typeof ref === 'string') {
        const pointer = toPointer(path);
        if (!ref.startsWith('#'))
          throw overlayError(
            `$ref ${JSON.stringify(ref)} added by the overlay points outside the spec; an overlay's $ref must be internal (#/components/…)`,
            locate(pointer),
          );
        let found: unknown;
        try {
          found = getAtPointer(root, parsePointer(fragmentToPointer(ref)));
        } catch {
          found = undefined;
        }
        if (found === undefined)
          throw overlayError(
            `$ref ${JSON.stringify(ref)} points nowhere once the overlay ${overlayFile} is applied`,
            locate(pointer),
          );
      }
      for (const [key, child] of Object.entries(node)) {
        if (key === 'example' || key === '$ref') continue;
        if (key === 'examples' && Array.isArray(child)) continue;
        if (child !== null && typeof child === 'object') stack.push({ node: child, path: [...path, key] });
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Writing (`tenantproof doctor --write-overlay`)

/** `$.paths['/projects/{projectId}'].get`: the target of one operation. */
export function operationTarget(path: string, method: string): string {
  return `$.paths[${quoteMemberName(path)}].${method.toLowerCase()}`;
}

/** One update action; the target is checked against the supported JSONPath subset. */
export function overlayAction(target: string, update: object, description: string): OverlayAction {
  parseJsonPath(target);
  return { target, description, update: copy(update) };
}

const HEADER = [
  ' tenantproof overlay (OpenAPI Overlay Specification 1.0.0).',
  ' tenantproof applies these actions on top of the OpenAPI spec before it analyses it',
  ' (tenantproof run --overlay FILE, tenantproof inspect --overlay FILE, or overlay: in the config),',
  ' so x-tenantproof-* hints and missing pieces (a response schema, …) live here, not in a generated spec.',
  " Each action has a target (a JSONPath such as $.paths['/things/{id}'].get) and either an update",
  ' (merged into the target; lists are appended to) or remove: true. A target that selects nothing is an error.',
  ' The hints: "x-tenantproof-* extensions" in the README and harness/openapi/README.md.',
].join('\n');

/** Canonical text of an action's effect, to find duplicates (key order does not matter). */
function actionKey(action: Pick<OverlayAction, 'target' | 'update' | 'remove'>): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : isRecord(value)
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((k) => [k, canonical(value[k])]),
          )
        : value;
  return JSON.stringify([action.target, action.remove === true, canonical(action.update)]);
}

function withoutDuplicates(actions: readonly OverlayAction[], present: readonly OverlayAction[] = []): OverlayAction[] {
  const seen = new Set(present.map(actionKey));
  const out: OverlayAction[] = [];
  for (const action of actions) {
    const key = actionKey(action);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(action);
  }
  return out;
}

function looksLikeJson(path: string, content: string): boolean {
  return /\.json$/i.test(path) || /^\s*[{[]/.test(content);
}

/** Writes (replaces) an overlay file holding `actions`, with a header saying what it is. */
export function writeOverlay(file: string, actions: readonly OverlayAction[], options: { title: string }): void {
  const unique = withoutDuplicates(actions);
  const value = { overlay: OVERLAY_VERSION, info: { title: options.title, version: '1.0.0' }, actions: unique };
  const path = resolvePath(file);
  if (/\.json$/i.test(path)) {
    writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
    return;
  }
  const doc = new YAML.Document(value);
  doc.commentBefore = HEADER;
  writeFileSync(path, doc.toString({ lineWidth: 0 }));
}

/**
 * Adds actions to an overlay file (creating it if missing), keeping what is there and its
 * comments. An action whose target and update are already in the file is not added again.
 * Returns how many were added. A file that is not a valid overlay is refused (SpecError), untouched.
 */
export function appendOverlayActions(file: string, actions: readonly OverlayAction[]): number {
  const path = resolvePath(file);
  if (!existsSync(path)) {
    const unique = withoutDuplicates(actions);
    if (unique.length) writeOverlay(path, unique, { title: 'tenantproof hints' });
    return unique.length;
  }
  const content = readFileSync(path, 'utf8');
  const loaded = parseOverlay(path, content);
  const added = withoutDuplicates(actions, loaded.overlay.actions);
  if (added.length === 0) return 0;
  if (looksLikeJson(path, content)) {
    const value = JSON.parse(content) as { actions: unknown[] };
    value.actions.push(...added);
    writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
    return added.length;
  }
  const doc = parseDocument(content);
  const seq = doc.get('actions', true);
  if (!isSeq(seq)) throw new InternalError(`appendOverlayActions: ${path} has no actions list after validation`);
  for (const action of added) seq.add(doc.createNode(action));
  writeFileSync(path, doc.toString({ lineWidth: 0 }));
  return added.length;
}
