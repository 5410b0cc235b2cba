import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.ts';
import { configDigest, parseShard, shardFocus, shardSeed } from './shard.ts';

describe('sharding', () => {
  it('parses i/n and rejects what is not a shard, saying why', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '3', 'a/b', '1/0', '']) expect(() => parseShard(bad)).toThrow(ConfigError);
    expect(() => parseShard('4/3')).toThrow(/between 1 and 3/);
  });

  it('the focus slices partition the operations: every operation in exactly one shard (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 12 }),
        (ops, n) => {
          const slices = Array.from({ length: n }, (_, i) => shardFocus(ops, { index: i + 1, count: n }));
          expect(slices.flat().sort()).toEqual([...ops].sort());
          expect(new Set(slices.flat()).size).toBe(ops.length);
          // Balanced to within one operation.
          const sizes = slices.map((s) => s.length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });

  it('derives a distinct, stable seed per shard; one shard keeps the base seed', () => {
    const seeds = [1, 2, 3, 4, 5].map((i) => shardSeed(42, { index: i, count: 5 }));
    expect(new Set(seeds).size).toBe(5);
    expect(seeds).toEqual([1, 2, 3, 4, 5].map((i) => shardSeed(42, { index: i, count: 5 })));
    for (const s of seeds) expect(s).toBeLessThan(2 ** 31);
    expect(shardSeed(42, { index: 1, count: 1 })).toBe(42);
  });

  it('the config digest ignores key order and changes with any setting', () => {
    expect(configDigest({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(configDigest({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(configDigest({ a: 1 })).not.toBe(configDigest({ a: 2 }));
  });
});
