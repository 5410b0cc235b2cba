/**
 * A short-TTL cache for the expensive GETs (search, report summary). Entries are dropped when
 * their tenant writes anything, so the clean server never serves a stale view.
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

export class ResponseCache {
  readonly #entries = new Map<string, Entry>();
  readonly #generations = new Map<string, number>();
  constructor(
    private readonly keyOf: CacheKeyFunction,
    private readonly ttlMs = 5_000,
  ) {}

  get(parts: CacheKeyParts): string | undefined {
    const entry = this.#entries.get(this.keyOf(parts));
    if (!entry) return undefined;
    if (entry.expires < Date.now() || entry.generation !== this.#generation(entry.tenantId)) return undefined;
    return entry.body;
  }

  /** Take this before computing a response, and pass it to `set`, so a write in between wins. */
  generationOf(tenantId: string): number {
    return this.#generation(tenantId);
  }

  set(parts: CacheKeyParts, body: string, generation: number): void {
    if (this.#entries.size > 5_000) this.#entries.clear();
    this.#entries.set(this.keyOf(parts), {
      body,
      expires: Date.now() + this.ttlMs,
      tenantId: parts.tenantId,
      generation,
    });
  }

  /** Called after every write a tenant makes. */
  invalidateTenant(tenantId: string): void {
    this.#generations.set(tenantId, this.#generation(tenantId) + 1);
  }

  clear(): void {
    this.#entries.clear();
    this.#generations.clear();
  }

  #generation(tenantId: string): number {
    return this.#generations.get(tenantId) ?? 0;
  }
}
