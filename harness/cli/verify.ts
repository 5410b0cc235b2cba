/**
 * `tenantproof verify DIR [--public-key FILE]`: checks a run folder (manifest, DSSE signature,
 * attestation subjects, transcript hash chain, evidence schema) and says exactly what failed.
 * Exit 0 when everything verifies, 1 when anything does not, 2 for usage errors.
 */
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatVerifyReport, verifyRunDir } from '../evidence/verify.ts';

const HELP = `Usage: tenantproof verify DIR [--public-key FILE]

Checks a run folder written by \`tenantproof run\`: every file's SHA-256 against manifest.json, the
Ed25519 DSSE signature of attestation.json and its subjects, the transcript's hash chain, and
evidence.json against its schema. With --public-key, the signature must come from that key
(otherwise the key written beside the attestation is used, and its fingerprint printed).

Exit codes: 0 verified, 1 verification failed, 2 usage error.`;

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
    process.stderr.write(`tenantproof verify: ${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const dir = positionals[0];
  if (!dir || positionals.length > 1) {
    process.stderr.write(`tenantproof verify: give exactly one run folder.\n\n${HELP}\n`);
    return 2;
  }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    process.stderr.write(`tenantproof verify: ${dir} is not a folder.\n`);
    return 2;
  }
  const publicKey = values['public-key'];
  if (publicKey && !existsSync(publicKey)) {
    process.stderr.write(`tenantproof verify: public key file ${publicKey} does not exist.\n`);
    return 2;
  }
  const report = verifyRunDir(dir, publicKey ? { publicKeyFile: publicKey } : {});
  process.stdout.write(formatVerifyReport(report) + '\n');
  return report.ok ? 0 : 1;
}
