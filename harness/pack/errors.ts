/** Why a buyer's pack was refused. */
import { UsageError } from '../errors.ts';

/** An input (run folder, ledger, key, output folder) the pack cannot be built from: exit 2. */
export class PackRefusedError extends UsageError {
  override name = 'PackRefusedError';
}
