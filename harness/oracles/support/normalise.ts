/**
 * Normalisation shared by the comparison oracles (existence, non-interference, cross-tenant-access):
 * masking volatile values (request ids, timestamps) and mapping ids to positional tokens so that two
 * runs that differ only in server-issued ids compare equal.
 */

/** Header names whose values (or presence) legitimately vary between two identical requests. */
export const VOLATILE_HEADERS: readonly string[] = [
  'x-request-id',
  'request-id',
  'x-correlation-id',
  'traceparent',
  'tracestate',
  'date',
  'age',
  'etag',
  'last-modified',
  'expires',
  'content-length',
  'server-timing',
  'x-response-time',
  'keep-alive',
  'connection',
  'set-cookie',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'ratelimit-remaining',
  'ratelimit-reset',
  'retry-after',
];

/** Header names that vary between two identical requests by their nature (rate limits, tracing, caching). */
const VOLATILE_HEADER_PATTERN =
  /ratelimit|rate-limit|retry-after|request-id|correlation|trace|timing|response-time|^x-amzn|^cf-|^via$|^server$|^vary$|cache|^age$|^etag$|^expires$|^date$|^last-modified$|^content-length$|^connection$|^keep-alive$|^set-cookie$|^transfer-encoding$/i;

export function isVolatileHeader(name: string): boolean {
  return VOLATILE_HEADERS.includes(name.toLowerCase()) || VOLATILE_HEADER_PATTERN.test(name);
}

/** JSON keys whose values are volatile. */
export const VOLATILE_KEYS: readonly string[] = [
  'requestId',
  'request_id',
  'traceId',
  'trace_id',
  'correlationId',
  'timestamp',
  'createdAt',
  'updatedAt',
  'created_at',
  'updated_at',
  'deletedAt',
  'etag',
];

export const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
export const ISO_TIME_RE = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g;

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Replaces each literal in `text` with `mask` where it stands as a whole token: not run together
 * with letters or digits on either side, so the id `1` is masked in `/projects/1` and `"id":1` but
 * not inside `a1b2` or a hex blob. Longest literals first.
 */
export function maskLiterals(text: string, literals: Iterable<string>, mask: string): string {
  const list = [...new Set([...literals].filter((l) => l.length > 0))].sort((a, b) => b.length - a.length);
  let out = text;
  for (const l of list) out = out.replace(new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(l)}(?![A-Za-z0-9])`, 'g'), mask);
  return out;
}

/** The structural shape of a JSON value: keys and types, no values. Arrays by their first element. */
export function jsonShape(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? ['empty'] : [jsonShape(value[0])];
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as object).sort()) out[k] = jsonShape((value as Record<string, unknown>)[k]);
    return out;
  }
  return typeof value;
}

/** Stable JSON: object keys sorted, so key order does not count as a difference. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const keys = Object.keys(value as object).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/**
 * Maps id-like substrings to positional tokens (`#1`, `#2`, … in order of first appearance) and
 * masks volatile keys and timestamps. One mapper per observation sequence: the same id gets the same
 * token throughout the sequence, so "the id created in step 1 is read in step 3" survives.
 */
export class PositionalIdMapper {
  private readonly tokens = new Map<string, string>();
  constructor(
    private readonly idPatterns: readonly RegExp[] = [UUID_RE],
    private readonly volatileKeys: readonly string[] = VOLATILE_KEYS,
  ) {}

  mapString(s: string): string {
    let out = s.replace(ISO_TIME_RE, '<time>');
    for (const re of this.idPatterns) {
      const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
      out = out.replace(g, (m) => {
        let t = this.tokens.get(m);
        if (!t) {
          t = `#${this.tokens.size + 1}`;
          this.tokens.set(m, t);
        }
        return t;
      });
    }
    return out;
  }

  map(value: unknown): unknown {
    if (typeof value === 'string') return this.mapString(value);
    if (Array.isArray(value)) return value.map((v) => this.map(v));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        out[k] = this.volatileKeys.includes(k) ? '<volatile>' : this.map(v);
      return out;
    }
    return value;
  }
}

/** Masks volatile keys in a JSON value (no id mapping). */
export function maskVolatileKeys(value: unknown, keys: readonly string[] = VOLATILE_KEYS): unknown {
  if (Array.isArray(value)) return value.map((v) => maskVolatileKeys(v, keys));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      out[k] = keys.includes(k) ? '<volatile>' : maskVolatileKeys(v, keys);
    return out;
  }
  return value;
}

export interface JsonChange {
  /** JSON Pointer (RFC 6901) of the changed value. */
  path: string;
  before: unknown;
  after: unknown;
}

/** Leaf-level differences between two JSON values, as JSON Pointers. */
export function jsonDiff(before: unknown, after: unknown, path = ''): JsonChange[] {
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: JsonChange[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++)
      out.push(...jsonDiff(before[i], after[i], `${path}/${i}`));
    return out;
  }
  if (isObj(before) && isObj(after)) {
    const out: JsonChange[] = [];
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
      out.push(...jsonDiff(before[k], after[k], `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
    }
    return out;
  }
  return stableStringify(before) === stableStringify(after) ? [] : [{ path: path || '/', before, after }];
}
