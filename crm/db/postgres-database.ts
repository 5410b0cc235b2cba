/** PostgreSQL backend through a `pg` Pool. */
import pg from 'pg';
import type { Database, Row, SqlExecutor } from './database.ts';

export interface PostgresOptions {
  url: string;
  poolSize: number;
}

export async function openPostgresDatabase(options: PostgresOptions): Promise<Database> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize });
  // An idle client that errors (e.g. the server restarted) must not crash the process.
  pool.on('error', () => {});
  await pool.query('select 1');
  return {
    kind: 'postgres',
    async query<R extends Row>(text: string, params: readonly unknown[] = []): Promise<R[]> {
      return (await pool.query<R>(text, params as unknown[])).rows;
    },
    async transaction<T>(fn: (sql: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('begin');
        const result = await fn({
          async query<R extends Row>(text: string, params: readonly unknown[] = []): Promise<R[]> {
            return (await client.query<R>(text, params as unknown[])).rows;
          },
        });
        await client.query('commit');
        return result;
      } catch (error) {
        try {
          await client.query('rollback');
        } catch {
          broken = true;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async exec(script: string): Promise<void> {
      await pool.query(script);
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
