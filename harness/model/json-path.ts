/** Dotted paths into JSON values (`data.0.id`), as steps and plans name response fields. */

export function getPath(root: unknown, dotted: string): unknown {
  if (dotted === '') return root;
  let cur: unknown = root;
  for (const seg of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** `envelope.field`, or `field` when there is no envelope. */
export function joinPath(envelope: string | undefined, field: string): string {
  return envelope ? `${envelope}.${field}` : field;
}

/** A reference path that names the id at the end of a response's `Location` header. */
export const LOCATION_ID_PATH = 'header:location#id';

/** The last path segment of a Location header value (`/v1/things/42?x` → `42`). */
export function idFromLocation(location: string | undefined): string | undefined {
  if (!location) return undefined;
  const path = location.split(/[?#]/)[0]!.replace(/\/+$/, '');
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last ? decodeURIComponent(last) : undefined;
}

/**
 * Where a create's response keeps the new record's id when the spec does not say: the usual id
 * fields at the top level or one envelope down, else the Location header. Returns the path to use
 * in references (a dotted JSON path, or LOCATION_ID_PATH).
 */
export function findCreatedId(
  json: unknown,
  headers: Record<string, string>,
  resource: string,
): { path: string; id: string } | undefined {
  const names = ['id', `${resource}Id`, `${resource}_id`, 'uuid', '_id', 'key', 'slug'];
  const scalar = (v: unknown): v is string | number =>
    typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    const o = json as Record<string, unknown>;
    for (const n of names) if (scalar(o[n]) && String(o[n]).length > 0) return { path: n, id: String(o[n]) };
    for (const env of ['data', resource, 'result', 'record', 'item']) {
      const inner = o[env];
      if (!inner || typeof inner !== 'object' || Array.isArray(inner)) continue;
      for (const n of names) {
        const v = (inner as Record<string, unknown>)[n];
        if (scalar(v) && String(v).length > 0) return { path: `${env}.${n}`, id: String(v) };
      }
    }
  }
  const fromLocation = idFromLocation(headers['location']);
  return fromLocation ? { path: LOCATION_ID_PATH, id: fromLocation } : undefined;
}
