/**
 * Public entry point of the reference CRM: `startCrm()` boots a server on 127.0.0.1.
 * Other packages import only this file, `faults/catalogue.ts` and `cli.ts`.
 */
import { buildCrmApp } from './app.ts';
import { createCleanComponents } from './components.ts';
import { envFaults, resolveAdminToken, resolveRateLimit } from './config.ts';
import type { Database } from './db/database.ts';
import { openDatabase } from './db/open-database.ts';
import { installFaults, parseFaultNames, UnknownFaultError } from './faults/catalogue.ts';
import { defaultSpec } from './spec/load-spec.ts';
import type { RateLimit } from './tenancy/rate-limiter.ts';

export { UnknownFaultError };
export { ConflictingStorageError } from './db/open-database.ts';
export { DataDirInUseError } from './db/data-dir-lock.ts';
export { DataDirNotUsableError } from './db/pglite-data-dir.ts';
export { FAULT_CATALOGUE } from './faults/catalogue.ts';

export interface StartCrmOptions {
  /** undefined → embedded PGlite in-process; else PostgreSQL via a `pg` Pool. */
  databaseUrl?: string;
  /**
   * Embedded PGlite only: keep tenants, keys and records in this folder across restarts (made if
   * missing; one process at a time, see `db/pglite-data-dir.ts`). Default: in memory. Together
   * with `databaseUrl` it throws ConflictingStorageError.
   */
  dataDir?: string;
  /** pg pool size (default 10). */
  poolSize?: number;
  /** Names from the fault catalogue; an unknown name throws UnknownFaultError. Default: CRM_FAULTS. */
  faults?: readonly string[];
  /** Default: CRM_ADMIN_TOKEN, else random. */
  adminToken?: string;
  /** Default 0 = any free port. Always binds 127.0.0.1. */
  port?: number;
  /** Per tenant. Default 200 rps, burst 400, or CRM_RATE_LIMIT="rps:burst". */
  rateLimit?: RateLimit;
  /**
   * TEST-ONLY layer ablation switches, both default true (on). `appFilters: false` removes the
   * explicit `tenant_id = $1` predicates (RLS alone must protect); `rls: false` skips
   * `SET LOCAL ROLE crm_app` so RLS does not apply (the app layer alone must protect).
   */
  ablation?: { appFilters?: boolean; rls?: boolean };
  logger?: boolean;
}

export interface RunningCrm {
  url: string;
  adminToken: string;
  faults: readonly string[];
  /** Deletes all tenant data (tenants, keys, everything) and clears in-memory state. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface StartOnDatabaseOptions extends Omit<StartCrmOptions, 'databaseUrl' | 'poolSize' | 'dataDir'> {
  /** Close the database when the server closes (default false: the caller owns it). */
  ownsDatabase?: boolean;
}

export async function startCrm(opts: StartCrmOptions = {}): Promise<RunningCrm> {
  // Validate fault names before paying for a database.
  parseFaultNames(opts.faults ?? envFaults());
  const db = await openDatabase({
    ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    poolSize: opts.poolSize ?? 10,
  });
  try {
    return await startCrmOnDatabase(db, { ...opts, ownsDatabase: true });
  } catch (error) {
    await db.close();
    throw error;
  }
}

/**
 * Starts a server over an already-migrated database. Several servers (e.g. one per fault) may
 * share one database; `reset()` of any of them clears the shared data.
 */
export async function startCrmOnDatabase(db: Database, opts: StartOnDatabaseOptions = {}): Promise<RunningCrm> {
  const faults = parseFaultNames(opts.faults ?? envFaults());
  const components = installFaults(createCleanComponents(), faults, { privileged: db });
  const adminToken = resolveAdminToken(opts.adminToken);
  const crm = buildCrmApp({
    db,
    spec: defaultSpec(),
    components,
    adminToken,
    rateLimit: resolveRateLimit(opts.rateLimit),
    isolation: { appFilters: opts.ablation?.appFilters ?? true, rls: opts.ablation?.rls ?? true },
    logger: opts.logger ?? false,
  });
  await crm.app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  const address = crm.app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  let closed = false;
  return {
    url: `http://127.0.0.1:${port}`,
    adminToken,
    faults,
    async reset() {
      await crm.flush();
      crm.resetMemory();
      await db.exec(
        'TRUNCATE tenants, api_keys, customers, notes, jobs, quotes, invoices, payments, idempotency_keys, admin_idempotency_keys, audit_events CASCADE',
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      await crm.app.close();
      await crm.flush().catch(() => {});
      if (opts.ownsDatabase) await db.close();
    },
  };
}
