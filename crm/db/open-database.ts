import type { Database } from './database.ts';
import { openPgliteDatabase } from './pglite-database.ts';
import { openPostgresDatabase } from './postgres-database.ts';
import { migrate } from './migrate.ts';

/** Opens the configured backend and brings its schema up to date. */
export async function openDatabase(options: { databaseUrl?: string; poolSize?: number }): Promise<Database> {
  const db = options.databaseUrl
    ? await openPostgresDatabase({ url: options.databaseUrl, poolSize: options.poolSize ?? 10 })
    : await openPgliteDatabase();
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
