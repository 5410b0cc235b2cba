/**
 * The target of `bench:crm`, in its own process so that its CPU can be read from /proc apart from
 * the load generator's: two reference CRM servers on one database, one clean and one with the
 * TEST-ONLY `rls: false` ablation (which the CLI does not expose, hence this entry point).
 *
 *   node --import tsx bench/support/crm-bench-target.ts --root <checkout> [--database-url <url>] [--pool-size N]
 *
 * `--root` is the checkout whose `crm/` is served (this one, or a worktree of an older commit, so
 * before and after run side by side under the same load). Embedded PGlite without
 * `--database-url`. Prints one line `ready {"rlsOn":…,"rlsOff":…,"adminToken":…}` on stdout, then
 * obeys lines on stdin: `profile-start`, `profile-stop <file>` (a V8 CPU profile of this process,
 * written as a `.cpuprofile`), each answered `ok` or `error <message>`. Closes when stdin ends.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface Running {
  url: string;
  adminToken: string;
  close(): Promise<void>;
}

interface CrmModules {
  openDatabase(options: { databaseUrl?: string; poolSize?: number }): Promise<{ close(): Promise<void> }>;
  startCrmOnDatabase(db: unknown, options: Record<string, unknown>): Promise<Running>;
}

const UNLIMITED = { requestsPerSecond: 1_000_000, burst: 1_000_000 };

async function loadCrm(root: string): Promise<CrmModules> {
  const url = (file: string) => pathToFileURL(path.join(root, file)).href;
  const [db, server] = await Promise.all([import(url('crm/db/open-database.ts')), import(url('crm/server.ts'))]);
  return { openDatabase: db.openDatabase, startCrmOnDatabase: server.startCrmOnDatabase } as CrmModules;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { root: { type: 'string' }, 'database-url': { type: 'string' }, 'pool-size': { type: 'string' } },
  });
  const crm = await loadCrm(path.resolve(values.root ?? '.'));
  const databaseUrl = values['database-url'];
  const db = await crm.openDatabase({
    ...(databaseUrl ? { databaseUrl } : {}),
    poolSize: Number(values['pool-size'] ?? 10),
  });
  const adminToken = 'tpa_bench_crm_target';
  const common = { faults: [], rateLimit: UNLIMITED, adminToken };
  const rlsOn = await crm.startCrmOnDatabase(db, common);
  const rlsOff = await crm.startCrmOnDatabase(db, { ...common, ablation: { rls: false } });
  process.stdout.write(`ready ${JSON.stringify({ rlsOn: rlsOn.url, rlsOff: rlsOff.url, adminToken })}\n`);

  const session = new Session();
  session.connect();
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [command, ...rest] = line.trim().split(' ');
    try {
      if (command === 'profile-start') {
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 200 });
        await session.post('Profiler.start');
      } else if (command === 'profile-stop') {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(rest.join(' '), JSON.stringify(profile));
      } else {
        throw new Error(`unknown command ${command}`);
      }
      process.stdout.write('ok\n');
    } catch (error) {
      process.stdout.write(`error ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  session.disconnect();
  await rlsOn.close();
  await rlsOff.close();
  await db.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`crm-bench-target failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
