/**
 * Turns a multi-file spec into one document whose `$ref`s are all internal. Each external file is
 * copied whole under `#/x-tenantproof-bundle/<key>` and every `$ref` that points into it is
 * rewritten, so the rest of the harness only ever resolves `#/...` pointers. Every `$ref` is then
 * checked: one that points nowhere is a `dangling-ref` SpecError naming its file, pointer and line.
 */
import { dirname, relative, resolve as resolvePath } from 'node:path';
import { fragmentToPointer, getAtPointer, parsePointer, toPointer } from './json-pointer.ts';
import { readSourceFile, type SourceFile } from './source-file.ts';
import { SpecError, type SpecLocation } from './spec-error.ts';

export const BUNDLE_KEY = 'x-tenantproof-bundle';

export interface BundledSpec {
  /** The entry document, with external files embedded under `BUNDLE_KEY`. */
  root: Record<string, unknown>;
  entry: SourceFile;
  /** Bundle key -> the file it holds. */
  files: Map<string, SourceFile>;
  /** Maps a pointer in the bundled document back to a file and a pointer in it. */
  locate(pointer: string): SpecLocation;
}

interface RefSite {
  holder: Record<string, unknown>;
  ref: string;
  /** Pointer of the object holding the `$ref`, inside its own file. */
  pointer: string;
  file: SourceFile;
}

/** Finds every `$ref` string in a parsed file (skipping example payloads, which are data). */
function collectRefs(file: SourceFile): RefSite[] {
  const sites: RefSite[] = [];
  const stack: { node: unknown; path: string[] }[] = [{ node: file.value, path: [] }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push({ node: node[i], path: [...path, String(i)] });
    } else if (node !== null && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      if (typeof obj.$ref === 'string') sites.push({ holder: obj, ref: obj.$ref, pointer: toPointer(path), file });
      for (const [key, child] of Object.entries(obj)) {
        if (key === 'example' || key === '$ref') continue;
        if (key === 'examples' && Array.isArray(child)) continue;
        if (child !== null && typeof child === 'object') stack.push({ node: child, path: [...path, key] });
      }
    }
  }
  return sites;
}

function locationOf(file: SourceFile, pointer: string): SpecLocation {
  const line = file.lineOf(pointer);
  return { file: file.path, pointer, ...(line !== undefined ? { line } : {}) };
}

export async function bundleSpec(entry: SourceFile): Promise<BundledSpec> {
  if (entry.value === null || typeof entry.value !== 'object' || Array.isArray(entry.value)) {
    throw new SpecError('not-a-spec', 'not an OpenAPI document (expected a mapping at the top level)', {
      file: entry.path,
    });
  }
  const root = entry.value as Record<string, unknown>;
  const keyOfPath = new Map<string, string>([[entry.path, '']]);
  const files = new Map<string, SourceFile>();
  const baseDir = dirname(entry.path);
  const queue: SourceFile[] = [entry];
  const pending: { site: RefSite; targetKey: string; pointer: string }[] = [];

  while (queue.length) {
    const file = queue.shift()!;
    const ownKey = keyOfPath.get(file.path)!;
    for (const site of collectRefs(file)) {
      const hash = site.ref.indexOf('#');
      const filePart = hash === -1 ? site.ref : site.ref.slice(0, hash);
      const fragment = hash === -1 ? '' : site.ref.slice(hash);
      if (/^[a-z][a-z0-9+.-]*:/i.test(filePart)) {
        throw new SpecError(
          'unsupported-ref',
          `remote $ref ${JSON.stringify(site.ref)} is not supported; download it and use a relative file path`,
          locationOf(file, site.pointer),
        );
      }
      const pointer = fragmentToPointer(fragment);
      if (pointer !== '' && !pointer.startsWith('/')) {
        throw new SpecError(
          'unsupported-ref',
          `$ref ${JSON.stringify(site.ref)} is not a JSON pointer (anchors are not supported)`,
          locationOf(file, site.pointer),
        );
      }
      let targetKey = ownKey;
      if (filePart !== '') {
        const targetPath = resolvePath(dirname(file.path), decodeURI(filePart));
        let key = keyOfPath.get(targetPath);
        if (key === undefined) {
          let target: SourceFile;
          try {
            target = await readSourceFile(targetPath);
          } catch (err) {
            const reason = err instanceof SpecError ? err.message : String(err);
            throw new SpecError(
              'dangling-ref',
              `$ref ${JSON.stringify(site.ref)} points to a file that cannot be loaded: ${reason}`,
              locationOf(file, site.pointer),
            );
          }
          key = relative(baseDir, targetPath).replace(/[^A-Za-z0-9._-]+/g, '_') || 'file';
          while (files.has(key)) key += '_';
          keyOfPath.set(targetPath, key);
          files.set(key, target);
          queue.push(target);
        }
        targetKey = key;
      }
      pending.push({ site, targetKey, pointer });
    }
  }

  // Embed the external files, then rewrite and check every ref.
  if (files.size) {
    const bundle: Record<string, unknown> = {};
    for (const [key, file] of files) bundle[key] = file.value;
    root[BUNDLE_KEY] = bundle;
  }
  const dangling: { site: RefSite }[] = [];
  for (const { site, targetKey, pointer } of pending) {
    const rewritten = targetKey === '' ? pointer : `/${BUNDLE_KEY}/${targetKey}${pointer}`;
    site.holder.$ref = '#' + rewritten;
    if (getAtPointer(root, parsePointer(rewritten)) === undefined) dangling.push({ site });
  }
  if (dangling.length) {
    const [first, ...rest] = dangling.map(({ site }) => ({ site, loc: locationOf(site.file, site.pointer) }));
    throw new SpecError(
      'dangling-ref',
      `$ref ${JSON.stringify(first!.site.ref)} points to nothing`,
      first!.loc,
      rest.map(
        ({ site, loc }) =>
          `${loc.file}${loc.line ? `:${loc.line}` : ''} (at #${loc.pointer}): $ref ${JSON.stringify(site.ref)} points to nothing`,
      ),
    );
  }

  const locate = (pointer: string): SpecLocation => {
    const prefix = `/${BUNDLE_KEY}/`;
    if (pointer.startsWith(prefix)) {
      const rest = pointer.slice(prefix.length);
      const slash = rest.indexOf('/');
      const key = slash === -1 ? rest : rest.slice(0, slash);
      const file = files.get(key);
      if (file) return locationOf(file, slash === -1 ? '' : rest.slice(slash));
    }
    return locationOf(entry, pointer);
  };
  return { root, entry, files, locate };
}
