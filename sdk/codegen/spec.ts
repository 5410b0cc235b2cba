/**
 * Loading an OpenAPI document (YAML or JSON) and the small JSON-pointer helpers the emitters share.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/** A JSON Schema / OpenAPI Schema Object as parsed from the document; unknown keywords are allowed. */
export type SchemaNode = boolean | { [keyword: string]: unknown };

export interface OpenApiDocument {
  openapi: string;
  components?: { schemas?: Record<string, SchemaNode> };
  paths?: Record<string, unknown>;
  [key: string]: unknown;
}

export function loadSpecText(file: string): string {
  return readFileSync(file, 'utf8');
}

export function parseSpec(text: string): OpenApiDocument {
  const doc: unknown = parseYaml(text, { maxAliasCount: -1 });
  if (!doc || typeof doc !== 'object' || typeof (doc as { openapi?: unknown }).openapi !== 'string') {
    throw new Error('not an OpenAPI 3.x document (no "openapi" version field)');
  }
  return doc as OpenApiDocument;
}

/** Decodes one JSON-pointer segment (RFC 6901, plus URI percent-encoding as $refs may carry it). */
export function decodePointerSegment(segment: string): string {
  let s = segment;
  try {
    s = decodeURIComponent(s);
  } catch {
    // not percent-encoded: keep as is
  }
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The component-schema name a `$ref` points at, or undefined for any other pointer. */
export function componentSchemaName(ref: string): string | undefined {
  const m = /^#\/components\/schemas\/([^/]+)$/.exec(ref);
  return m?.[1] === undefined ? undefined : decodePointerSegment(m[1]);
}

/** Resolves a local `$ref` ("#/a/b") inside the document. */
export function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) throw new Error(`only local $refs are supported: ${ref}`);
  const parts = ref
    .slice(1)
    .split('/')
    .filter((p, i) => !(i === 0 && p === ''))
    .map(decodePointerSegment);
  let node: unknown = doc;
  for (const part of parts) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
