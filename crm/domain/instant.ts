/**
 * RFC 3339 timestamps as instants. RFC 3339 allows a leap second (`23:59:60`), which the spec's
 * `date-time` format accepts but JavaScript's Date cannot parse; it is read as the first instant
 * of the next second, as PostgreSQL does.
 */
const LEAP_SECOND = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}):60(\.\d+)?(.*)$/i;

/** Milliseconds since the epoch, or NaN for text that is not a timestamp. */
export function instantMs(text: string): number {
  const leap = LEAP_SECOND.exec(text);
  if (leap) {
    const t = Date.parse(`${leap[1]}:59${leap[3]}`);
    return Number.isNaN(t) ? NaN : t + 1000;
  }
  return Date.parse(text);
}

/** The timestamp in canonical UTC form (`2026-01-05T09:30:00.000Z`). */
export function canonicalInstant(text: string): string {
  return new Date(instantMs(text)).toISOString();
}
