import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AhoCorasick, EmptyPatternError, type AcMatch } from './aho-corasick.ts';

/** Fixed seed: failures are reproducible, and fast-check prints the seed and path on failure. */
const SEED = 20261126;

function naive(patterns: string[], text: string): AcMatch[] {
  const buf = Buffer.from(text, 'utf8');
  const out: AcMatch[] = [];
  patterns.forEach((p, pattern) => {
    const pb = Buffer.from(p, 'utf8');
    for (let i = buf.indexOf(pb); i !== -1; i = buf.indexOf(pb, i + 1))
      out.push({ pattern, start: i, end: i + pb.length });
  });
  return out;
}

const key = (m: AcMatch) => `${m.pattern}@${m.start}-${m.end}`;
const sorted = (ms: AcMatch[]) => ms.map(key).sort();

describe('AhoCorasick', () => {
  it('finds overlapping and nested patterns (the classic he/she/his/hers)', () => {
    const ac = new AhoCorasick(['he', 'she', 'his', 'hers']);
    expect(sorted(ac.findAll('ushers'))).toEqual(
      sorted([
        { pattern: 1, start: 1, end: 4 },
        { pattern: 0, start: 2, end: 4 },
        { pattern: 3, start: 2, end: 6 },
      ]),
    );
  });

  it('reports self-overlapping occurrences', () => {
    const ac = new AhoCorasick(['aaa', 'aa']);
    expect(ac.findAll('aaaa').length).toBe(2 + 3);
  });

  it('reports duplicate patterns under each index', () => {
    const ac = new AhoCorasick(['abc', 'abc', 'bc']);
    expect(sorted(ac.findAll('xabc'))).toEqual(
      sorted([
        { pattern: 0, start: 1, end: 4 },
        { pattern: 1, start: 1, end: 4 },
        { pattern: 2, start: 2, end: 4 },
      ]),
    );
  });

  it('works on UTF-8 bytes and byte offsets', () => {
    const ac = new AhoCorasick(['é1', 'ü']);
    const ms = ac.findAll('aé1ü');
    expect(sorted(ms)).toEqual(
      sorted([
        { pattern: 0, start: 1, end: 4 },
        { pattern: 1, start: 4, end: 6 },
      ]),
    );
  });

  it('handles every byte value, including bytes outside any pattern', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    const ac = new AhoCorasick([all.subarray(250), new Uint8Array([0, 1])]);
    const text = new Uint8Array([9, 0, 1, 250, 251, 252, 253, 254, 255, 0, 1]);
    expect(sorted(ac.findAll(text))).toEqual(
      sorted([
        { pattern: 1, start: 1, end: 3 },
        { pattern: 0, start: 3, end: 9 },
        { pattern: 1, start: 9, end: 11 },
      ]),
    );
  });

  it('handles patterns that use all 256 byte values', () => {
    const patterns = Array.from({ length: 256 }, (_, v) => new Uint8Array([v, (v + 1) % 256]));
    const ac = new AhoCorasick(patterns);
    expect(ac.classCount).toBe(256);
    const text = new Uint8Array([255, 0, 1, 2]);
    expect(sorted(ac.findAll(text))).toEqual(
      sorted([
        { pattern: 255, start: 0, end: 2 },
        { pattern: 0, start: 1, end: 3 },
        { pattern: 1, start: 2, end: 4 },
      ]),
    );
  });

  it('rejects an empty pattern with a typed error', () => {
    expect(() => new AhoCorasick(['ok', ''])).toThrow(EmptyPatternError);
  });

  it('supports early exit via test()', () => {
    const ac = new AhoCorasick(['needle']);
    expect(ac.test('hay needle hay')).toBe(true);
    expect(ac.test('hay hay')).toBe(false);
    expect(new AhoCorasick([]).findAll('anything')).toEqual([]);
  });

  it('matches naive indexOf search on random small alphabets (property)', () => {
    const alpha = fc.constantFrom('a', 'b', 'c', 'é', '-');
    const word = fc.array(alpha, { minLength: 1, maxLength: 6 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 25 }),
        fc.array(alpha, { maxLength: 200 }).map((cs) => cs.join('')),
        fc.integer({ min: 0, max: 4 }),
        (patterns, text, denseDepth) => {
          const ac = new AhoCorasick(patterns, { denseDepth });
          expect(sorted(ac.findAll(text))).toEqual(sorted(naive(patterns, text)));
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('matches naive search on random bytes with planted patterns (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 40 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (patterns, noise, plants) => {
          const parts: Uint8Array[] = [noise];
          for (const p of plants) parts.push(patterns[p % patterns.length]!, noise.subarray(0, p % 17));
          const text = Buffer.concat(parts);
          const ac = new AhoCorasick(patterns);
          const expected: AcMatch[] = [];
          patterns.forEach((pat, pattern) => {
            for (let i = text.indexOf(pat); i !== -1; i = text.indexOf(pat, i + 1))
              expected.push({ pattern, start: i, end: i + pat.length });
          });
          expect(sorted(ac.findAll(text))).toEqual(sorted(expected));
        },
      ),
      { seed: SEED + 1, numRuns: 300 },
    );
  });
});
