/**
 * Header fields as received. Node's `headers` object hides repeats (it keeps the first
 * `Authorization`, joins repeated custom fields with ", "), so a repeat is only visible here.
 */
import type { IncomingMessage } from 'node:http';
import { DuplicateHeaderError } from './errors.ts';

/** How many times the field `name` (any case) appears in `rawHeaders` (name, value, name, …). */
export function headerCount(rawHeaders: readonly string[], name: string): number {
  const wanted = name.toLowerCase();
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]?.toLowerCase() === wanted) count++;
  return count;
}

/** Throws DuplicateHeaderError for the first of `names` that `request` carries more than once. */
export function assertSingleHeaders(request: Pick<IncomingMessage, 'rawHeaders'>, names: readonly string[]): void {
  for (const name of names) if (headerCount(request.rawHeaders, name) > 1) throw new DuplicateHeaderError(name);
}
