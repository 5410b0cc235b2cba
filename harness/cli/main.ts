/**
 * `tenantproof` command dispatcher. Each subcommand lives in its own module in this folder and is
 * loaded on demand, so `tenantproof crm` does not pay for the harness and vice versa.
 *
 * Errors are caught here, once: a TenantproofError prints its message (and hint) and exits with
 * its code; anything else is an internal error (exit 4), told in one line.
 */
import { describeError, TenantproofError } from '../errors.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { toolVersion } from '../tool-version.ts';

const USAGE = `Usage: tenantproof <command> [options]

Commands:
  init         write tenantproof.config.ts and a provisioning module for your own API, then smoke-check them
  doctor       show, per tenant-owned operation, what blocks a campaign and the fix (--write-overlay)
  run          run an isolation campaign (default target: the embedded reference CRM)
  replay       re-run a counterexample on fresh tenants; exit 1 if the leak reproduces
  export-test  write a run folder's findings as vitest regression tests into your own repository
  export       write a run folder's evidence as NIST OSCAL assessment results (\`export oscal\`)
  verify       check a run folder's manifest, signature, transcript chain and evidence
  merge        merge the run folders of a sharded campaign into one signed evidence folder
  report       render report.html (--pdf: report.pdf) from a run folder
  inspect      show what tenantproof infers from an OpenAPI spec
  ledger       the incident ledger: add verified runs, verify it, report incidents, rotate keys
  keys         generate the vendor's Ed25519 signing key pair (\`keys generate\`)
  pack         the buyer's pack: one-page answers, latest signed run, ledger report, OSCAL, key
  crm          start the reference multi-tenant CRM
  help         show this text (\`help <command>\`: that command's options and exit codes)

Options:
  --version    print tenantproof's version

Run \`tenantproof <command> --help\` for a command's options and exit codes.`;

type CommandMain = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<CommandMain>> = {
  crm: async () => (await import('../../crm/cli.ts')).main,
  inspect: async () => (await import('./inspect.ts')).main,
  init: async () => (await import('./init.ts')).main,
  doctor: async () => (await import('./doctor.ts')).main,
  run: async () => (await import('./run.ts')).main,
  replay: async () => (await import('./replay.ts')).main,
  'export-test': async () => (await import('./export-test.ts')).main,
  export: async () => (await import('./export.ts')).main,
  verify: async () => (await import('./verify.ts')).main,
  merge: async () => (await import('./merge.ts')).main,
  report: async () => (await import('./report.ts')).main,
  ledger: async () => (await import('./ledger.ts')).main,
  keys: async () => (await import('./keys.ts')).main,
  pack: async () => (await import('./pack.ts')).main,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`tenantproof ${toolVersion()}\n`);
    return EXIT.clean;
  }
  // `help run` is `run --help`.
  if (command === 'help' && rest[0]) {
    if (rest[0] in COMMANDS) return main([rest[0], '--help']);
    process.stderr.write(`tenantproof: no command "${rest[0]}" to show help for.\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE + '\n');
    return command ? EXIT.clean : EXIT.usage;
  }
  const load = COMMANDS[command];
  if (!load) {
    process.stderr.write(`tenantproof: unknown command "${command}".\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  try {
    return await (
      await load()
    )(rest);
  } catch (err) {
    return report(command, err);
  }
}

/** Tells the user what went wrong, in one line (plus a hint), and gives the exit code. */
export function report(command: string, err: unknown): ExitCode {
  if (err instanceof TenantproofError) {
    process.stderr.write(`tenantproof ${command}: ${describeError(err)}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(
    `tenantproof ${command}: internal error: ${message.split('\n')[0]}\n` +
      (process.env['TENANTPROOF_DEBUG']
        ? `${(err as Error)?.stack ?? ''}\n`
        : '  (set TENANTPROOF_DEBUG=1 for the stack trace)\n'),
  );
  return EXIT.internal;
}
