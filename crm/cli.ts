/** `tenantproof crm`: run the reference CRM in the foreground. */
import { parseArgs } from 'node:util';
import { FAULT_CATALOGUE } from './faults/catalogue.ts';
import { UnknownFaultError } from './faults/fault.ts';
import { ConflictingStorageFlagsError, envFaults, resolveStorage } from './config.ts';
import { keepPgliteOnBaselineCompiler } from './db/pglite-wasm-tiers.ts';

const USAGE = `Usage: tenantproof crm [options]

Start the reference multi-tenant CRM on 127.0.0.1. Prints its URL on the first line of
output, then the admin token.

Options:
  --port N             port to listen on (default: PORT or 0 = any free port)
  --database-url URL   PostgreSQL URL (default: DATABASE_URL, else embedded PGlite)
  --data-dir DIR       keep the embedded PGlite's data in DIR across restarts (default:
                       CRM_DATA_DIR, else in memory); made if missing, one process at a time
  --pool-size N        PostgreSQL pool size (default 10)
  --fault NAME         switch on a fault from the catalogue (repeatable; also CRM_FAULTS=a,b)
  --list-faults        print the fault catalogue and exit
  --admin-token T      the X-Admin-Token secret (default: CRM_ADMIN_TOKEN, else random)
  --help               show this help

The embedded PGlite starts from a snapshot of a freshly initialised cluster, cached per PGlite
version in ~/.cache/tenantproof (TENANTPROOF_CACHE_DIR=DIR to move it, =off to turn it off).
It keeps everything in memory unless --data-dir names a folder: then tenants, API keys,
idempotency keys and records survive a restart, even a kill -9 (every acknowledged write is on
disk). An empty or missing folder is initialised; an initialised one is reopened. V8 runs
PGlite's WebAssembly unoptimised, which saves ~100 MB; CRM_PGLITE_TURBOFAN=1 optimises it.

Exit codes:
    0  stopped by SIGINT or SIGTERM (or --help, --list-faults)
    2  usage error: an unknown flag or fault, a port or pool size that is not a number, or
       --database-url together with --data-dir
    3  could not start: the database is unreachable, the port is taken, or the data directory
       is in use by another process or is not a CRM data directory
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
        'data-dir': { type: 'string' },
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
    const storage = resolveStorage({ databaseUrl: values['database-url'], dataDir: values['data-dir'] });
    if (!storage.databaseUrl) keepPgliteOnBaselineCompiler();
    crm = await startCrm({
      ...(port !== undefined ? { port } : {}),
      ...(poolSize !== undefined ? { poolSize } : {}),
      ...storage,
      ...(values['admin-token'] ? { adminToken: values['admin-token'] } : {}),
      faults: [...envFaults(), ...(values.fault ?? [])],
    });
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof UnknownFaultError ||
      error instanceof ConflictingStorageFlagsError
    ) {
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
