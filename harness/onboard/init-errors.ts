/**
 * The errors `tenantproof init` can meet, each with the exit code it stands for (from its base
 * class) and a hint that says what to do.
 */
import { TargetUnusableError, UsageError } from '../errors.ts';

/** No spec: none given and none found at the usual framework endpoints. Exit 2. */
export class SpecNotFoundError extends UsageError {
  constructor(
    message: string,
    readonly tried: readonly string[],
  ) {
    super(message, { hint: 'give the spec with --spec FILE|URL' });
  }
}

/** A file init would write is already there, and --force was not given. Exit 2. */
export class FileInTheWayError extends UsageError {
  constructor(readonly file: string) {
    super(`${file} already exists; init does not overwrite it`, {
      hint: 'pass --force to overwrite it, or --dir DIR to write somewhere else',
    });
  }
}

/** The target (or a spec URL) cannot be reached at all. Exit 3. */
export class TargetUnreachableError extends TargetUnusableError {
  constructor(url: string, cause: unknown) {
    super(`cannot reach ${url}: ${causeText(cause)}`, {
      hint: 'start the API (or fix --target URL), or give the spec as a file with --spec FILE',
      cause,
    });
  }
}

/** The network error's own code (ECONNREFUSED, ENOTFOUND) when there is one. */
function causeText(cause: unknown): string {
  const inner = (cause as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (inner && typeof inner.code === 'string') return inner.code;
  if (inner && typeof inner.message === 'string') return inner.message;
  return cause instanceof Error ? cause.message : String(cause);
}
