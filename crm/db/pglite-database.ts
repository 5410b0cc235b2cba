/** Embedded PGlite backend: one in-process connection, so transactions are serialised. */
import type { PGlite } from '@electric-sql/pglite';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Database, Row, SqlExecutor } from './database.ts';
import { startMemoryTrace } from './memory-trace.ts';
import { openPgliteDataDir } from './pglite-data-dir.ts';
import { createPglite } from './pglite-snapshot.ts';

export interface PgliteDatabaseOptions {
  /** A folder that keeps the data across restarts (see `pglite-data-dir.ts`); default: in memory. */
  dataDir?: string;
}

const IN_MEMORY_CLUSTER = '/pglite/data';

export async function openPgliteDatabase(options: PgliteDatabaseOptions = {}): Promise<Database> {
  let pg: PGlite;
  let release = () => {};
  if (options.dataDir) {
    const opened = await openPgliteDataDir(options.dataDir);
    pg = opened.pg;
    release = opened.release;
  } else {
    pg = await createPglite();
  }
  const stopTrace = startMemoryTrace(() => ({
    wasmHeap: pg.Module.HEAPU8.length,
    ...(options.dataDir ? {} : { memfs: folderBytes(pg, IN_MEMORY_CLUSTER) }),
  }));
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
      stopTrace();
      try {
        await pg.close();
      } finally {
        release();
      }
    },
  };
}

/** Bytes of the files under `dir` in PGlite's in-memory file system (for the memory trace). */
function folderBytes(pg: PGlite, dir: string): number {
  const fs = pg.Module.FS;
  const stat = fs.stat(dir);
  if (!fs.isDir(stat.mode)) return stat.size;
  let total = 0;
  for (const name of fs.readdir(dir)) if (name !== '.' && name !== '..') total += folderBytes(pg, `${dir}/${name}`);
  return total;
}
