/**
 * What the non-interference oracle compares beyond status and body, and what it never compares:
 *
 * - Keys whose values legitimately change between two identical requests (times and dates,
 *   durations and latencies, request/trace/correlation ids, ETags, rate-limit and quota counters,
 *   server names; for strings also cursors and tokens) are recognised by the words of their name
 *   (`serverTime` → server, time; `x_ratelimit_remaining` → remaining) and masked.
 * - Count headers (`X-Total-Count`, `X-Result-Count`, the total of `Content-Range: items 0-9/42`)
 *   are compared; every other header (Date, ETag, request ids, rate limits, Server-Timing,
 *   Content-Length, …) is not.
 * - A list's total (`total`, `totalCount`, `meta.total_items`, …) is the same on every page.
 */
import { itemsOf } from '../model/extract-ids.ts';
import type { RecordedResponse } from '../model/exchange.ts';

/** The lower-case words of a key or header name: `serverTime` → server, time; `X-RateLimit-Remaining` → x, rate, limit, remaining. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** Words naming a value that changes between identical requests by its nature. */
const VOLATILE_WORDS: ReadonlySet<string> = new Set([
  // clocks and durations
  'time',
  'times',
  'timestamp',
  'ts',
  'date',
  'datetime',
  'at',
  'now',
  'today',
  'took',
  'latency',
  'duration',
  'elapsed',
  'expires',
  'expiry',
  'expiration',
  'ttl',
  'uptime',
  'age',
  'ms',
  'millis',
  'nanos',
  // tracing and caching
  'trace',
  'span',
  'correlation',
  'nonce',
  'etag',
  'signature',
  'sig',
  // rate limits and quotas
  'remaining',
  'reset',
  'retry',
  'ratelimit',
  'quota',
  'throttle',
  'throttled',
  // which server answered
  'server',
  'served',
  'hostname',
  'instance',
  'pod',
  'worker',
  'region',
  'build',
  'commit',
  'deploy',
]);

/** Words naming an opaque position token: its text may change between identical requests (a random IV). */
const TOKEN_WORDS: ReadonlySet<string> = new Set([
  'cursor',
  'token',
  'continuation',
  'marker',
  'next',
  'prev',
  'previous',
]);

/**
 * Whether a JSON key's scalar value (null included: an expiry that is set once time passes) is
 * volatile: by its name's words, or a request id (`requestId`, `request_id`). A cursor or token is
 * volatile as text only: whether there is one (a next page, or null) still counts.
 */
export function isVolatileKey(key: string, value: unknown): boolean {
  const words = nameWords(key);
  if (words.some((w) => VOLATILE_WORDS.has(w))) return true;
  if (words.includes('request') && words.includes('id')) return true;
  return typeof value === 'string' && words.some((w) => TOKEN_WORDS.has(w));
}

/**
 * A copy of a JSON value with volatile scalars masked (objects and arrays are walked, never
 * masked whole: `{ "node": { … } }` keeps its record).
 */
export function maskVolatile(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskVolatile);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== null && typeof v === 'object') out[k] = maskVolatile(v);
      else out[k] = isVolatileKey(k, v) ? '<volatile>' : v;
    }
    return out;
  }
  return value;
}

/** Words that make a `count`/`total` header something else than a count of the caller's records. */
const NOT_A_RECORD_COUNT: ReadonlySet<string> = new Set([
  'request',
  'requests',
  'call',
  'calls',
  'usage',
  'used',
  'limit',
  'rate',
  'cache',
  'api',
  'error',
  'errors',
  'retries',
  'attempt',
  'attempts',
  'login',
  'session',
  'sessions',
  'connection',
  'connections',
  'online',
  'active',
  'pending',
  'queue',
  'inflight',
  'concurrent',
  'load',
  'version',
  'bytes',
  'size',
  'length',
]);

/** Whether a header counts records: `X-Total-Count`, `Total-Count`, `X-Result-Count`, `X-Total`, or Content-Range. */
export function isCountHeader(name: string): boolean {
  if (name.toLowerCase() === 'content-range') return true;
  const words = nameWords(name);
  if (!words.includes('total') && !words.includes('count')) return false;
  return !words.some((w) => VOLATILE_WORDS.has(w) || NOT_A_RECORD_COUNT.has(w));
}

/** The count headers of an answer, as numbers: `x-total-count: 12` → 12; `content-range: items 0-9/42` → 42. */
export function countHeaders(response: RecordedResponse): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, raw] of Object.entries(response.headers)) {
    if (!isCountHeader(name)) continue;
    const lower = name.toLowerCase();
    const text = String(raw).trim();
    const m = lower === 'content-range' ? /\/\s*(\d+)\s*$/.exec(text) : /^(\d+)$/.exec(text);
    if (m) out[lower] = Number(m[1]);
  }
  return out;
}

/** Words a total's name may carry besides `total` (`totalCount`, `total_items`, `totalResults`): never pages or money. */
const TOTAL_COMPANIONS: ReadonlySet<string> = new Set([
  'total',
  'count',
  'items',
  'results',
  'records',
  'hits',
  'entries',
  'elements',
  'rows',
  'matches',
  'num',
  'number',
  'of',
]);

function isTotalKey(key: string): boolean {
  const words = nameWords(key);
  return words.includes('total') && words.every((w) => TOTAL_COMPANIONS.has(w));
}

/**
 * A list answer's totals: numeric fields named like a total of records at the top of the body or
 * one level into an envelope object (`meta.total`), never inside the items.
 */
export function listTotals(json: unknown, itemsField: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return out;
  const items = itemsOf(json, itemsField);
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
    if (typeof v === 'number' && isTotalKey(k)) out[k] = v;
    else if (v !== null && typeof v === 'object' && !Array.isArray(v) && v !== items)
      for (const [ik, iv] of Object.entries(v as Record<string, unknown>))
        if (typeof iv === 'number' && isTotalKey(ik)) out[`${k}.${ik}`] = iv;
  }
  return out;
}

/** How many items a list answer holds on its page (undefined when it has no items array). */
export function pageItemCount(json: unknown, itemsField: string | undefined): number | undefined {
  const items = itemsOf(json, itemsField);
  return Array.isArray(items) ? items.length : undefined;
}
