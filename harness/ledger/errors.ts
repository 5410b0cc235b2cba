/**
 * Typed errors of the incident ledger (part of the harness's one error tree, harness/errors.ts).
 *
 *   LedgerError (UsageError, 2)        an unusable ledger file, flag or key
 *   ├── LedgerRefusedError (2)         `ledger add`/`rotate` refused: a folder that does not verify,
 *   │                                  a run signed by another key, a run already in the ledger, …
 *   └── LedgerKeyError (2)             no signing key, or one that cannot be used
 *   LedgerTamperedError (1)            the ledger itself does not verify (chain, signature, key rule)
 */
import { TenantproofError, UsageError, type TenantproofErrorOptions } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';

export class LedgerError extends UsageError {}

/** What `ledger add` or `ledger rotate` will not do; `problems` lists each reason. */
export class LedgerRefusedError extends LedgerError {
  constructor(
    readonly problems: readonly string[],
    options: TenantproofErrorOptions = {},
  ) {
    super(
      problems.length === 1
        ? `refused: ${problems[0]!}`
        : `refused:\n${problems.map((p) => `  - ${p.replace(/\n/g, '\n    ')}`).join('\n')}`,
      options,
    );
  }
}

/** The vendor's signing key is missing or unusable. */
export class LedgerKeyError extends LedgerError {}

/** The ledger does not verify: nothing may be appended to it or reported from it. Exit 1. */
export class LedgerTamperedError extends TenantproofError {
  constructor(message: string, options: TenantproofErrorOptions = {}) {
    super(message, EXIT.leak, options);
  }
}
