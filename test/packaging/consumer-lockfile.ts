/**
 * A package-lock.json for a consumer project that installs the packed tarballs offline.
 *
 * Why a lockfile: `npm install --offline <tgz>` has to resolve every dependency of the tarballs
 * from registry metadata, and npm 11 asks for the *full* packument, which the npm cache usually
 * does not hold (installs from a lockfile cache only the tarballs and, at most, the abbreviated
 * packuments). With a lockfile npm needs no metadata at all: `npm ci --offline` takes each tarball
 * from the cache by its integrity. The lockfile is the repository's own resolution (its
 * package-lock.json) cut down to what the consumer needs, so the consumer gets exactly the
 * versions the repository is tested with.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** One entry of `packages` in a lockfile (v2/v3); only the fields read here are typed. */
export interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

export interface Lockfile {
  name: string;
  version: string;
  lockfileVersion: number;
  requires: boolean;
  packages: Record<string, LockEntry>;
}

/** A package.json, as far as it matters for its lockfile entry. */
export interface Manifest {
  name: string;
  version: string;
  license?: string;
  bin?: string | Record<string, string>;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** A packed tarball the consumer depends on, with the manifest inside it. */
export interface LocalTarball {
  manifest: Manifest;
  /** The spec as written in the consumer's package.json and lockfile, e.g. `file:../packs/x.tgz`. */
  spec: string;
  /** Absolute path of the .tgz (to compute its integrity). */
  file: string;
  /**
   * Where the package lives in the repository's lockfile (`''` for the root package, `sdk` for a
   * workspace): its dependencies are resolved from there.
   */
  repoLocation: string;
}

export interface ConsumerLockInput {
  /** The repository's package-lock.json. */
  repoLock: Lockfile;
  consumer: { name: string; version: string };
  tarballs: LocalTarball[];
  /** Further registry dependencies of the consumer (e.g. msw), resolved as the repository resolves them. */
  registryDeps: string[];
}

export interface ConsumerLock {
  /** The consumer's `dependencies` (write them to its package.json). */
  dependencies: Record<string, string>;
  lockfile: Lockfile;
}

export function sriOfFile(file: string): string {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/** The folder whose `node_modules` a lockfile location's own dependencies are searched in first. */
function parentOf(location: string): string | null {
  if (location === '') return null;
  const at = location.lastIndexOf('node_modules/');
  return at <= 0 ? '' : location.slice(0, at - 1);
}

/** Node's lookup: `<loc>/node_modules/<name>`, then up the folders, as npm lays packages out. */
function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | null {
  for (let dir: string | null = from; dir !== null; dir = parentOf(dir)) {
    const candidate = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`;
    if (packages[candidate]) return candidate;
  }
  return null;
}

interface Edge {
  name: string;
  optional: boolean;
}

function edgesOf(entry: LockEntry | Manifest): Edge[] {
  const edges: Edge[] = [];
  for (const name of Object.keys(entry.dependencies ?? {})) edges.push({ name, optional: false });
  for (const name of Object.keys(entry.optionalDependencies ?? {})) edges.push({ name, optional: true });
  // An optional peer is installed only when something else needs it, so it is not followed.
  for (const name of Object.keys(entry.peerDependencies ?? {})) {
    if (!entry.peerDependenciesMeta?.[name]?.optional) edges.push({ name, optional: false });
  }
  return edges;
}

const FLAGS = ['dev', 'optional', 'devOptional', 'peer'] as const;

export function consumerLock(input: ConsumerLockInput): ConsumerLock {
  const repo = input.repoLock.packages;
  const placed = new Map<string, LockEntry>(); // consumer location → entry
  const dependencies: Record<string, string> = {};

  // Where each tarball goes in the consumer, and how the repository's locations under it map.
  const relocations: Array<{ from: string; to: string }> = [];
  for (const t of input.tarballs) {
    const to = `node_modules/${t.manifest.name}`;
    dependencies[t.manifest.name] = t.spec;
    if (t.repoLocation !== '') relocations.push({ from: `${t.repoLocation}/`, to: `${to}/` });
  }
  const toConsumer = (repoLocation: string): string => {
    for (const r of relocations) if (repoLocation.startsWith(r.from)) return r.to + repoLocation.slice(r.from.length);
    return repoLocation;
  };

  // Walk the dependency graph twice: through required edges only (what must be installed), then
  // through optional ones too (what is installed where the platform allows: esbuild's binaries).
  const tarballNames = new Set(input.tarballs.map((t) => t.manifest.name));
  const walk = (followOptional: boolean): Set<string> => {
    const seen = new Set<string>();
    const queue: Array<{ from: string; edges: Edge[]; who: string }> = [];
    for (const t of input.tarballs)
      queue.push({ from: t.repoLocation, edges: edgesOf(t.manifest), who: t.manifest.name });
    queue.push({
      from: '',
      edges: input.registryDeps.map((name) => ({ name, optional: false })),
      who: input.consumer.name,
    });
    for (let item = queue.shift(); item; item = queue.shift()) {
      for (const edge of item.edges) {
        if (edge.optional && !followOptional) continue;
        if (tarballNames.has(edge.name)) continue; // one of the tarballs, at the top of node_modules
        const at = resolveIn(repo, item.from, edge.name);
        if (!at) {
          if (edge.optional) continue;
          throw new Error(
            `the repository's package-lock.json has no ${edge.name} reachable from ${item.who} ` +
              `(${item.from || 'the root'}): run npm install in the repository`,
          );
        }
        const entry = repo[at]!;
        if (entry.link)
          throw new Error(`${edge.name} (needed by ${item.who}) is a workspace link, not a packed tarball`);
        if (seen.has(at)) continue;
        seen.add(at);
        queue.push({ from: at, edges: edgesOf(entry), who: `${edge.name}@${entry.version ?? '?'}` });
      }
    }
    return seen;
  };
  const required = walk(false);
  const all = walk(true);

  for (const at of [...all].sort()) {
    const entry: LockEntry = { ...repo[at]! };
    for (const flag of FLAGS) delete entry[flag];
    if (!required.has(at)) entry.optional = true;
    placed.set(toConsumer(at), entry);
  }
  for (const t of input.tarballs) {
    const m = t.manifest;
    const entry: LockEntry = { version: m.version, resolved: t.spec, integrity: sriOfFile(t.file) };
    if (m.license) entry.license = m.license;
    for (const field of [
      'dependencies',
      'optionalDependencies',
      'bin',
      'engines',
      'peerDependencies',
      'peerDependenciesMeta',
    ] as const) {
      if (m[field] !== undefined) (entry as Record<string, unknown>)[field] = m[field];
    }
    placed.set(`node_modules/${m.name}`, entry);
  }
  for (const name of input.registryDeps) {
    const entry = placed.get(`node_modules/${name}`);
    if (!entry?.version) throw new Error(`${name} is not at the top of the repository's node_modules tree`);
    dependencies[name] = entry.version;
  }

  const packages: Record<string, LockEntry> = {
    '': { name: input.consumer.name, version: input.consumer.version, dependencies: sortKeys(dependencies) },
  };
  for (const at of [...placed.keys()].sort()) packages[at] = placed.get(at)!;
  return {
    dependencies: sortKeys(dependencies),
    lockfile: {
      name: input.consumer.name,
      version: input.consumer.version,
      lockfileVersion: 3,
      requires: true,
      packages,
    },
  };
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
