/** The response cache: tenant-keyed hits, invalidation by a write, and its memory bounds. */
import { describe, expect, it } from 'vitest';
import { ResponseCache, tenantCacheKey } from './response-cache.ts';

const parts = (tenantId: string, url: string) => ({ tenantId, method: 'GET', url });

describe('ResponseCache', () => {
  it('serves what was stored for the tenant, until the tenant writes', () => {
    const cache = new ResponseCache(tenantCacheKey);
    cache.set(parts('a', '/v1/search?q=x'), '{"a":1}', cache.generationOf('a'));
    expect(cache.get(parts('a', '/v1/search?q=x'))).toBe('{"a":1}');
    expect(cache.get(parts('b', '/v1/search?q=x'))).toBeUndefined();
    cache.invalidateTenant('a');
    expect(cache.get(parts('a', '/v1/search?q=x'))).toBeUndefined();
    // The outdated entry went when it was looked up.
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
  });

  it('drops an expired entry when it is looked up', () => {
    const cache = new ResponseCache(tenantCacheKey, -1);
    cache.set(parts('a', '/v1/reports/summary'), '{}', 0);
    expect(cache.get(parts('a', '/v1/reports/summary'))).toBeUndefined();
    expect(cache.size.entries).toBe(0);
  });

  it('keeps within its entry and byte limits, dropping the oldest first', () => {
    const cache = new ResponseCache(tenantCacheKey, 60_000, { entries: 3, bytes: 40 });
    for (const q of ['1', '2', '3', '4']) cache.set(parts('a', `/v1/search?q=${q}`), 'x', 0);
    expect(cache.size).toEqual({ entries: 3, bytes: 6 });
    expect(cache.get(parts('a', '/v1/search?q=1'))).toBeUndefined();
    expect(cache.get(parts('a', '/v1/search?q=4'))).toBe('x');

    cache.set(parts('a', '/v1/search?q=big'), 'y'.repeat(15), 0); // 30 bytes: over the entry limit
    expect(cache.size).toEqual({ entries: 3, bytes: 34 });
    cache.set(parts('a', '/v1/search?q=more'), 'v'.repeat(5), 0); // 10 bytes: over both limits
    expect(cache.size).toEqual({ entries: 2, bytes: 40 });
    expect(cache.get(parts('a', '/v1/search?q=big'))).toBe('y'.repeat(15));
    expect(cache.get(parts('a', '/v1/search?q=3'))).toBeUndefined();
    // A body larger than the whole budget is not cached at all.
    cache.set(parts('a', '/v1/search?q=huge'), 'z'.repeat(21), 0);
    expect(cache.get(parts('a', '/v1/search?q=huge'))).toBeUndefined();
    expect(cache.size.bytes).toBeLessThanOrEqual(40);
    // Storing a key again replaces it (and its bytes).
    cache.set(parts('a', '/v1/search?q=big'), 'w', 0);
    expect(cache.size).toEqual({ entries: 2, bytes: 12 });
  });
});
