/** Pagination detection from query parameters and response fields, by common naming. */
import type { Pagination, ParameterInfo } from './api-model.ts';
import { objectShape } from './schema-shape.ts';
import type { SpecDocument } from './spec-document.ts';

const CURSOR_PARAMS =
  /^(cursor|after|before|starting_after|ending_before|page_?token|next_?page_?token|continuation(_?token)?|next|marker|since_id|from_id|start_cursor|page\[cursor\]|page\[after\])$/i;
const PAGE_PARAMS = /^(page|page_?number|page\[number\]|pagenum)$/i;
const OFFSET_PARAMS = /^(offset|skip|start|page\[offset\])$/i;
const LIMIT_PARAMS = /^(limit|per_?page|page_?size|size|count|max(_?results)?|top|page\[size\]|page\[limit\]|first)$/i;
const NEXT_FIELDS =
  /^(next_?cursor|next_?page_?token|next_?token|cursor|next|next_?page|continuation(_?token)?|end_?cursor|next_?start)$/i;
const HAS_MORE_FIELDS = /^(has_?more|has_?next(_?page)?|more_?items_?in_?collection|more)$/i;

/** Finds the next-cursor field, looking one level into `meta`, `pagination`, `links`, `page_info` and so on. */
function findResponseField(doc: SpecDocument, schema: unknown, pattern: RegExp): string | undefined {
  const shape = objectShape(doc, schema);
  if (!shape) return undefined;
  for (const name of Object.keys(shape.properties)) if (pattern.test(name)) return name;
  for (const [name, prop] of Object.entries(shape.properties)) {
    if (!/^(meta|pagination|paging|links|page_?info|additional_data|cursor|_links)$/i.test(name)) continue;
    const inner = objectShape(doc, prop);
    if (!inner) continue;
    for (const innerName of Object.keys(inner.properties)) {
      if (pattern.test(innerName)) return `${name}.${innerName}`;
      if (name === 'additional_data' || /pagination/i.test(innerName)) {
        const deeper = objectShape(doc, inner.properties[innerName]);
        for (const d of Object.keys(deeper?.properties ?? {})) if (pattern.test(d)) return `${name}.${innerName}.${d}`;
      }
    }
  }
  return undefined;
}

export function detectPagination(doc: SpecDocument, parameters: ParameterInfo[], responseSchema: unknown): Pagination {
  const query = parameters.filter((p) => p.in === 'query').map((p) => p.name);
  const limitParam = query.find((n) => LIMIT_PARAMS.test(n));
  const nextField = responseSchema === undefined ? undefined : findResponseField(doc, responseSchema, NEXT_FIELDS);
  const hasMoreField =
    responseSchema === undefined ? undefined : findResponseField(doc, responseSchema, HAS_MORE_FIELDS);
  const extra = {
    ...(limitParam ? { limitParam } : {}),
    ...(nextField ? { nextField } : {}),
    ...(hasMoreField ? { hasMoreField } : {}),
  };
  // Forward cursors first: Stripe lists take both `starting_after` and `ending_before`.
  const cursors = query.filter((n) => CURSOR_PARAMS.test(n));
  const cursor = cursors.find((n) => !/before/i.test(n)) ?? cursors[0];
  if (cursor) return { style: 'cursor', param: cursor, ...extra };
  const numeric = (n: string) => {
    const p = parameters.find((q) => q.in === 'query' && q.name === n);
    const t = p ? doc.object(p.schema).type : undefined;
    return (
      t === undefined ||
      t === 'integer' ||
      t === 'number' ||
      (Array.isArray(t) && (t.includes('integer') || t.includes('number')))
    );
  };
  const page = query.find((n) => PAGE_PARAMS.test(n) && numeric(n));
  if (page) return { style: 'page', param: page, ...extra };
  const offset = query.find((n) => OFFSET_PARAMS.test(n) && numeric(n));
  if (offset) return { style: 'offset', param: offset, ...extra };
  return { style: 'none', ...extra };
}
