import { describe, expect, it } from 'vitest';
import { canonicalJson, NotCanonicalError } from './canonical-json.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth, writes no whitespace and leaves out undefined properties', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: 'x' }], c: true }, u: undefined })).toBe(
      '{"a":{"c":true,"d":[3,{"y":"x","z":null}]},"b":1}',
    );
  });

  it('is the identity on its own output, and the same for the same value whatever the key order', () => {
    const v = { é: 'ü\u2028', n: -0.000123, big: 1e21, list: ['', 'a"b\\c'] };
    const once = canonicalJson(v);
    expect(canonicalJson(JSON.parse(once))).toBe(once);
    expect(canonicalJson({ list: v.list, big: v.big, n: v.n, é: v.é })).toBe(once);
  });

  it('refuses what JSON cannot represent exactly', () => {
    for (const bad of [NaN, Infinity, 10n, () => 1, [undefined], new Date(0), Symbol('s')])
      expect(() => canonicalJson({ x: bad })).toThrow(NotCanonicalError);
  });
});
