/**
 * PostgreSQL backend through a `pg` Pool, tuned for many short transactions:
 *
 * - Parameterised statements are named prepared statements (`preparedStatement`), so each
 *   connection parses and plans a statement once instead of on every request. Plans stay correct
 *   under RLS: PostgreSQL re-plans a cached statement when the role it was planned for changes,
 *   and the policy's `current_setting('app.tenant_id')` is evaluated at execution.
 * - The pool's clients pipeline (`pipeline: true`): a transaction's BEGIN is sent with its first
 *   statement, and whatever else the caller issues in the same tick goes in the same write (a
 *   tenant transaction's context statement and its first query: see `tenancy/tenant-scope.ts`).
 *   Statements on one connection execute in the order sent, and after an error in a transaction
 *   block every later statement fails until ROLLBACK.
 */
import pg from 'pg';
import type { Database, Row, SqlExecutor } from './database.ts';
import { preparedStatement } from './prepared-statements.ts';

export interface PostgresOptions {
  url: string;
  poolSize: number;
}

export async function openPostgresDatabase(options: PostgresOptions): Promise<Database> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize, pipeline: true });
  // An idle client that errors (e.g. the server restarted) must not crash the process.
  pool.on('error', () => {});
  await pool.query('select 1');
  return {
    kind: 'postgres',
    async query<R extends Row>(text: string, params: readonly unknown[] = []): Promise<R[]> {
      return (await pool.query<R>(preparedStatement(text, params))).rows;
    },
    async transaction<T>(fn: (sql: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // BEGIN goes out with the first statement (pipelined); a transaction that runs no
      // statement needs neither BEGIN nor COMMIT.
      let begun = false;
      let broken = false;
      try {
        const result = await fn({
          async query<R extends Row>(text: string, params: readonly unknown[] = []): Promise<R[]> {
            if (begun) return (await client.query<R>(preparedStatement(text, params))).rows;
            begun = true;
            // Everything this transaction sends in the current tick (BEGIN, this statement, and
            // any the caller issues right after it) leaves in one write.
            const socket = client.connection.stream;
            socket.cork();
            process.nextTick(() => socket.uncork());
            const begin = client.query('begin');
            const first = client.query<R>(preparedStatement(text, params));
            // Both are awaited: if BEGIN failed, the statement's result is not used.
            const [, answer] = await Promise.all([begin, first]);
            return answer.rows;
          },
        });
        if (begun) await client.query('commit');
        return result;
      } catch (error) {
        if (begun) {
          try {
            await client.query('rollback');
          } catch {
            broken = true;
          }
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
