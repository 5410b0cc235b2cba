/**
 * `tenantproof verify DIR [--public-key FILE]`: checks a run folder (manifest, DSSE signature,
 * attestation subjects, transcript hash chain, evidence schema) and says exactly what failed.
 * Exit 0 when everything verifies, 1 when anything does not, 2 for usage errors.
 */
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';
import { EXIT, exitCodesHelp } from '../exit-codes.ts';
import { formatVerifyReport, verifyRunDir } from '../evidence/verify.ts';

const HELP = `Usage: tenantproof verify DIR [--public-key FILE]

Checks a run folder written by \`tenantproof run\`: every file's SHA-256 against manifest.json, the
Ed25519 DSSE signature of attestation.json and its subjects, the transcript's hash chain, and
evidence.json against its schema. With --public-key, the signature must come from that key
(otherwise the key written beside the attestation is used, and its fingerprint printed).

${exitCodesHelp('verify')}`;

export async function main(argv: string[]): Promise<number> {
  let values: { 'public-key'?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { 'public-key': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message, { hint: 'run `tenantproof verify --help` for the options' });
  }
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return EXIT.clean;
  }
  const dir = positionals[0];
  if (!dir || positionals.length > 1)
    throw new UsageError('give exactly one run folder.', { hint: 'run `tenantproof verify --help` for the options' });
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a folder.`);
  const publicKey = values['public-key'];
  if (publicKey && !existsSync(publicKey)) throw new UsageError(`public key file ${publicKey} does not exist.`);
  const report = verifyRunDir(dir, publicKey ? { publicKeyFile: publicKey } : {});
  process.stdout.write(formatVerifyReport(report) + '\n');
  return report.ok ? EXIT.clean : EXIT.leak;
}
