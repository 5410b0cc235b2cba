/** Conversions shared by the row mappers (PGlite and pg return slightly different JS types). */
export function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(String(value)).toISOString();
}

export function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : iso(value);
}

/** bigint columns come back as strings from pg and as numbers from PGlite. */
export function int(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

export function jsonValue<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** Escapes LIKE wildcards so user text is matched literally (used with `ESCAPE '\'`). */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface Page<T> {
  items: T[];
  /** The position of the last item, when there is a next page. */
  nextPosition: number | null;
}

export function toPage<T extends { seq: number }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextPosition: rows.length > limit && last ? last.seq : null };
}

/** Builds `SET a = $n, b = $m` from a patch, with a whitelist of column names. */
export function setClause(
  patch: Record<string, unknown>,
  columns: Record<string, { column: string; encode?: (v: unknown) => unknown }>,
  firstParam: number,
): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [key, value] of Object.entries(patch)) {
    const target = columns[key];
    if (!target || value === undefined) continue;
    params.push(target.encode ? target.encode(value) : value);
    parts.push(`${target.column} = $${firstParam + params.length - 1}`);
  }
  parts.push('updated_at = clock_timestamp()');
  return { sql: parts.join(', '), params };
}

export const jsonParam = (value: unknown): unknown => (value === null ? null : JSON.stringify(value));
