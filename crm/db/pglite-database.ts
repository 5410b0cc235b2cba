/** Embedded PGlite backend: one in-process connection, so transactions are serialised. */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Database, Row, SqlExecutor } from './database.ts';
import { createPglite } from './pglite-snapshot.ts';

export async function openPgliteDatabase(): Promise<Database> {
  const pg = await createPglite();
  // PGlite queues queries and transactions behind one mutex: a transaction holds the
  // connection until it commits, so every transaction runs alone, in arrival order.
  // PGlite executes synchronously on the main thread, so a whole request could otherwise run
  // without ever yielding to the event loop. Yielding before each statement or transaction lets
  // other sockets be served in between, so concurrent requests interleave as they do on a
  // networked pool (and concurrency bugs show up on the embedded backend too).
  return {
    kind: 'pglite',
    async query<R extends Row>(text: string, params: readonly unknown[] = []): Promise<R[]> {
      await yieldToEventLoop();
      return (await pg.query<R>(text, params as unknown[])).rows;
    },
    async transaction<T>(fn: (sql: SqlExecutor) => Promise<T>): Promise<T> {
      await yieldToEventLoop();
      return pg.transaction(async (tx) =>
        fn({
          async query<R extends Row>(text: string, params: readonly unknown[] = []): Promise<R[]> {
            return (await tx.query<R>(text, params as unknown[])).rows;
          },
        }),
      );
    },
    async exec(script: string): Promise<void> {
      await pg.exec(script);
    },
    async close(): Promise<void> {
      await pg.close();
    },
  };
}
