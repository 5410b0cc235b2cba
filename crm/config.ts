/** Server options resolved from explicit options, then the environment, then defaults. */
import { randomBytes } from 'node:crypto';
import { parseRateLimit, type RateLimit } from './tenancy/rate-limiter.ts';

export const DEFAULT_RATE_LIMIT: RateLimit = { requestsPerSecond: 200, burst: 400 };

export function envFaults(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.CRM_FAULTS ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

export function resolveAdminToken(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return explicit ?? (env.CRM_ADMIN_TOKEN || `tpa_${randomBytes(24).toString('base64url')}`);
}

export function resolveRateLimit(explicit: RateLimit | undefined, env: NodeJS.ProcessEnv = process.env): RateLimit {
  if (explicit) return explicit;
  return env.CRM_RATE_LIMIT ? parseRateLimit(env.CRM_RATE_LIMIT) : DEFAULT_RATE_LIMIT;
}

/** Where the CLI keeps the data: a PostgreSQL URL, a PGlite data directory, or (neither) memory. */
export interface StorageChoice {
  databaseUrl?: string;
  dataDir?: string;
}

export class ConflictingStorageFlagsError extends Error {
  override name = 'ConflictingStorageFlagsError';
}

/**
 * `--database-url` / DATABASE_URL and `--data-dir` / CRM_DATA_DIR. A flag beats the other
 * choice's environment variable (so `--data-dir` works with a DATABASE_URL exported for something
 * else); both flags, or both variables with neither flag, are a usage error.
 */
export function resolveStorage(
  flags: { databaseUrl?: string | undefined; dataDir?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): StorageChoice {
  if (flags.databaseUrl && flags.dataDir)
    throw new ConflictingStorageFlagsError('--database-url and --data-dir exclude each other: give one');
  if (flags.databaseUrl) return { databaseUrl: flags.databaseUrl };
  if (flags.dataDir) return { dataDir: flags.dataDir };
  const databaseUrl = env.DATABASE_URL || undefined;
  const dataDir = env.CRM_DATA_DIR || undefined;
  if (databaseUrl && dataDir)
    throw new ConflictingStorageFlagsError(
      'DATABASE_URL and CRM_DATA_DIR are both set: unset one, or choose with --database-url or --data-dir',
    );
  return databaseUrl ? { databaseUrl } : dataDir ? { dataDir } : {};
}
