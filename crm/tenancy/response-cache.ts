/**
 * A short-TTL cache for the expensive GETs (search, report summary). Entries are dropped when
 * their tenant writes anything, so the clean server never serves a stale view. Its memory is
 * bounded: at most `limits.entries` entries and `limits.bytes` of bodies, the oldest going first
 * (a client that searches for ever new strings would otherwise fill it with bodies nobody reads
 * again); an expired or outdated entry goes when it is next looked up.
 */
export interface CacheKeyParts {
  tenantId: string;
  method: string;
  url: string;
}

export type CacheKeyFunction = (parts: CacheKeyParts) => string;

/** The clean key: the tenant is part of it. */
export const tenantCacheKey: CacheKeyFunction = ({ tenantId, method, url }) => `${tenantId} ${method} ${url}`;

interface Entry {
  body: string;
  expires: number;
  tenantId: string;
  generation: number;
}

export interface ResponseCacheLimits {
  entries: number;
  /** Of bodies, counted as two bytes per UTF-16 code unit (what V8 may hold them in). */
  bytes: number;
}

export const DEFAULT_CACHE_LIMITS: ResponseCacheLimits = { entries: 1_000, bytes: 8 * 1024 * 1024 };

const bytesOf = (entry: Entry) => entry.body.length * 2;

export class ResponseCache {
  /** In insertion order, which is eviction order. */
  readonly #entries = new Map<string, Entry>();
  readonly #generations = new Map<string, number>();
  #bytes = 0;
  constructor(
    private readonly keyOf: CacheKeyFunction,
    private readonly ttlMs = 5_000,
    private readonly limits: ResponseCacheLimits = DEFAULT_CACHE_LIMITS,
  ) {}

  get(parts: CacheKeyParts): string | undefined {
    const key = this.keyOf(parts);
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires < Date.now() || entry.generation !== this.#generation(entry.tenantId)) {
      this.#delete(key, entry);
      return undefined;
    }
    return entry.body;
  }

  /** Entries and bytes held now. */
  get size(): { entries: number; bytes: number } {
    return { entries: this.#entries.size, bytes: this.#bytes };
  }

  /** Take this before computing a response, and pass it to `set`, so a write in between wins. */
  generationOf(tenantId: string): number {
    return this.#generation(tenantId);
  }

  set(parts: CacheKeyParts, body: string, generation: number): void {
    const key = this.keyOf(parts);
    const entry: Entry = { body, expires: Date.now() + this.ttlMs, tenantId: parts.tenantId, generation };
    if (bytesOf(entry) > this.limits.bytes) return;
    const previous = this.#entries.get(key);
    if (previous) this.#delete(key, previous);
    this.#entries.set(key, entry);
    this.#bytes += bytesOf(entry);
    for (const [oldKey, old] of this.#entries) {
      if (this.#entries.size <= this.limits.entries && this.#bytes <= this.limits.bytes) break;
      this.#delete(oldKey, old);
    }
  }

  /** Called after every write a tenant makes. */
  invalidateTenant(tenantId: string): void {
    this.#generations.set(tenantId, this.#generation(tenantId) + 1);
  }

  clear(): void {
    this.#entries.clear();
    this.#generations.clear();
    this.#bytes = 0;
  }

  #delete(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= bytesOf(entry);
  }

  #generation(tenantId: string): number {
    return this.#generations.get(tenantId) ?? 0;
  }
}
