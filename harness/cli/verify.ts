/**
 * `tenantproof verify DIR [--public-key FILE] [--max-age PERIOD]`: checks a run folder (manifest,
 * DSSE signature, attestation subjects, transcript hash chain, evidence schema) and says exactly what
 * failed, and how old the evidence is. Exit 0 when everything verifies, 1 when anything does not (or
 * the run is older than --max-age), 2 for usage errors. Evidence past its validUntil is a warning.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EVIDENCE_FILE } from '../evidence/evidence-schema.ts';
import { MANIFEST_FILE } from '../evidence/manifest.ts';
import { UsageError } from '../errors.ts';
import { parseCalendarDuration } from '../evidence/calendar-duration.ts';
import { EXIT, exitCodesHelp } from '../exit-codes.ts';
import { formatVerifyReport, verifyRunDir } from '../evidence/verify.ts';
import { helpHint, parseCommandArgs } from './command-args.ts';

const HELP = `Usage: tenantproof verify DIR [--public-key FILE] [--require-pinned] [--allow-partial]
                        [--max-age PERIOD]

Checks a run folder written by \`tenantproof run\`: every file's SHA-256 against manifest.json, the
Ed25519 DSSE signature of attestation.json and its subjects, the transcript's hash chain,
evidence.json against its schema, and that the signed result agrees with evidence.json.

Trust: the key in the folder proves integrity, not origin (anyone can re-sign a folder with their
own key). Pin the vendor's key to verify origin too: --public-key FILE (the signature must come
from that key), or TENANTPROOF_TRUSTED_KEYS=<fingerprint>[,<fingerprint>…] (the folder's key must
be one of them).

Age: verify prints when the run was assessed (evidence.json's assessedAt, the end of the run) and
how long ago, and warns when the evidence is past its validUntil (the exit code is unchanged).
--max-age fails a run assessed longer ago than that (in a merged folder, also any run it merges).

Options:
  --public-key FILE   the vendor's public key (PEM); the signature must verify with it
  --require-pinned    fail unless the signing key is pinned (--public-key or TENANTPROOF_TRUSTED_KEYS)
  --allow-partial     accept a run that was killed after a checkpoint seal; bytes written after the
                      seal are hash-chained but not signed, and are not trusted
  --max-age PERIOD    fail when the run was assessed longer ago than PERIOD: 90d, 2w, 6mo, 18mo, 1y
                      (calendar months and years, UTC)

${exitCodesHelp('verify')}`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('verify', {
    args: argv,
    options: {
      'public-key': { type: 'string' },
      'require-pinned': { type: 'boolean' },
      'allow-partial': { type: 'boolean' },
      'max-age': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.clean;
  }
  const maxAge = values['max-age'] !== undefined ? parseCalendarDuration(values['max-age'], '--max-age') : undefined;
  const dir = positionals[0];
  if (!dir || positionals.length > 1)
    throw new UsageError('give exactly one run folder.', { hint: helpHint('verify') });
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a folder.`);
  // A folder with neither file was never a run folder (a tampered one still has one of them).
  if (!existsSync(join(dir, EVIDENCE_FILE)) && !existsSync(join(dir, MANIFEST_FILE)))
    throw new UsageError(`${dir} is not a tenantproof run folder (no ${EVIDENCE_FILE}, no ${MANIFEST_FILE}).`, {
      hint: 'give the folder `tenantproof run` wrote, e.g. reports/latest',
    });
  const publicKey = values['public-key'];
  if (publicKey && !existsSync(publicKey)) throw new UsageError(`public key file ${publicKey} does not exist.`);
  const trustedFingerprints = (process.env['TENANTPROOF_TRUSTED_KEYS'] ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const report = verifyRunDir(dir, {
    ...(publicKey ? { publicKeyFile: publicKey } : {}),
    trustedFingerprints,
    ...(maxAge ? { maxAge } : {}),
  });
  process.stdout.write(formatVerifyReport(report) + '\n');
  if (!report.ok) return EXIT.leak;
  if (values['require-pinned'] && !report.pinned) {
    process.stdout.write('FAIL: --require-pinned: the signing key is not pinned, so the origin is not verified\n');
    return EXIT.leak;
  }
  if (report.unsealed && !values['allow-partial']) {
    process.stdout.write(
      'FAIL: the run did not finish, and its transcript has bytes after the last seal; pass --allow-partial to accept the sealed part (what follows the seal stays untrusted)\n',
    );
    return EXIT.leak;
  }
  return EXIT.clean;
}
