import type { Database } from './database.ts';
import { openPgliteDatabase } from './pglite-database.ts';
import { openPostgresDatabase } from './postgres-database.ts';
import { migrate } from './migrate.ts';

export interface OpenDatabaseOptions {
  /** PostgreSQL through a `pg` pool; else embedded PGlite. */
  databaseUrl?: string;
  poolSize?: number;
  /** Embedded PGlite only: keep the data in this folder across restarts (default: in memory). */
  dataDir?: string;
}

export class ConflictingStorageError extends Error {
  override name = 'ConflictingStorageError';
  constructor() {
    super('a data directory is for the embedded PGlite: give either a database URL or a data directory, not both');
  }
}

/**
 * Opens the configured backend and brings its schema up to date. The migrations are idempotent:
 * a reopened data directory (or a PostgreSQL database) that has them gets only the new ones.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl && options.dataDir) throw new ConflictingStorageError();
  const db = options.databaseUrl
    ? await openPostgresDatabase({ url: options.databaseUrl, poolSize: options.poolSize ?? 10 })
    : await openPgliteDatabase(options.dataDir ? { dataDir: options.dataDir } : {});
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
