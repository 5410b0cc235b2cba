/** Typed errors of the OSCAL export (part of the harness's one error tree, harness/errors.ts). */
import { InternalError } from '../../errors.ts';
import { EvidenceError } from '../errors.ts';

/** A folder the export will not read: missing, not a run folder, or not verifying. Exit 2. */
export class OscalExportRefusedError extends EvidenceError {}

export interface SchemaIssue {
  /** JSON Pointer into the document. */
  path: string;
  message: string;
}

/** Our own document does not validate against the official OSCAL schema: a bug of ours. Exit 4. */
export class OscalSchemaError extends InternalError {
  constructor(readonly issues: readonly SchemaIssue[]) {
    const first = issues.slice(0, 10).map((i) => `  ${i.path || '/'}: ${i.message}`);
    super(
      `the OSCAL document does not validate against the official OSCAL 1.1.2 Assessment Results schema (${issues.length} error(s); nothing was written):\n${first.join('\n')}${issues.length > 10 ? `\n  … and ${issues.length - 10} more` : ''}`,
    );
  }
}

/** The vendored OSCAL schema is missing or unreadable (a broken installation). Exit 4. */
export class OscalSchemaUnavailableError extends InternalError {}
