/** Ids of the records in a list, search or export response (JSON envelope or array, NDJSON, CSV). */
import type { Exchange } from './exchange.ts';
import { getPath } from './resolve-step.ts';

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
    const items = getPath(res.json, itemsField ?? '');
    if (Array.isArray(items)) rows.push(...items);
  }
  const ids: string[] = [];
  for (const row of rows) {
    const id = getPath(row, idField);
    if (typeof id === 'string' || typeof id === 'number') ids.push(String(id));
  }
  return ids;
}
