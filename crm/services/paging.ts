/** Decoding cursors into positions and pages into `{ data, nextCursor }`. */
import type { Page } from '../repositories/rows.ts';

export interface ListRequest {
  limit: number;
  /** The decoded cursor position, or null for the first page. */
  after: number | null;
}

export function stripSeq<T extends { seq: number }>(page: Page<T>): Page<Omit<T, 'seq'>> {
  return { items: page.items.map(({ seq: _seq, ...rest }) => rest), nextPosition: page.nextPosition };
}
