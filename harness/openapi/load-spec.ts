/**
 * Entry point of spec loading: read, parse, bundle external refs, validate. Throws a SpecError
 * (with file, pointer and line) for anything that is not a usable OpenAPI 3.0/3.1 document.
 */
import { createHash } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { bundleSpec } from './bundle-refs.ts';
import { fixGeneratorQuirks } from './generator-quirks.ts';
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
}

export async function loadSpec(file: string, options: LoadSpecOptions = {}): Promise<LoadedSpec> {
  const path = resolvePath(file);
  const entry = await readSourceFile(path);
  if (entry.value === null || typeof entry.value !== 'object' || Array.isArray(entry.value)) {
    throw new SpecError('not-a-spec', 'not an OpenAPI document (expected a mapping at the top level)', { file: path });
  }
  const version = detectVersion(entry.value as Record<string, unknown>, path);
  const bundled = await bundleSpec(entry);
  const hash = createHash('sha256').update(entry.text);
  for (const f of bundled.files.values()) hash.update('\0').update(f.text);
  checkStructure(bundled.root, bundled.locate);
  const quirks = fixGeneratorQuirks(bundled.root, version, bundled.locate);
  const warnings = [
    ...quirks,
    ...(options.skipSchemaValidation ? [] : await validateDocument(bundled.root, bundled.locate)),
  ];
  return { document: new SpecDocument(bundled.root, path, version, hash.digest('hex'), bundled.locate), warnings };
}
