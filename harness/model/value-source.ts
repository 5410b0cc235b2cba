/**
 * Where commands get their generated values: a fast-check arbitrary for an operation's JSON body
 * and for each parameter, carrying the tenant's canaries. The generator package implements it;
 * the campaign only needs this seam.
 */
import type fc from 'fast-check';
import type { TenantLabel } from './exchange.ts';
import type { OperationInfo, ParameterInfo } from '../spec/api-model.ts';

export interface ValueSource {
  body(op: OperationInfo, tenant: TenantLabel): fc.Arbitrary<unknown> | undefined;
  param(op: OperationInfo, param: ParameterInfo, tenant: TenantLabel): fc.Arbitrary<unknown>;
}

const RANGE_PAIRS: [RegExp, RegExp][] = [
  [/^(.*)start$/i, /^(.*)end$/i],
  [/^(.*)from$/i, /^(.*)to$/i],
  [/^(.*)since$/i, /^(.*)until$/i],
  [/^(.*)after$/i, /^(.*)before$/i],
];

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T/;

/**
 * Puts generated time ranges in order (`scheduledStart` ≤ `scheduledEnd`, `from` ≤ `to`), since a
 * server rightly rejects a range that ends before it starts, and that rejection tests nothing.
 */
export function orderTimeRanges(value: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(value);
  for (const [startRe, endRe] of RANGE_PAIRS) {
    for (const startKey of keys) {
      const m = startRe.exec(startKey);
      if (!m) continue;
      const prefix = (m[1] ?? '').toLowerCase();
      const endKey = keys.find((k) => {
        const e = endRe.exec(k);
        return e !== null && (e[1] ?? '').toLowerCase() === prefix;
      });
      if (!endKey) continue;
      const a = value[startKey];
      const b = value[endKey];
      if (typeof a !== 'string' || typeof b !== 'string' || !ISO_DATE_TIME.test(a) || !ISO_DATE_TIME.test(b)) continue;
      if (Date.parse(a) > Date.parse(b)) {
        value[startKey] = b;
        value[endKey] = a;
      } else if (a === b) {
        value[endKey] = new Date(Date.parse(b) + 3_600_000).toISOString();
      }
    }
  }
  return value;
}

/** Generated times fall in this band, so that any windowed query can see every record. */
export const TIME_BAND_START = Date.UTC(2030, 0, 1);
export const TIME_BAND_MS = 30 * 86_400_000;
const FULL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const FULL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Maps every date-time (and date) in a generated value into the time band, keeping its format. */
export function foldTimes(value: unknown): unknown {
  if (typeof value === 'string') {
    if (FULL_DATE_TIME.test(value)) {
      const t = Date.parse(value);
      if (Number.isNaN(t)) return value;
      const folded = TIME_BAND_START + (((t % TIME_BAND_MS) + TIME_BAND_MS) % TIME_BAND_MS);
      return new Date(Math.floor(folded / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    }
    if (FULL_DATE.test(value)) {
      const t = Date.parse(`${value}T00:00:00Z`);
      if (Number.isNaN(t)) return value;
      return new Date(TIME_BAND_START + (((t % TIME_BAND_MS) + TIME_BAND_MS) % TIME_BAND_MS)).toISOString().slice(0, 10);
    }
    return value;
  }
  if (Array.isArray(value)) return value.map(foldTimes);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, foldTimes(v)]));
  return value;
}

/** A time-window query (`from`/`to` and kin) spans the whole band, a day either side. */
export function widenTimeWindows(query: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(query);
  for (const [startRe, endRe] of RANGE_PAIRS) {
    for (const startKey of keys) {
      const m = startRe.exec(startKey);
      if (!m) continue;
      const endKey = keys.find((k) => (endRe.exec(k)?.[1] ?? '\u0000').toLowerCase() === (m[1] ?? '').toLowerCase());
      if (!endKey) continue;
      const a = query[startKey];
      const b = query[endKey];
      if (typeof a !== 'string' || typeof b !== 'string' || !ISO_DATE_TIME.test(a) || !ISO_DATE_TIME.test(b)) continue;
      query[startKey] = new Date(TIME_BAND_START - 86_400_000).toISOString().replace('.000Z', 'Z');
      query[endKey] = new Date(TIME_BAND_START + TIME_BAND_MS + 86_400_000).toISOString().replace('.000Z', 'Z');
    }
  }
  return query;
}
