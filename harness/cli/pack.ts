/**
 * `tenantproof pack DIR… [--ledger FILE] --out DIR`: the buyer's pack a vendor attaches to a
 * security questionnaire (harness/pack/). Exit codes: 0 written, 2 usage error or refused (an input
 * that does not verify; nothing is written), 3 written without summary.pdf (no Chromium).
 */
import { UsageError } from '../errors.ts';
import { EXIT, exitCodesHelp } from '../exit-codes.ts';
import { writePack } from '../pack/write-pack.ts';
import { helpHint, parseCommandArgs } from './command-args.ts';

const HELP = `Usage: tenantproof pack DIR… --out DIR [--ledger FILE] [--public-key FILE] [--vendor NAME]

Writes the folder a vendor attaches to a security questionnaire. It answers a buyer's three
questions about multi-tenancy, each answer linked to its evidence:
  1. Does the vendor's SOC 2 cover multi-tenant isolation testing? (the control mapping)
  2. When was the last assessment, and what did it cover? (the latest run: date, age, coverage)
  3. Can the vendor describe an isolation incident, and how it was detected and fixed? (the ledger)

DIR… are verified run folders (single or merged); the one assessed last goes into the pack.

  summary.html, summary.pdf       the one-page answers (PDF printed by headless Chromium)
  run/<runId>/                    the latest signed run folder, byte for byte
  ledger/                         the ledger and its report (with --ledger)
  assessment-results.oscal.json   NIST OSCAL 1.1.2 assessment results of the latest run
  vendor.pem                      the vendor's public key; its key id is on the summary
  VERIFY.md                       the commands a buyer runs to check it all, offline
  pack-manifest.json              SHA-256 of every file

Options:
  --out DIR             where the pack goes: a new or empty folder (required)
  --ledger FILE         the incident ledger (tenantproof ledger); it must verify and be signed
                        with the key of the latest run
  --public-key FILE     the vendor's public key: every run must be signed with it
  --vendor NAME         the vendor's name on the summary (default: the tested spec's title)
  --stale-after N       months after which the evidence is flagged as old (default 18)
  --full-coverage R     share of tenant-owned operations that counts as full coverage in the
                        ledger report (default 1)
  --no-pdf              skip summary.pdf
  --help                this text

${exitCodesHelp('pack')}`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('pack', {
    args: argv,
    options: {
      out: { type: 'string' },
      ledger: { type: 'string' },
      'public-key': { type: 'string' },
      vendor: { type: 'string' },
      'stale-after': { type: 'string' },
      'full-coverage': { type: 'string' },
      'no-pdf': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.clean;
  }
  if (!values.out)
    throw new UsageError('--out DIR is required.', { hint: 'tenantproof pack reports/latest --out pack/' });
  if (positionals.length === 0) throw new UsageError('give at least one run folder.');
  const staleAfter = values['stale-after'] === undefined ? 18 : Number(values['stale-after']);
  if (!Number.isInteger(staleAfter) || staleAfter < 1)
    throw new UsageError(`--stale-after expects a whole number of months, got "${values['stale-after']}".`);
  const fullCoverage = values['full-coverage'] === undefined ? undefined : Number(values['full-coverage']);
  if (fullCoverage !== undefined && !(fullCoverage > 0 && fullCoverage <= 1))
    throw new UsageError(`--full-coverage expects a ratio in (0, 1], got "${values['full-coverage']}".`);

  const pack = await writePack({
    runDirs: positionals,
    outDir: values.out,
    staleAfterMonths: staleAfter,
    pdf: !values['no-pdf'],
    ...(values.ledger ? { ledgerFile: values.ledger } : {}),
    ...(values['public-key'] ? { publicKeyFile: values['public-key'] } : {}),
    ...(values.vendor ? { vendor: values.vendor } : {}),
    ...(fullCoverage !== undefined ? { fullCoverage } : {}),
  });
  const out = process.stdout;
  out.write(`pack: ${pack.outDir} (${pack.files.length} files), latest run ${pack.inputs.latest.evidence.runId}\n`);
  for (const answer of pack.answers) out.write(`  ${answer.question}\n    ${answer.answer}\n`);
  out.write(`vendor key id: ${pack.inputs.vendorKey.keyId}${pack.inputs.vendorKey.pinned ? ' (pinned)' : ''}\n`);
  out.write(`check it: see ${pack.outDir}/VERIFY.md\n`);
  if (pack.pdfSkipped) {
    process.stderr.write(`tenantproof pack: summary.pdf not written: ${pack.pdfSkipped}\n`);
    return EXIT.inconclusive;
  }
  return EXIT.clean;
}
