/**
 * The one error tree of the harness. Every error a user can cause or meet is a TenantproofError
 * carrying the exit code it stands for and, where there is one, a hint that says what to do. The
 * CLI catches it once (harness/cli/main.ts); anything else is an internal error (exit 4).
 *
 *   TenantproofError
 *   ├── UsageError            2  bad flags, config, spec, counterexample file, signing key
 *   ├── TargetUnusableError   3  the target cannot support a verdict
 *   └── InternalError         4  a bug in tenantproof (an invariant broke)
 *
 * Modules subclass these (ConfigError, SpecError, ProvisioningError, …) so that a message names
 * its layer; the exit code comes from the base class, never from a table elsewhere.
 */
import { EXIT, type ExitCode } from './exit-codes.ts';

export interface TenantproofErrorOptions {
  /** What the user can do about it, in one line. */
  hint?: string;
  cause?: unknown;
}

export class TenantproofError extends Error {
  readonly hint: string | undefined;

  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options: TenantproofErrorOptions = {},
  ) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** A bad request of the user's: flags, config file, spec, input file. Exit 2. */
export class UsageError extends TenantproofError {
  constructor(message: string, options: TenantproofErrorOptions = {}) {
    super(message, EXIT.usage, options);
  }
}

/** The target cannot support a verdict: unreachable, failing, timing out. Exit 3. */
export class TargetUnusableError extends TenantproofError {
  constructor(message: string, options: TenantproofErrorOptions = {}) {
    super(message, EXIT.inconclusive, options);
  }
}

/** An invariant of tenantproof itself broke. Exit 4. */
export class InternalError extends TenantproofError {
  constructor(message: string, options: TenantproofErrorOptions = {}) {
    super(message, EXIT.internal, options);
  }
}

/** The one-line form a CLI prints: the message, then the hint on its own line. */
export function describeError(err: TenantproofError): string {
  return err.hint ? `${err.message}\n  hint: ${err.hint}` : err.message;
}
