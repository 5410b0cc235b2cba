/**
 * `tenantproof export oscal DIR [--out FILE] [--public-key FILE]`: a sealed run folder's evidence
 * as NIST OSCAL 1.1.2 Assessment Results (the logic is harness/evidence/oscal/). The folder must
 * verify; it is only read. The document is validated against the official schema (vendored in
 * specs/) before anything is written.
 *
 * Where it goes: `--out FILE`, or standard output without it (`> ar.json`). Never into the run
 * folder, nor any other sealed folder: a file added there would make `tenantproof verify` fail,
 * which is why there is no default file inside DIR.
 * Exit codes: 0 written, 2 usage error or refused, 4 internal error (our own document invalid).
 */
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { EXIT, exitCodesHelp } from '../exit-codes.ts';
import { exportOscal } from '../evidence/oscal/export.ts';
import { sealedFolderHolding } from '../run/export-test-files.ts';
import { helpHint, parseCommandArgs } from './command-args.ts';

const FORMATS = ['oscal'] as const;

const EXIT_CODES = exitCodesHelp('export');

const HELP = `Usage: tenantproof export oscal DIR [--out FILE] [--public-key FILE]

Writes a run folder's evidence (DIR: reports/<runId>, reports/latest, or a merged folder) as NIST
OSCAL 1.1.2 Assessment Results (JSON), for GRC tools that import OSCAL:

  reviewed-controls   the NIST SP 800-53 controls of the control mapping (ac-3, ac-4, sc-4); the
                      other frameworks' controls (SOC 2, ISO 27001, CSA CCM, OWASP) as props
  observations        coverage per operation and oracle, the coverage statement, the negative
                      control, each control's status, each finding (no victim data)
  findings, risks     one of each per finding, linked to its observation and to the transcript
                      and counterexample it rests on
  assessment-log      one entry per run (a merged folder: per run merged)
  back-matter         every file of the folder with its SHA-256; import-ap names the resource
                      describing the campaign method

DIR must verify (what \`tenantproof verify\` checks) and is only read. The document is validated
against the official OSCAL schema before it is written; the same folder always gives the same
bytes (UUIDs are derived from the run id, times come from the evidence).

Options:
  --out FILE          write the document to FILE (default: standard output); not inside a sealed
                      run folder, where a new file would make \`tenantproof verify\` fail
  --public-key FILE   the vendor's public key (PEM): DIR's signature must verify with it (as does a
                      key listed in TENANTPROOF_TRUSTED_KEYS); the document says whether the key
                      was pinned
  --help              this text

${EXIT_CODES}`;

function usage(message: string): UsageError {
  return new UsageError(message, { hint: helpHint('export') });
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('export', {
    args: argv,
    options: {
      out: { type: 'string' },
      'public-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.clean;
  }
  const [format, dir, ...extra] = positionals;
  if (!format) throw usage(`name a format: tenantproof export ${FORMATS.join('|')} DIR.`);
  if (!(FORMATS as readonly string[]).includes(format))
    throw usage(`unknown export format "${format}"; known: ${FORMATS.join(', ')}.`);
  if (!dir || extra.length > 0) throw usage('give exactly one run folder.');

  const publicKey = values['public-key'];
  if (publicKey !== undefined && !existsSync(publicKey))
    throw new UsageError(`public key file ${publicKey} does not exist.`);
  const out = values.out;
  if (out !== undefined) {
    if (existsSync(out) && statSync(out).isDirectory())
      throw usage(
        `--out ${out} is a folder; give the file to write, e.g. ${path.join(out, 'assessment-results.oscal.json')}.`,
      );
    const sealed = sealedFolderHolding(out);
    if (sealed !== undefined)
      throw new UsageError(
        `--out ${out} is inside the sealed run folder ${sealed}; nothing may be added to a sealed folder, since \`tenantproof verify\` would then fail.`,
        { hint: 'write the document beside the folder, e.g. --out assessment-results.oscal.json' },
      );
  }

  const trustedFingerprints = (process.env['TENANTPROOF_TRUSTED_KEYS'] ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const result = exportOscal(dir, {
    ...(publicKey !== undefined ? { publicKeyFile: publicKey } : {}),
    trustedFingerprints,
  });

  if (out === undefined) {
    process.stdout.write(result.text);
    return EXIT.clean;
  }
  // Written beside, then renamed: a reader never sees half a document.
  mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  const tmp = path.join(path.dirname(path.resolve(out)), `.${path.basename(out)}.${process.pid}.tmp`);
  writeFileSync(tmp, result.text);
  renameSync(tmp, out);
  const c = result.counts;
  process.stdout.write(
    `oscal: ${out} (OSCAL 1.1.2 assessment results, valid against the official schema: ` +
      `${c.observations} observations, ${c.findings} findings, ${c.risks} risks, ${c.resources} back-matter resources)\n`,
  );
  return EXIT.clean;
}
