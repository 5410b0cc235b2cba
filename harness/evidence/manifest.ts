/**
 * `manifest.json`: the SHA-256 and size of every file in a run folder (recursively), except the
 * manifest and the attestation themselves, and a checker that names each changed, missing or extra
 * file.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { DigestCache, digestFile } from './file-digest.ts';

export const MANIFEST_FILE = 'manifest.json';
export const ATTESTATION_FILE = 'attestation.json';
/** Files the manifest does not list (it cannot list itself; the attestation signs the manifest). */
export const MANIFEST_EXCLUDED: readonly string[] = [MANIFEST_FILE, ATTESTATION_FILE];

export interface ManifestEntry {
  /** Path relative to the run folder, with `/` separators. */
  path: string;
  sha256: string;
  size: number;
}

export interface Manifest {
  schemaVersion: '1.0';
  algorithm: 'sha256';
  files: ManifestEntry[];
  /**
   * Only in a checkpoint of a run still in progress: files that keep growing after the seal (the
   * transcript). Their entry's `size` and `sha256` cover the first `size` bytes; bytes appended
   * later are not sealed (the transcript's hash chain still covers them).
   */
  growing?: string[];
}

/** SHA-256 of a file, or of its first `prefixBytes` bytes. */
export function fileSha256(path: string, prefixBytes?: number): string {
  return digestFile(path, prefixBytes).sha256;
}

export interface ManifestProblem {
  file: string;
  kind: 'changed' | 'missing' | 'extra' | 'unreadable-manifest';
  detail: string;
}

/** Every file under `dir`, relative, `/`-separated, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * `sealedPrefix` names growing files (the transcript of a run in progress) and how many of their
 * bytes this manifest seals.
 */
export function buildManifest(
  dir: string,
  sealedPrefix: Record<string, number> = {},
  digests: DigestCache = new DigestCache(),
): Manifest {
  const files = listFiles(dir)
    .filter((f) => !MANIFEST_EXCLUDED.includes(f))
    .map((path) => ({ path, ...digests.of(dir, path, sealedPrefix[path]) }));
  const growing = Object.keys(sealedPrefix).sort();
  return { schemaVersion: '1.0', algorithm: 'sha256', files, ...(growing.length > 0 ? { growing } : {}) };
}

export function serializeManifest(m: Manifest): string {
  return JSON.stringify(m, null, 2) + '\n';
}

export function writeManifest(
  dir: string,
  sealedPrefix: Record<string, number> = {},
  digests: DigestCache = new DigestCache(),
): Manifest {
  const m = buildManifest(dir, sealedPrefix, digests);
  writeFileSync(join(dir, MANIFEST_FILE), serializeManifest(m));
  return m;
}

/** Reads and strictly parses `manifest.json` (it must be byte-identical to its canonical form). */
export function readManifest(dir: string): Manifest | ManifestProblem {
  let text: string;
  try {
    text = readFileSync(join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    return { file: MANIFEST_FILE, kind: 'missing', detail: 'manifest.json is missing' };
  }
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch {
    return { file: MANIFEST_FILE, kind: 'unreadable-manifest', detail: 'manifest.json is not valid JSON' };
  }
  const ok =
    m &&
    m.schemaVersion === '1.0' &&
    m.algorithm === 'sha256' &&
    Array.isArray(m.files) &&
    m.files.every(
      (f) =>
        f &&
        typeof f.path === 'string' &&
        typeof f.sha256 === 'string' &&
        /^[0-9a-f]{64}$/.test(f.sha256) &&
        Number.isInteger(f.size),
    ) &&
    (m.growing === undefined || (Array.isArray(m.growing) && m.growing.every((g) => typeof g === 'string')));
  if (!ok)
    return {
      file: MANIFEST_FILE,
      kind: 'unreadable-manifest',
      detail: 'manifest.json does not have the expected shape',
    };
  if (serializeManifest(m) !== text)
    return {
      file: MANIFEST_FILE,
      kind: 'unreadable-manifest',
      detail: 'manifest.json is not in canonical form (it was edited)',
    };
  return m;
}

/** Bytes appended to growing files after a checkpoint seal, per file (empty for a finished run). */
/**
 * How many bytes of `rel` (a path inside `dir`) the last seal covers, when the file kept growing
 * after it (a run killed after a checkpoint seal); undefined when the whole file is sealed, or the
 * folder has no manifest. Readers of evidence read only this prefix: what follows is untrusted.
 */
export function sealedBytesOf(dir: string, rel: string): number | undefined {
  const m = readManifest(dir);
  if (!('files' in m) || !m.growing?.includes(rel)) return undefined;
  return m.files.find((e) => e.path === rel)?.size;
}

export function unsealedTails(dir: string): Array<{ file: string; sealedBytes: number; extraBytes: number }> {
  const m = readManifest(dir);
  if (!('files' in m) || !m.growing) return [];
  const out: Array<{ file: string; sealedBytes: number; extraBytes: number }> = [];
  for (const e of m.files) {
    if (!m.growing.includes(e.path)) continue;
    let size: number;
    try {
      size = statSync(join(dir, e.path)).size;
    } catch {
      continue;
    }
    if (size > e.size) out.push({ file: e.path, sealedBytes: e.size, extraBytes: size - e.size });
  }
  return out;
}

export function checkManifest(dir: string): ManifestProblem[] {
  const m = readManifest(dir);
  if (!('files' in m)) return [m];
  const problems: ManifestProblem[] = [];
  const present = new Set(listFiles(dir).filter((f) => !MANIFEST_EXCLUDED.includes(f)));
  for (const e of m.files) {
    if (!present.has(e.path)) {
      problems.push({ file: e.path, kind: 'missing', detail: `${e.path} is listed in the manifest but missing` });
      continue;
    }
    present.delete(e.path);
    // A growing file may have been appended to after the checkpoint; its sealed prefix must match.
    const size = statSync(join(dir, e.path)).size;
    const prefix = m.growing?.includes(e.path) && size > e.size ? e.size : undefined;
    const h = digestFile(join(dir, e.path), prefix).sha256;
    if (h !== e.sha256)
      problems.push({
        file: e.path,
        kind: 'changed',
        detail: `${e.path} has sha256 ${h}${prefix !== undefined ? ` over its first ${e.size} bytes` : ''}, manifest says ${e.sha256}`,
      });
  }
  for (const extra of present)
    problems.push({ file: extra, kind: 'extra', detail: `${extra} is not listed in the manifest` });
  return problems;
}
