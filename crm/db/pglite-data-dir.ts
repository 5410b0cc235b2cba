/**
 * A persistent PGlite cluster in a data directory (`tenantproof crm --data-dir DIR`):
 *
 *   DIR/tenantproof-crm.lock   the owner's pid while a process has it open (`data-dir-lock.ts`)
 *   DIR/pgdata/                the PostgreSQL cluster
 *   DIR/tenantproof-crm.json   written once the cluster is complete: a start that finds pgdata/
 *                              without it was killed while making it, and makes it again
 *
 * A missing or empty DIR is initialised (from the initdb snapshot when there is one, see
 * `pglite-snapshot.ts`); an initialised one is reopened, and PostgreSQL replays its WAL if the
 * last process was killed; a folder with anything else in it is refused rather than touched.
 * Every commit is written to DIR before the request that made it is answered: PGlite writes
 * through to the files (its fsync is off, so this survives the process being killed, not the
 * machine losing power).
 */
import { PGlite } from '@electric-sql/pglite';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LOCK_FILE, lockDataDir, type DataDirLock } from './data-dir-lock.ts';
import { pgliteStartParams } from './pglite-settings.ts';
import { createPglite, pgliteVersion, snapshotFile } from './pglite-snapshot.ts';

const CLUSTER = 'pgdata';
const MARKER = 'tenantproof-crm.json';
const FORMAT = 1;

interface Marker {
  format: number;
  pglite: string;
  createdAt: string;
}

export class DataDirNotUsableError extends Error {
  override name = 'DataDirNotUsableError';
}

export interface OpenedDataDir {
  pg: PGlite;
  /** True when this start made the cluster. */
  created: boolean;
  /** Frees the data directory for the next process (after `pg.close()`). */
  release(): void;
}

function readMarker(file: string): Marker | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Marker;
  } catch {
    throw new DataDirNotUsableError(`${file} is not readable: is this a tenantproof CRM data directory?`);
  }
}

/** Lock files (and drafts of locks and of the marker) are not content. */
const isOurs = (name: string) =>
  name === LOCK_FILE || name.startsWith(`${LOCK_FILE}.`) || name.startsWith(`${MARKER}.`);

/** Creates DIR if needed and checks it is a folder we may use. */
function ensureFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new DataDirNotUsableError(`cannot create the data directory ${dir}: ${(error as Error).message}`);
  }
  if (!statSync(dir).isDirectory()) throw new DataDirNotUsableError(`${dir} is not a directory`);
}

/** Opens (or first makes) the cluster in `dir`, holding the directory's lock until `release`. */
export async function openPgliteDataDir(dir: string): Promise<OpenedDataDir> {
  ensureFolder(dir);
  const lock: DataDirLock = lockDataDir(dir);
  try {
    const cluster = path.join(dir, CLUSTER);
    const marker = readMarker(path.join(dir, MARKER));
    if (marker) {
      if (marker.format !== FORMAT)
        throw new DataDirNotUsableError(
          `${dir} has data directory format ${marker.format}; this build reads ${FORMAT}`,
        );
      if (!existsSync(path.join(cluster, 'PG_VERSION')))
        throw new DataDirNotUsableError(`${dir} is marked initialised but has no cluster in ${CLUSTER}/`);
      const pg = await openExisting(cluster, marker);
      return { pg, created: false, release: () => lock.release() };
    }
    const others = readdirSync(dir).filter((name) => name !== CLUSTER && !isOurs(name));
    if (others.length > 0)
      throw new DataDirNotUsableError(
        `${dir} is not empty and is not a tenantproof CRM data directory (it holds ${others.slice(0, 3).join(', ')}` +
          `${others.length > 3 ? ', …' : ''}); give an empty or new directory`,
      );
    // A pgdata/ without the marker is what a start killed while making it left: start again.
    rmSync(cluster, { recursive: true, force: true });
    mkdirSync(cluster);
    const pg = await createPglite(snapshotFile(), { dataDir: cluster });
    const made: Marker = { format: FORMAT, pglite: pgliteVersion(), createdAt: new Date().toISOString() };
    // Written aside and renamed: a start killed here leaves no half marker.
    const partial = path.join(dir, `${MARKER}.${process.pid}.partial`);
    writeFileSync(partial, `${JSON.stringify(made, null, 2)}\n`);
    renameSync(partial, path.join(dir, MARKER));
    return { pg, created: true, release: () => lock.release() };
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function openExisting(cluster: string, marker: Marker): Promise<PGlite> {
  try {
    return await PGlite.create({ dataDir: cluster, startParams: pgliteStartParams() });
  } catch (error) {
    const version = pgliteVersion();
    const made = marker.pglite === version ? '' : ` (it was made by PGlite ${marker.pglite}, this is ${version})`;
    throw new DataDirNotUsableError(`cannot open the cluster in ${cluster}${made}: ${(error as Error).message}`);
  }
}
