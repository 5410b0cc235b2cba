/**
 * Entry point of spec loading: read, parse, bundle external refs, apply the overlay if any (overlay.ts),
 * validate. Throws a SpecError (with file, pointer and line) for anything that is not a usable
 * OpenAPI 3.0/3.1 document, or an overlay that does not fit it.
 */
import { createHash } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { bundleSpec } from './bundle-refs.ts';
import { fixGeneratorQuirks } from './generator-quirks.ts';
import { applyOverlay, readOverlay } from './overlay.ts';
import { readSourceFile } from './source-file.ts';
import { SpecDocument } from './spec-document.ts';
import { SpecError } from './spec-error.ts';
import { checkStructure, detectVersion, validateDocument, type SpecWarning } from './validate-document.ts';

export interface LoadedSpec {
  document: SpecDocument;
  warnings: SpecWarning[];
}

export interface LoadSpecOptions {
  /** Skip the (slower) OpenAPI schema validation; structural problems still throw. Default false. */
  skipSchemaValidation?: boolean;
  /**
   * An overlay file (OpenAPI Overlay 1.0, see overlay.ts) applied to the bundled spec before it is
   * checked; its bytes enter the spec's sha256. A relative path resolves from the working directory.
   */
  overlay?: string;
}

export async function loadSpec(file: string, options: LoadSpecOptions = {}): Promise<LoadedSpec> {
  const path = resolvePath(file);
  const entry = await readSourceFile(path);
  if (entry.value === null || typeof entry.value !== 'object' || Array.isArray(entry.value)) {
    throw new SpecError('not-a-spec', 'not an OpenAPI document (expected a mapping at the top level)', { file: path });
  }
  let version = detectVersion(entry.value as Record<string, unknown>, path);
  const bundled = await bundleSpec(entry);
  const hash = createHash('sha256').update(entry.text);
  for (const f of bundled.files.values()) hash.update('\0').update(f.text);
  let locate = bundled.locate;
  if (options.overlay !== undefined) {
    const overlay = await readOverlay(options.overlay);
    // The evidence's spec digest covers what was analysed: the spec and the overlay on top of it.
    hash.update('\0overlay\0').update(overlay.text);
    locate = applyOverlay(bundled.root, overlay, bundled.locate);
    version = detectVersion(bundled.root, path);
  }
  checkStructure(bundled.root, locate);
  const quirks = fixGeneratorQuirks(bundled.root, version, locate);
  const warnings = [...quirks, ...(options.skipSchemaValidation ? [] : await validateDocument(bundled.root, locate))];
  return { document: new SpecDocument(bundled.root, path, version, hash.digest('hex'), locate), warnings };
}
