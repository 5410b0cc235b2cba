/**
 * The one error type of spec analysis. Its message always names the file, and where it can the
 * JSON pointer and the line, so that a user can go straight to the problem.
 */
import { UsageError } from '../errors.ts';
export type SpecErrorCode =
  | 'unreadable'
  | 'syntax'
  | 'not-a-spec'
  | 'unsupported-version'
  | 'invalid'
  | 'dangling-ref'
  | 'unsupported-ref'
  | 'bad-extension'
  /** An overlay file (`--overlay`) that cannot be read, is malformed, or does not fit the spec. */
  | 'bad-overlay';

export interface SpecLocation {
  /** The file the problem is in (absolute or as given). */
  file: string;
  /** JSON pointer inside that file, e.g. `/paths/~1v1~1customers/get`. */
  pointer?: string;
  /** 1-based line, when it could be found. */
  line?: number;
  /** 1-based column, when known. */
  column?: number;
}

export class SpecError extends UsageError {
  readonly code: SpecErrorCode;
  readonly location: SpecLocation;
  /** Further problems of the same kind, after the first (already in the message, shortened). */
  readonly more: string[];

  constructor(code: SpecErrorCode, detail: string, location: SpecLocation, more: string[] = []) {
    super(
      `${formatLocation(location)}: ${detail}${more.length ? `\n  ${more.slice(0, 9).join('\n  ')}${more.length > 9 ? `\n  … and ${more.length - 9} more` : ''}` : ''}`,
    );
    this.code = code;
    this.location = location;
    this.more = more;
  }
}

export function formatLocation(location: SpecLocation): string {
  let where = location.file;
  if (location.line !== undefined)
    where += `:${location.line}${location.column !== undefined ? `:${location.column}` : ''}`;
  if (location.pointer !== undefined) where += ` (at #${location.pointer})`;
  return where;
}
