/**
 * JSON bodies must be valid UTF-8 and hold only well-formed strings: a replacement character or a
 * lone surrogate stored in place of what the client sent would be data the client never meant.
 */
import { BadRequestError } from './errors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export class InvalidUtf8Error extends BadRequestError {
  override name = 'InvalidUtf8Error';
  constructor() {
    super('The body is not valid UTF-8.', [{ path: '/', message: 'is not valid UTF-8' }]);
  }
}

export class LoneSurrogateError extends BadRequestError {
  override name = 'LoneSurrogateError';
  constructor(pointer: string) {
    super(`body${pointer === '/' ? '' : pointer} contains a lone surrogate`, [
      { path: pointer, message: 'contains a lone surrogate (not a Unicode scalar value)' },
    ]);
  }
}

/** Decodes `bytes` as UTF-8, refusing malformed sequences instead of replacing them. */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new InvalidUtf8Error();
  }
}

export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A value still to visit, with the way to it (pointers are built only for an offending string). */
interface Visit {
  value: unknown;
  parent?: Visit;
  /** Its key or index in the parent. */
  token?: string;
}

function pointerOf(visit: Visit): string {
  const tokens: string[] = [];
  for (let at: Visit | undefined = visit; at?.token !== undefined; at = at.parent)
    tokens.push(escapePointerToken(at.token));
  return tokens.length === 0 ? '/' : `/${tokens.reverse().join('/')}`;
}

/**
 * The JSON pointer of the first string (value or key, in document order) holding a lone
 * surrogate, else undefined. Iterative and linear: a deeply nested body must neither overflow
 * the stack nor cost time quadratic in its depth.
 */
export function findLoneSurrogate(value: unknown): string | undefined {
  const pending: Visit[] = [{ value }];
  for (let visit = pending.pop(); visit; visit = pending.pop()) {
    const current = visit.value;
    if (visit.parent && !Array.isArray(visit.parent.value) && !isWellFormedText(visit.token ?? ''))
      return pointerOf(visit);
    if (typeof current === 'string') {
      if (!isWellFormedText(current)) return pointerOf(visit);
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--)
        pending.push({ value: current[i], parent: visit, token: String(i) });
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i] as [string, unknown];
        pending.push({ value: item, parent: visit, token: key });
      }
    }
  }
  return undefined;
}

/**
 * Strictly decoded text holds no surrogate code unit of its own: only a `\uD800`–`\uDFFF` escape
 * can produce one. (An escaped backslash followed by `uD8…` also matches; the walk then decides.)
 */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * Throws LoneSurrogateError when any string in a parsed JSON body is not well formed. With the
 * JSON text the value was parsed from, the walk is skipped when that text has no surrogate escape.
 */
export function assertWellFormedStrings(value: unknown, jsonText?: string): void {
  if (jsonText !== undefined && !SURROGATE_ESCAPE.test(jsonText)) return;
  const pointer = findLoneSurrogate(value);
  if (pointer !== undefined) throw new LoneSurrogateError(pointer);
}
