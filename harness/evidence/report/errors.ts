/** Typed errors of the report renderer. */
import { EvidenceError } from '../errors.ts';

/** Chromium (needed for the PDF) is not installed at the expected path, or does not start. */
export class ChromiumUnavailableError extends EvidenceError {
  constructor(
    readonly executablePath: string,
    readonly reason: string,
  ) {
    super(
      `Chromium is not available at ${executablePath} (${reason}); the PDF report was skipped. Install it with \`apt-get install chromium\` (Debian/Ubuntu), then run \`npx tenantproof report DIR --pdf\`.`,
    );
  }
}

/** The report command was pointed at something that is not a usable run folder. */
export class ReportInputError extends EvidenceError {}
