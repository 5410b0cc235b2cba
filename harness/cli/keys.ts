/**
 * `tenantproof keys generate [--out DIR] [--force]`: makes the vendor's Ed25519 signing key pair
 * (the library is harness/ledger/keys.ts), prints its key id and how to keep the private key as a
 * GitHub Actions secret. Exit codes: 0 written, 2 usage error or a key already there.
 */
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { EXIT, exitCodesHelp, type ExitCode } from '../exit-codes.ts';
import { SIGNING_KEY_ENV } from '../evidence/attestation.ts';
import { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, writeKeyPair } from '../ledger/keys.ts';
import { helpHint, parseCommandArgs } from './command-args.ts';

const DEFAULT_OUT = 'tenantproof-keys';

export const KEYS_HELP = `Usage: tenantproof keys generate [--out DIR] [--force]

Creates the vendor's Ed25519 signing key pair, once: the private key signs every run folder
(\`tenantproof run\`, \`merge\`) and every entry of the incident ledger (\`tenantproof ledger\`); the
public key is what buyers pin (\`verify --public-key\`, \`ledger verify --public-key\`).

  DIR/${PRIVATE_KEY_FILE}   PKCS#8 PEM, mode 0600: keep it secret, never commit it
  DIR/${PUBLIC_KEY_FILE}    SPKI PEM: publish it (commit it, put it in your trust page)

It prints the key id: SHA-256 of the public key (SPKI DER), hex, the fingerprint run folders and
the ledger record (buyers may pin it with TENANTPROOF_TRUSTED_KEYS=<key id>).

In CI keep the private key as a GitHub Actions secret named ${SIGNING_KEY_ENV}
(\`gh secret set ${SIGNING_KEY_ENV} < DIR/${PRIVATE_KEY_FILE}\`), give it only to the job that
runs and records the campaign (\`env: ${SIGNING_KEY_ENV}: \${{ secrets.${SIGNING_KEY_ENV} }}\`),
then delete the local copy or move it to an offline store. To replace a key, generate a new pair
and announce it with \`tenantproof ledger rotate --new-key FILE\` before signing with it.

Options:
  --out DIR   folder for the two files (default ${DEFAULT_OUT}; made with mode 0700)
  --force     replace existing key files (the old key is then lost: rotate the ledger first)
  --help      this text

${exitCodesHelp('keys')}`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('keys', {
    args: argv,
    options: { out: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(KEYS_HELP + '\n');
    return EXIT.clean;
  }
  if (positionals[0] !== 'generate' || positionals.length > 1)
    throw new UsageError(
      positionals.length === 0 ? 'give a subcommand: generate' : `unknown subcommand "${positionals.join(' ')}"`,
      { hint: 'run `tenantproof keys --help`' },
    );
  const dir = values.out ?? DEFAULT_OUT;
  const k = writeKeyPair(dir, { force: values.force === true });
  const rel = (p: string): string => path.relative(process.cwd(), p) || p;
  const out = process.stdout;
  out.write(
    [
      'Created an Ed25519 signing key pair:',
      `  private key  ${rel(k.privateKeyFile)}  (mode 0600; keep it secret, never commit it)`,
      `  public key   ${rel(k.publicKeyFile)}  (publish it; buyers pin it)`,
      `key id: ${k.keyId}`,
      '',
      `Keep the private key as a GitHub Actions secret named ${SIGNING_KEY_ENV}:`,
      `  gh secret set ${SIGNING_KEY_ENV} < ${rel(k.privateKeyFile)}`,
      '  (or Settings → Secrets and variables → Actions → New repository secret, and paste the PEM)',
      'and give it to the job that runs the campaign and adds it to the ledger:',
      '  env:',
      `    ${SIGNING_KEY_ENV}: \${{ secrets.${SIGNING_KEY_ENV} }}`,
      'Then delete the local copy, or move it to an offline store.',
      '',
    ].join('\n'),
  );
  return EXIT.clean;
}
