/**
 * Ids of the records in a list, search or export response (JSON envelope or array, NDJSON, CSV),
 * and the items of a list whose spec does not say where they are.
 */
import type { Exchange } from './exchange.ts';
import { getPath } from './json-path.ts';

const ITEM_KEYS = ['data', 'items', 'results', 'records', 'rows', 'entries', 'list', 'content'];

/**
 * The array of items in a list body: at `itemsField` when the spec says where, else (a spec with
 * no response schema) the body itself when it is an array, or its one array of objects, preferring
 * the usual names (`data`, `items`, `results`, …).
 */
export function itemsOf(json: unknown, itemsField: string | undefined): unknown {
  if (itemsField !== undefined) return getPath(json, itemsField);
  if (Array.isArray(json)) return json;
  if (!json || typeof json !== 'object') return undefined;
  const arrays = Object.entries(json as Record<string, unknown>).filter(
    ([, v]) => Array.isArray(v) && v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x)),
  );
  return (arrays.find(([k]) => ITEM_KEYS.includes(k.toLowerCase())) ??
    (arrays.length === 1 ? arrays[0] : undefined))?.[1];
}

export function extractIds(exchange: Exchange, itemsField: string | undefined, idField: string): string[] {
  const res = exchange.response;
  if (!res) return [];
  const type = res.headers['content-type'] ?? '';
  const rows: unknown[] = [];
  if (/ndjson/i.test(type)) {
    for (const line of res.bodyText.split('\n')) {
      if (!line.trim()) continue;
      try {
        rows.push(JSON.parse(line));
      } catch {
        // a broken line carries no id
      }
    }
  } else if (/csv/i.test(type)) {
    const [header, ...lines] = res.bodyText.split(/\r?\n/);
    const cols = (header ?? '').split(',');
    const idCol = cols.indexOf(idField);
    if (idCol >= 0) for (const line of lines) if (line) rows.push({ [idField]: line.split(',')[idCol] });
  } else {
    const items = itemsOf(res.json, itemsField);
    if (Array.isArray(items)) rows.push(...items);
  }
  const ids: string[] = [];
  for (const row of rows) {
    const id = getPath(row, idField);
    if (typeof id === 'string' || typeof id === 'number') ids.push(String(id));
  }
  return ids;
}
