/**
 * The subset of JSONPath (RFC 9535) an overlay's `target` may use: `$`, `.name`, `['name']` or
 * `["name"]` (any characters; escapes `\'` `\"` `\\` `\/` `\b` `\f` `\n` `\r` `\t` `\uXXXX`),
 * the wildcards `[*]` and `.*`, and array indexes `[0]` (`[-1]` is the last element). Recursive
 * descent, filters, slices, unions and functions are refused with a JsonPathSyntaxError that names
 * the syntax, so a target never silently means something else.
 *
 * A query returns the selected nodes with their parent and key, so a caller can replace or remove
 * them. Selection follows RFC 9535: a name selects nothing on an array or a scalar, an index
 * nothing on an object.
 */
import { UsageError } from '../errors.ts';

export type PathSegment = { kind: 'name'; name: string } | { kind: 'index'; index: number } | { kind: 'wildcard' };

/** One node a query selected. `parent`/`key` are absent for the root (`$`). */
export interface SelectedNode {
  value: unknown;
  parent?: Record<string, unknown> | unknown[];
  key?: string | number;
  /** The normalized path of the node: names and the actual array indexes, no wildcards. */
  path: (string | number)[];
}

/** A target outside the supported subset, or not JSONPath at all. `position` is 0-based. */
export class JsonPathSyntaxError extends UsageError {
  constructor(
    readonly expression: string,
    readonly position: number,
    readonly detail: string,
  ) {
    super(`${detail} (in ${JSON.stringify(expression)} at character ${position + 1})`);
  }
}

/** RFC 9535 member-name-shorthand: what may follow a `.` without brackets. */
const SHORTHAND = /^[A-Za-z_\u0080-\uFFFF][A-Za-z0-9_\u0080-\uFFFF]*$/;
const SHORTHAND_HEAD = /[A-Za-z_\u0080-\uFFFF]/;
const SHORTHAND_CHAR = /[A-Za-z0-9_\u0080-\uFFFF]/;
const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

export function parseJsonPath(expression: string): PathSegment[] {
  const fail = (position: number, detail: string): never => {
    throw new JsonPathSyntaxError(expression, position, detail);
  };
  if (!expression.startsWith('$')) fail(0, 'a JSONPath starts with `$` (the document root)');
  const segments: PathSegment[] = [];
  let i = 1;
  const skipBlank = (): void => {
    while (i < expression.length && /[ \t\n\r]/.test(expression[i]!)) i++;
  };
  while (i < expression.length) {
    const c = expression[i]!;
    if (c === '.') {
      if (expression[i + 1] === '.') fail(i, 'recursive descent (`..`) is not supported; spell out the full path');
      if (expression[i + 1] === '*') {
        segments.push({ kind: 'wildcard' });
        i += 2;
        continue;
      }
      const start = i + 1;
      let end = start;
      if (end < expression.length && SHORTHAND_HEAD.test(expression[end]!)) {
        end++;
        while (end < expression.length && SHORTHAND_CHAR.test(expression[end]!)) end++;
      }
      if (end === start) {
        // Say what would have worked: `.200` and `.x-foo` are common and not RFC 9535.
        const word = /^[^.[\]]+/.exec(expression.slice(start))?.[0];
        fail(
          start,
          word
            ? `\`.${word}\` is not a plain member name (a letter or _ first, then letters, digits or _); write [${quoteMemberName(word)}]`
            : 'a member name must follow `.`',
        );
      }
      if (end < expression.length && !/[.[]/.test(expression[end]!)) {
        const word = /^[^.[\]]+/.exec(expression.slice(start))?.[0] ?? '';
        fail(
          end,
          `\`.${word}\` is not a plain member name (a letter or _ first, then letters, digits or _); write [${quoteMemberName(word)}]`,
        );
      }
      segments.push({ kind: 'name', name: expression.slice(start, end) });
      i = end;
      continue;
    }
    if (c === '[') {
      const open = i;
      i++;
      skipBlank();
      const d = expression[i];
      let segment: PathSegment;
      if (d === "'" || d === '"') {
        const { value, next } = readString(expression, i, fail);
        segment = { kind: 'name', name: value };
        i = next;
      } else if (d === '*') {
        segment = { kind: 'wildcard' };
        i++;
      } else if (d !== undefined && /[-0-9]/.test(d)) {
        const m = /^-?[0-9]+/.exec(expression.slice(i));
        if (!m || !/^(0|-?[1-9][0-9]*)$/.test(m[0]))
          fail(i, 'an array index is a whole number without leading zeros, e.g. [0] or [-1]');
        const text = m![0];
        i += text.length;
        skipBlank();
        if (expression[i] === ':') fail(open, 'array slices (`[start:end]`) are not supported; use one index');
        segment = { kind: 'index', index: Number(text) };
      } else if (d === '?') {
        fail(open, 'filter expressions (`[?…]`) are not supported; name each node');
      } else if (d === ':') {
        fail(open, 'array slices (`[start:end]`) are not supported; use one index');
      } else if (d === ']') {
        fail(open, 'empty brackets `[]`: put a name, an index or * inside');
      } else {
        fail(
          i,
          `unexpected ${d === undefined ? 'end' : `\`${d}\``} inside brackets (expected 'name', "name", an index or *)`,
        );
      }
      skipBlank();
      if (expression[i] === ',')
        fail(i, 'unions (several selectors in one `[…]`) are not supported; write one action per target');
      if (expression[i] !== ']')
        fail(i, `expected \`]\` here${i >= expression.length ? ' (the expression ends)' : ''}`);
      i++;
      segments.push(segment!);
      continue;
    }
    if (c === '@') fail(i, '`@` (the current node) only exists inside filters, which are not supported');
    fail(i, `unexpected \`${c}\` (after $ comes .name, ['name'], [0], [*] or .*)`);
  }
  return segments;
}

/** Reads a quoted name starting at `start` (the quote); returns its value and the index after it. */
function readString(
  expression: string,
  start: number,
  fail: (position: number, detail: string) => never,
): { value: string; next: number } {
  const quote = expression[start]!;
  let value = '';
  let i = start + 1;
  while (i < expression.length) {
    const c = expression[i]!;
    if (c === quote) return { value, next: i + 1 };
    if (c === '\\') {
      const e = expression[i + 1];
      if (e === "'" || e === '"') {
        value += e;
        i += 2;
      } else if (e !== undefined && e in SIMPLE_ESCAPES) {
        value += SIMPLE_ESCAPES[e];
        i += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(expression.slice(i + 2, i + 6))) {
        value += String.fromCharCode(parseInt(expression.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        fail(i, `unknown escape \`\\${e ?? ''}\` in a quoted name (use \\' \\" \\\\ or \\uXXXX)`);
      }
      continue;
    }
    value += c;
    i++;
  }
  return fail(start, `the quoted name is not closed (a ${quote} is missing)`);
}

/** `'name'` with `\` and `'` escaped: the bracket form of any member name. */
export function quoteMemberName(name: string): string {
  return `'${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The text of a path: `.name` where RFC 9535 allows it, `['…']` otherwise. */
export function formatJsonPath(segments: readonly PathSegment[]): string {
  return '$' + segments.map(formatSegment).join('');
}

export function formatSegment(segment: PathSegment): string {
  if (segment.kind === 'wildcard') return '[*]';
  if (segment.kind === 'index') return `[${segment.index}]`;
  return SHORTHAND.test(segment.name) ? `.${segment.name}` : `[${quoteMemberName(segment.name)}]`;
}

/** The path of a selected node (names and indexes) as JSONPath text. */
export function formatNodePath(path: readonly (string | number)[]): string {
  return formatJsonPath(
    path.map((p) => (typeof p === 'number' ? { kind: 'index', index: p } : { kind: 'name', name: p })),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function step(nodes: SelectedNode[], segment: PathSegment): SelectedNode[] {
  const out: SelectedNode[] = [];
  for (const node of nodes) {
    const v = node.value;
    if (segment.kind === 'name') {
      if (isRecord(v) && Object.prototype.hasOwnProperty.call(v, segment.name))
        out.push({ value: v[segment.name], parent: v, key: segment.name, path: [...node.path, segment.name] });
    } else if (segment.kind === 'index') {
      if (Array.isArray(v)) {
        const index = segment.index < 0 ? v.length + segment.index : segment.index;
        if (index >= 0 && index < v.length)
          out.push({ value: v[index], parent: v, key: index, path: [...node.path, index] });
      }
    } else if (Array.isArray(v)) {
      v.forEach((item, index) => out.push({ value: item, parent: v, key: index, path: [...node.path, index] }));
    } else if (isRecord(v)) {
      for (const [key, value] of Object.entries(v)) out.push({ value, parent: v, key, path: [...node.path, key] });
    }
  }
  return out;
}

/** The nodes `target` selects in `root`, in document order. */
export function queryJsonPath(root: unknown, target: string | readonly PathSegment[]): SelectedNode[] {
  const segments = typeof target === 'string' ? parseJsonPath(target) : target;
  let nodes: SelectedNode[] = [{ value: root, path: [] }];
  for (const segment of segments) nodes = step(nodes, segment);
  return nodes;
}

/**
 * Why a path selects nothing: the longest prefix that still selects something, the segment after
 * it that found nothing, and (when the prefix is one object) the member names that are there.
 */
export interface NoMatch {
  /** Text of the part that exists, e.g. `$.paths['/projects']`. */
  existing: string;
  /** Text of the whole path up to and including the missing segment. */
  missing: string;
  /** Index of the missing segment: `segments.length - 1` when only the last step finds nothing. */
  depth: number;
  /** Member names (or `[0]…[n]`) at the existing node, when it is a single object or array. */
  available?: string[];
  /** What the existing node is, when a name or index cannot apply to it (`a string`, `an array`). */
  existingKind?: string;
}

export function explainNoMatch(root: unknown, segments: readonly PathSegment[]): NoMatch | undefined {
  let nodes: SelectedNode[] = [{ value: root, path: [] }];
  for (let k = 0; k < segments.length; k++) {
    const next = step(nodes, segments[k]!);
    if (next.length === 0) {
      const result: NoMatch = {
        existing: formatJsonPath(segments.slice(0, k)),
        missing: formatJsonPath(segments.slice(0, k + 1)),
        depth: k,
      };
      if (nodes.length === 1) {
        const v = nodes[0]!.value;
        if (isRecord(v)) result.available = Object.keys(v);
        else if (Array.isArray(v)) result.available = v.length ? [`[0]…[${v.length - 1}]`] : [];
        result.existingKind = kindOf(v);
      }
      return result;
    }
    nodes = next;
  }
  return undefined;
}

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
