import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CANARY_PATTERN } from './canary.ts';
import { isVocabularyWord, textWithWords, VOCABULARY, vocabularyWordsIn } from './vocabulary.ts';

const CANARY = 'tpT1abcdefghij';

describe('the shared vocabulary', () => {
  it('is plain words, each once, none that reads as a canary or its prefix', () => {
    expect(new Set(VOCABULARY).size).toBe(VOCABULARY.length);
    expect(VOCABULARY.length).toBeGreaterThanOrEqual(60);
    for (const w of VOCABULARY) {
      expect(w).toMatch(/^[A-Z][a-z]+$/);
      expect(w.toLowerCase()).not.toContain('tp');
    }
  });

  it('finds its words in text, each once, and nothing else', () => {
    expect(vocabularyWordsIn(`${CANARY} Maria Plumbing, Maria of Springfield; mariah Oakland`)).toEqual([
      'Maria',
      'Plumbing',
      'Springfield',
    ]);
    expect(isVocabularyWord('Dover')).toBe(true);
    expect(isVocabularyWord('dover')).toBe(false);
  });

  it('puts whole words after the canary, within any bounds the canary fits (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 80 }),
        fc.integer({ min: 0, max: 80 }),
        fc.integer({ min: 1, max: 3 }),
        fc.nat(),
        (a, b, wanted, seed) => {
          const bounds = { minLength: Math.min(a, b), maxLength: Math.max(a, b) };
          const text = textWithWords(CANARY, wanted, bounds, seed, 'name');
          if (CANARY.length + 4 > bounds.maxLength) {
            // Room for no word (the shortest has 3 letters, after a space) or not even the canary.
            if (text !== undefined) expect(text.length).toBeLessThanOrEqual(bounds.maxLength);
            return;
          }
          expect(text).toBeDefined();
          expect(text!.length).toBeGreaterThanOrEqual(bounds.minLength);
          expect(text!.length).toBeLessThanOrEqual(bounds.maxLength);
          expect(text!.startsWith(`${CANARY} `)).toBe(true);
          expect([...text!.matchAll(CANARY_PATTERN)].map((m) => m[0])).toEqual([CANARY]);
          expect(vocabularyWordsIn(text!).length).toBeGreaterThan(0);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it('picks the same words for the same seed and field, other words for others', () => {
    const bounds = { minLength: 0, maxLength: 64 };
    expect(textWithWords(CANARY, 3, bounds, 7, 'name')).toBe(textWithWords(CANARY, 3, bounds, 7, 'name'));
    const many = new Set([...Array(20).keys()].map((seed) => textWithWords(CANARY, 3, bounds, seed, 'name')));
    expect(many.size).toBeGreaterThan(15);
  });
});
