import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StringNeedles } from './string-needles.ts';

const sorted = (found: Set<string> | undefined): string[] => [...(found ?? [])].sort();

describe('StringNeedles', () => {
  it('finds exactly the needles that occur, non-ASCII and short ones included', () => {
    const s = new StringNeedles(['tok_123456', 'clé-secrète', '%2Ftok_1', 'zzz', 'a.b*(c']);
    expect(s.presentIn('nothing here')).toBeUndefined();
    expect(sorted(s.presentIn('a tok_123456 and a clé-secrète'))).toEqual(['clé-secrète', 'tok_123456']);
    expect(sorted(s.presentIn('x%2Ftok_123456zz'))).toEqual(['%2Ftok_1', 'tok_123456']);
    expect(sorted(s.presentIn('a.b*(c azzz'))).toEqual(['a.b*(c', 'zzz']);
    expect(s.presentIn('zz')).toBeUndefined();
    expect(s.presentIn('')).toBeUndefined();
  });

  it('finds needles added after earlier searches', () => {
    const s = new StringNeedles();
    expect(s.presentIn('first_secret second_secret')).toBeUndefined();
    s.add('second_secret');
    expect(sorted(s.presentIn('first_secret second_secret'))).toEqual(['second_secret']);
    s.add('first_secret');
    s.add('first_secret');
    expect(s.size).toBe(2);
    expect(sorted(s.presentIn('first_secret second_secret'))).toEqual(['first_secret', 'second_secret']);
  });

  it('agrees with includes for random needles and texts (property)', () => {
    // A tiny alphabet: needles share heads, overlap and nest; astral characters split into pairs.
    const unit = fc.constantFrom('a', 'b', 'é', '%', '\u{1F600}');
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit, minLength: 1, maxLength: 9 }), { minLength: 1, maxLength: 25 }),
        fc.string({ unit, maxLength: 60 }),
        (needles, text) => {
          const want = needles.filter((n) => text.includes(n)).sort();
          expect(sorted(new StringNeedles(needles).presentIn(text))).toEqual(want);
        },
      ),
      { seed: 4141, numRuns: 400 },
    );
  });
});
