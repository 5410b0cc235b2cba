/**
 * A snapshot of a freshly initialised PGlite cluster (initdb done, no migrations), so that an
 * embedded CRM starts in about a second rather than four: PGlite.create() runs initdb every time,
 * loading a snapshot skips it. The snapshot is taken the first time, kept per PGlite version and
 * cluster layout (`pglite-settings.ts`) in the user's cache folder, and holds nothing of ours (the
 * migrations still run on every start, so they stay the source of truth). Any problem with it
 * (unreadable, corrupt, a read-only cache folder) falls back to a plain PGlite.create(). The same
 * snapshot starts a new data directory (`--data-dir`): PGlite unpacks it into the empty folder.
 *
 * The folder: TENANTPROOF_CACHE_DIR, else $XDG_CACHE_HOME/tenantproof, else ~/.cache/tenantproof.
 * TENANTPROOF_CACHE_DIR=off turns the snapshot off.
 */
import { PGlite } from '@electric-sql/pglite';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGLITE_CLUSTER_LAYOUT, PGLITE_INITDB_PARAMS, pgliteStartParams } from './pglite-settings.ts';

export function pgliteVersion(): string {
  // The package's exports do not include its package.json: find it beside the resolved entry.
  let dir = path.dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite')));
  for (; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === '@electric-sql/pglite' && pkg.version) return pkg.version;
    } catch {
      // no package.json at this level: keep walking up
    }
  }
  throw new Error('@electric-sql/pglite: package.json not found');
}

/** Where the snapshot lives, or undefined when it is turned off. */
export function snapshotFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env['TENANTPROOF_CACHE_DIR'];
  if (configured === 'off') return undefined;
  const dir =
    configured ||
    (env['XDG_CACHE_HOME']
      ? path.join(env['XDG_CACHE_HOME'], 'tenantproof')
      : path.join(homedir(), '.cache', 'tenantproof'));
  return path.join(dir, `pglite-${pgliteVersion()}-${PGLITE_CLUSTER_LAYOUT}-initdb.tar.gz`);
}

export interface NewClusterOptions {
  /** A folder to hold the cluster (empty or missing); default: in memory. */
  dataDir?: string;
  /** PostgreSQL start parameters; default `pgliteStartParams()`. */
  startParams?: string[];
}

/**
 * A new PGlite cluster, in memory or in an empty `dataDir`: from the snapshot when there is one
 * (PGlite unpacks it into the folder), else made by initdb and snapshotted.
 */
export async function createPglite(file = snapshotFile(), options: NewClusterOptions = {}): Promise<PGlite> {
  const base = {
    startParams: options.startParams ?? pgliteStartParams(),
    initDbStartParams: [...PGLITE_INITDB_PARAMS],
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  };
  if (file) {
    let bytes: Buffer | undefined;
    try {
      bytes = readFileSync(file);
    } catch {
      // no snapshot yet
    }
    if (bytes) {
      try {
        return await PGlite.create({ ...base, loadDataDir: new Blob([bytes]) });
      } catch {
        rmSync(file, { force: true }); // corrupt or from another build: make a new one
        if (options.dataDir) emptyFolder(options.dataDir); // whatever was unpacked before it failed
      }
    }
  }
  const pg = await PGlite.create(base);
  if (file) {
    try {
      const dump = Buffer.from(await (await pg.dumpDataDir('gzip')).arrayBuffer());
      mkdirSync(path.dirname(file), { recursive: true });
      // Written aside and renamed: a concurrent start never reads half a snapshot.
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, dump);
      renameSync(partial, file);
    } catch {
      // A cache that cannot be written only costs the next start its three seconds.
    }
  }
  return pg;
}

function emptyFolder(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}
