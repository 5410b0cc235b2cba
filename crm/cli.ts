/** `tenantproof crm`: run the reference CRM in the foreground. */
import { parseArgs } from 'node:util';
import { FAULT_CATALOGUE } from './faults/catalogue.ts';
import { UnknownFaultError } from './faults/fault.ts';
import { envFaults } from './config.ts';

const USAGE = `Usage: tenantproof crm [options]

Start the reference multi-tenant CRM on 127.0.0.1. Prints its URL on the first line of
output, then the admin token.

Options:
  --port N             port to listen on (default: PORT or 0 = any free port)
  --database-url URL   PostgreSQL URL (default: DATABASE_URL, else embedded PGlite)
  --pool-size N        PostgreSQL pool size (default 10)
  --fault NAME         switch on a fault from the catalogue (repeatable; also CRM_FAULTS=a,b)
  --list-faults        print the fault catalogue and exit
  --admin-token T      the X-Admin-Token secret (default: CRM_ADMIN_TOKEN, else random)
  --help               show this help

The embedded PGlite starts from a snapshot of a freshly initialised cluster, cached per PGlite
version in ~/.cache/tenantproof (TENANTPROOF_CACHE_DIR=DIR to move it, =off to turn it off).

Exit codes:
    0  stopped by SIGINT or SIGTERM (or --help, --list-faults)
    2  usage error: an unknown flag or fault, or a port or pool size that is not a number
    3  could not start: the database is unreachable, or the port is taken
`;

class UsageError extends Error {
  override name = 'UsageError';
}

function toInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} expects a non-negative integer, got "${value}"`);
  return Number(value);
}

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        'database-url': { type: 'string' },
        'pool-size': { type: 'string' },
        fault: { type: 'string', multiple: true },
        'list-faults': { type: 'boolean' },
        'admin-token': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`tenantproof crm: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values['list-faults']) {
    const width = Math.max(...FAULT_CATALOGUE.map((f) => f.name.length));
    for (const fault of FAULT_CATALOGUE) process.stdout.write(`${fault.name.padEnd(width)}  ${fault.description}\n`);
    return 0;
  }
  let crm;
  // The server (Fastify, the database drivers) loads only when one is started: --help and
  // --list-faults answer at once.
  process.stderr.write('tenantproof crm: starting…\n');
  const { startCrm } = await import('./server.ts');
  try {
    const port = toInteger(values.port ?? process.env.PORT, '--port');
    const poolSize = toInteger(values['pool-size'], '--pool-size');
    const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
    crm = await startCrm({
      ...(port !== undefined ? { port } : {}),
      ...(poolSize !== undefined ? { poolSize } : {}),
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(values['admin-token'] ? { adminToken: values['admin-token'] } : {}),
      faults: [...envFaults(), ...(values.fault ?? [])],
    });
  } catch (error) {
    if (error instanceof UsageError || error instanceof UnknownFaultError) {
      process.stderr.write(`tenantproof crm: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`tenantproof crm: could not start: ${(error as Error).message}\n`);
    return 3;
  }
  // The handlers are in place before the URL is printed: whoever waits for the URL and then sends
  // SIGINT gets a clean stop, not a process killed by the signal.
  const running = crm;
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      running.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stdout.write(`${crm.url}\n`);
  process.stdout.write(`admin token: ${crm.adminToken}\n`);
  if (crm.faults.length > 0) process.stdout.write(`faults: ${crm.faults.join(', ')}\n`);
  await stopped;
  return 0;
}
