/**
 * `tenantproof` command dispatcher. Each subcommand lives in its own module and is loaded on
 * demand, so `tenantproof crm` does not pay for the harness and vice versa.
 */
export const EXIT = { clean: 0, leak: 1, usage: 2, targetUnusable: 3 } as const;

const USAGE = `Usage: tenantproof <command> [options]

Commands:
  run       run an isolation campaign (default target: the embedded reference CRM)
  replay    re-run a counterexample on fresh tenants; exit 1 if the leak reproduces
  verify    check a run folder's manifest, signature, transcript chain and evidence
  merge     merge the run folders of a sharded campaign into one signed evidence folder
  report    render report.html (--pdf: report.pdf) from a run folder
  inspect   show what tenantproof infers from an OpenAPI spec
  crm       start the reference multi-tenant CRM
  help      show this text

Run \`tenantproof <command> --help\` for a command's options.`;

type CommandMain = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<CommandMain>> = {
  crm: async () => (await import('../../crm/cli.ts')).main,
  inspect: async () => (await import('./inspect.ts')).main,
  run: async () => (await import('./run.ts')).main,
  replay: async () => (await import('./replay.ts')).main,
  verify: async () => (await import('./verify.ts')).main,
  merge: async () => (await import('./merge.ts')).main,
  report: async () => (await import('./report.ts')).main,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE + '\n');
    return command ? EXIT.clean : EXIT.usage;
  }
  const load = COMMANDS[command];
  if (!load) {
    process.stderr.write(`tenantproof: unknown command "${command}".\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  return (await load())(rest);
}
