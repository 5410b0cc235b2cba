/**
 * The shared vocabulary: plain words (first names, surnames, trades, cities, street words) that
 * every tenant's free text draws from, so two tenants' records share ordinary words the way real
 * customers' do ("Maria", "Plumbing", "Springfield"). A search for such a word matches every
 * tenant's records at the server; only the caller's may come back.
 *
 * The words are low-entropy on purpose: they are never fingerprints (a word proves nothing about
 * who owns a record). Ownership stays with the canary, which every text carrying words keeps.
 */

const FIRST_NAMES = [
  'Maria',
  'James',
  'Anna',
  'David',
  'Sofia',
  'Daniel',
  'Laura',
  'Peter',
  'Elena',
  'Samuel',
  'Grace',
  'Oliver',
  'Nora',
  'Lucas',
  'Ruth',
  'Henry',
  'Clara',
  'Victor',
];
const SURNAMES = [
  'Smith',
  'Garcia',
  'Miller',
  'Nguyen',
  'Brown',
  'Lopez',
  'Wilson',
  'Clark',
  'Lewis',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Green',
  'Baker',
  'Adams',
];
const TRADES = [
  'Plumbing',
  'Roofing',
  'Painting',
  'Electric',
  'Carpentry',
  'Landscaping',
  'Masonry',
  'Flooring',
  'Heating',
  'Cleaning',
  'Glazing',
  'Fencing',
  'Paving',
  'Welding',
  'Tiling',
];
const CITIES = [
  'Springfield',
  'Riverside',
  'Franklin',
  'Greenville',
  'Bristol',
  'Clinton',
  'Fairview',
  'Salem',
  'Madison',
  'Georgetown',
  'Arlington',
  'Ashland',
  'Dover',
  'Oxford',
  'Milton',
  'Newport',
];
const STREET_WORDS = [
  'Elm',
  'Oak',
  'Maple',
  'Cedar',
  'Pine',
  'Main',
  'Park',
  'Lake',
  'Church',
  'Mill',
  'River',
  'Street',
  'Avenue',
  'Road',
  'Lane',
  'Court',
];

/** Every word of the vocabulary, in a fixed order (generation picks by index). */
export const VOCABULARY: readonly string[] = [...FIRST_NAMES, ...SURNAMES, ...TRADES, ...CITIES, ...STREET_WORDS];

const WORD_SET: ReadonlySet<string> = new Set(VOCABULARY);

/** Whether `word` is a vocabulary word (exact spelling, as generated). */
export function isVocabularyWord(word: string): boolean {
  return WORD_SET.has(word);
}

/** The vocabulary words in a text, each once, in order of first appearance. */
export function vocabularyWordsIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/[A-Za-z]+/g)) if (WORD_SET.has(m[0]) && !out.includes(m[0])) out.push(m[0]);
  return out;
}

/** FNV-1a over a string: a cheap, stable index for picking words (no randomness of its own). */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The `i`-th word picked for `seed` and `field` (deterministic). */
export function pickWord(seed: number, field: string, i: number): string {
  return VOCABULARY[hash(`${seed}\u0000${field}\u0000${i}`) % VOCABULARY.length]!;
}

export interface TextBounds {
  minLength: number;
  maxLength: number;
}

/**
 * Text that starts with `lead` (a canary) followed by `wanted` vocabulary words picked for `seed`
 * and `field`, within `bounds`: only whole words are added, skipping words too long for what is
 * left; more are added (and, only if the minimum demands it, the last one cut) to reach the
 * minimum length. Undefined when not even one word fits after `lead`, or `lead` itself does not.
 */
export function textWithWords(
  lead: string,
  wanted: number,
  bounds: TextBounds,
  seed: number,
  field: string,
): string | undefined {
  if (lead.length > bounds.maxLength) return undefined;
  let text = lead;
  let added = 0;
  for (let i = 0; added < wanted || text.length < bounds.minLength; i++) {
    const room = bounds.maxLength - text.length - 1;
    let word = pickWord(seed, field, i);
    if (word.length > room) {
      // Too long for what is left: another word that fits, else (only for the minimum) a cut one.
      const fitting = VOCABULARY.filter((w) => w.length <= room);
      if (fitting.length > 0) word = fitting[hash(`${seed}\u0000${field}\u0000${i}`) % fitting.length]!;
      else {
        if (text.length < bounds.minLength && room >= 1) {
          text = `${text} ${word}`.slice(0, bounds.maxLength);
          added++;
        }
        break;
      }
    }
    text = `${text} ${word}`;
    added++;
  }
  if (added === 0) return undefined;
  while (text.length < bounds.minLength) text += 'x';
  return text;
}
