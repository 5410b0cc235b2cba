/**
 * The PostgreSQL settings the embedded CRM runs PGlite with, on top of PGlite's own (single-user
 * mode, fsync off, no parallel workers). They bound its memory (measured with
 * `bench/crm-memory.ts`, see reports/bench/crm-memory.md):
 *
 * - `shared_buffers` 16 MB instead of initdb's 128 MB, as a start parameter, so it applies to any
 *   cluster. PGlite's buffer pool lives in the WASM heap, and every page of it that is touched
 *   stays resident: 128 MB of buffers cost ~100 MB of RSS under load and bought no throughput,
 *   since a page that is not in the pool is a memory copy away (in-memory cluster) or in the
 *   operating system's page cache (a data directory).
 * - WAL segments of 1 MB instead of 16 MB, and `max_wal_size` 16 MB / `min_wal_size` 4 MB instead
 *   of 1 GB / 80 MB, set by initdb (`--wal-segsize`, `-c`), so they are part of every cluster made
 *   from the snapshot. A single-user PostgreSQL has no checkpointer: it checkpoints only when the
 *   WAL since the last checkpoint passes max_wal_size, so with 1 GB the WAL grew segment after
 *   segment, and in memory every segment is a buffer of the process. PostgreSQL also writes each
 *   new segment full of zeros, and PGlite's in-memory file system grows a file by reallocating it
 *   12.5 % at a time: a 16 MB segment left ~100 MB of garbage buffers behind it, the highest peak
 *   under load. Now the in-memory WAL stays under ~16 MB, which also bounds the disk a data
 *   directory uses and the replay after a crash.
 */
import { PGlite } from '@electric-sql/pglite';
import { createHash } from 'node:crypto';

export const PGLITE_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
};

export function pgliteStartParams(settings: Readonly<Record<string, string>> = PGLITE_SETTINGS): string[] {
  return [
    ...PGlite.defaultStartParams,
    ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ];
}

/** initdb's arguments for a new cluster (on top of PGlite's own): written into the cluster. */
export const PGLITE_INITDB_PARAMS: readonly string[] = [
  '--wal-segsize=1',
  '-c',
  'max_wal_size=16MB',
  '-c',
  'min_wal_size=4MB',
];

/** Names the cluster these parameters make (for the snapshot's file name): changes when they do. */
export const PGLITE_CLUSTER_LAYOUT = `layout-${createHash('sha256').update(PGLITE_INITDB_PARAMS.join(' ')).digest('hex').slice(0, 8)}`;
