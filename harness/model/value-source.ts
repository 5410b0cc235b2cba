/**
 * Where commands get their generated values: a fast-check arbitrary for an operation's JSON body
 * and for each parameter, carrying the tenant's canaries. The generator package implements it;
 * the campaign only needs this seam.
 */
import type fc from 'fast-check';
import type { TenantLabel } from './exchange.ts';
import type { OperationInfo, ParameterInfo } from '../openapi/api-model.ts';

export interface ValueSource {
  body(op: OperationInfo, tenant: TenantLabel): fc.Arbitrary<unknown> | undefined;
  param(op: OperationInfo, param: ParameterInfo, tenant: TenantLabel): fc.Arbitrary<unknown>;
}

/** Start and end parameter names of a time window, with a shared prefix. */
const RANGE_PAIRS: [RegExp, RegExp][] = [
  [/^(.*)start$/i, /^(.*)end$/i],
  [/^(.*)from$/i, /^(.*)to$/i],
  [/^(.*)since$/i, /^(.*)until$/i],
  [/^(.*)after$/i, /^(.*)before$/i],
];

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T/;

/** Generated times fall in this band, so that any windowed query can see every record. */
export const TIME_BAND_START = Date.UTC(2030, 0, 1);
export const TIME_BAND_MS = 30 * 86_400_000;
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
