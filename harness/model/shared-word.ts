/**
 * The query of a 'shared-word' search: a plain word of the shared vocabulary (generate/vocabulary.ts)
 * that another tenant's live records contain, preferring one the searching tenant's records contain
 * too. The server then matches records of several tenants; a correct one returns only the
 * caller's, and any other tenant's record that comes back carries that tenant's canary, which the
 * foreign-data oracle finds. The word itself proves nothing and is never a fingerprint.
 */
import { vocabularyWordsIn } from '../generate/vocabulary.ts';
import type { TenantLabel } from './exchange.ts';
import type { World } from './world.ts';

const MAX_DEPTH = 8;

function collectWords(value: unknown, into: Set<string>, depth = 0): void {
  if (depth > MAX_DEPTH || value === null || value === undefined) return;
  if (typeof value === 'string') {
    for (const w of vocabularyWordsIn(value)) into.add(w);
  } else if (Array.isArray(value)) {
    for (const v of value) collectWords(v, into, depth + 1);
  } else if (typeof value === 'object') {
    // A reference to an earlier response ({ $from, path }) holds no text.
    if ('$from' in value || '$tenantId' in value) return;
    for (const v of Object.values(value)) collectWords(v, into, depth + 1);
  }
}

/** The vocabulary words in `tenant`'s live records: as the server last showed them, and as sent. */
export function wordsOfTenant(world: World, tenant: TenantLabel): Set<string> {
  const words = new Set<string>();
  for (const record of world.alive(tenant)) {
    collectWords(record.lastSeen, words);
    collectWords(world.stepAt(record.createdBy)?.body, words);
  }
  return words;
}

/**
 * A vocabulary word for `tenant` to search for: one that `victim`'s records contain (else any other
 * tenant's), and the tenant's own too where there is such a word. Undefined when no other tenant
 * has a record with a vocabulary word yet.
 */
export function sharedWord(world: World, tenant: TenantLabel, victim: TenantLabel, pick: number): string | undefined {
  let theirs = [...wordsOfTenant(world, victim)];
  if (theirs.length === 0)
    theirs = [...new Set(world.others(tenant).flatMap((other) => [...wordsOfTenant(world, other)]))];
  if (theirs.length === 0) return undefined;
  const mine = wordsOfTenant(world, tenant);
  const both = theirs.filter((w) => mine.has(w));
  const pool = (both.length > 0 ? both : theirs).sort();
  return pool[pick % pool.length];
}
