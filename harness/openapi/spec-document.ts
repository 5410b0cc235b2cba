/**
 * A loaded, bundled spec with `$ref` resolution. All refs are internal (`#/...`) after bundling;
 * lookups are cached, and ref chains (`A -> B -> C`) are followed with cycle detection.
 */
import { fragmentToPointer, getAtPointer, parsePointer } from './json-pointer.ts';
import type { SpecLocation } from './spec-error.ts';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** What the generator and the analysis need to follow `$ref`s; a SpecDocument is one. */
export interface RefResolver {
  /** The target of a `#/...` ref, or undefined if it points nowhere. */
  lookup(ref: string): unknown;
}

export class SpecDocument implements RefResolver {
  private readonly cache = new Map<string, unknown>();

  constructor(
    readonly root: JsonObject,
    /** The entry file's path. */
    readonly file: string,
    /** `3.0` or `3.1`. */
    readonly version: '3.0' | '3.1',
    readonly sha256: string,
    private readonly locator: (pointer: string) => SpecLocation,
  ) {}

  lookup(ref: string): unknown {
    if (this.cache.has(ref)) return this.cache.get(ref);
    const value = getAtPointer(this.root, parsePointer(fragmentToPointer(ref)));
    this.cache.set(ref, value);
    return value;
  }

  /** Follows `$ref` chains; returns the final node and the last ref followed (its identity). */
  deref(node: unknown): { node: unknown; ref?: string } {
    let current = node;
    let ref: string | undefined;
    const seen = new Set<string>();
    while (isObject(current) && typeof current.$ref === 'string') {
      if (seen.has(current.$ref)) return { node: {}, ...(ref ? { ref } : {}) };
      seen.add(current.$ref);
      ref = current.$ref;
      current = this.lookup(current.$ref);
    }
    return { node: current, ...(ref ? { ref } : {}) };
  }

  /** `deref` that also insists on an object (returns `{}` otherwise). */
  object(node: unknown): JsonObject {
    const { node: target } = this.deref(node);
    return isObject(target) ? target : {};
  }

  /** File, pointer and line for a pointer in the bundled document. */
  locate(pointer: string): SpecLocation {
    return this.locator(pointer);
  }
}
