/**
 * `tenantproof report DIR [--pdf] [--out FILE]`: re-renders the HTML (and PDF) report of a run
 * folder from its evidence.json and transcript.ndjson.
 *
 * A sealed folder (one with manifest.json) is never modified: any new or changed file would make
 * `tenantproof verify` fail, and re-sealing would need the signing key, which a reviewer does not
 * have. So on a sealed folder the report goes to `--out FILE` (and the PDF beside it), and without
 * `--out` the command refuses. An unsealed folder gets report.html (and report.pdf) inside it.
 * Exit codes: 0 written, 2 usage error or refused, 3 PDF asked for but Chromium unavailable (the
 * HTML is still written).
 */
import { TenantproofError, UsageError } from '../errors.ts';
import { EXIT, exitCodesHelp } from '../exit-codes.ts';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILE } from '../evidence/manifest.ts';
import { EVIDENCE_FILE } from '../evidence/evidence-schema.ts';
import { writeReportFiles } from '../evidence/report/write-report.ts';
import { helpHint, parseCommandArgs } from './command-args.ts';

const HELP = `Usage: tenantproof report DIR [--pdf] [--out FILE]

Renders report.html (self-contained, no network) from a run folder's evidence.json and
transcript.ndjson; with --pdf also an A4 report.pdf, printed by headless Chromium
(/usr/bin/chromium; install with \`apt-get install chromium\`).

A run folder sealed by \`tenantproof run\` (it has manifest.json) is left untouched, since any
new file would make \`tenantproof verify\` fail: give --out FILE to write the report elsewhere
(the PDF goes beside it, FILE with .pdf). Runs already carry a signed report.html.

Options:
  --pdf         also write the PDF
  --out FILE    write the HTML to FILE instead of DIR/report.html
  --help        this text

${exitCodesHelp('report')}`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('report', {
    args: argv,
    options: { pdf: { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.clean;
  }
  const dir = positionals[0];
  if (!dir || positionals.length > 1)
    throw new UsageError('give exactly one run folder.', { hint: helpHint('report') });
  if (!existsSync(dir) || !statSync(dir).isDirectory() || !existsSync(join(dir, EVIDENCE_FILE)))
    throw new UsageError(`${dir} is not a run folder (no ${EVIDENCE_FILE}).`);
  const sealed = existsSync(join(dir, MANIFEST_FILE));
  if (sealed && !values.out)
    throw new UsageError(
      `${dir} is sealed (${MANIFEST_FILE} lists its files); writing a report into it would make \`tenantproof verify\` fail.`,
      {
        hint: `give --out FILE to write the report elsewhere, e.g. tenantproof report ${dir} --out report.html${values.pdf ? ' --pdf' : ''}`,
      },
    );
  let result;
  try {
    result = await writeReportFiles(dir, { pdf: values.pdf ?? false, ...(values.out ? { htmlFile: values.out } : {}) });
  } catch (e) {
    if (e instanceof TenantproofError) throw e;
    throw new UsageError((e as Error).message);
  }
  process.stdout.write(`report: ${result.htmlFile}\n`);
  if (result.pdfFile) process.stdout.write(`pdf:    ${result.pdfFile}\n`);
  if (result.pdfSkipped) {
    process.stderr.write(`tenantproof report: ${result.pdfSkipped}\n`);
    return EXIT.inconclusive;
  }
  return EXIT.clean;
}
