/**
 * Which of a growing set of needles occur in a JavaScript string, in one pass over it (the
 * redactor's question for every string it writes: does any secret, in any encoding, occur here?).
 *
 * Nearly every string holds none, so that answer must be cheap whatever the number of needles; and
 * needles arrive one secret at a time (a campaign learns its tenants' keys one by one, in every
 * job), so adding one must cost nothing like rebuilding an automaton (an Aho-Corasick automaton or a
 * RegExp alternating every needle took milliseconds to build, per learned secret).
 *
 * Each needle is filed under a hash of its first HEAD code units; a table of the code-unit pairs
 * that begin some needle lets the scan pass over most offsets with one load, and only where a pair
 * matches is the head hashed and the needles filed there compared. Needles shorter than HEAD (none
 * of the redactor's, which are at least six characters) are looked for one by one.
 */

/** Code units hashed at a candidate offset: the redactor's shortest needle (MIN_SECRET_LENGTH). */
const HEAD = 6;

/** Slot of a code-unit pair in the `start2` table (a hash: pairs are 32 bits, the table 16). */
function pairSlot(c0: number, c1: number): number {
  return (Math.imul(c0, 0x9e3779b1) ^ c1) & 0xffff;
}

/** A hash of the HEAD code units of `s` at `at` (FNV-1a over code units). */
function headHash(s: string, at: number): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < HEAD; k++) h = Math.imul(h ^ s.charCodeAt(at + k), 0x01000193);
  return h;
}

export class StringNeedles {
  private readonly all = new Set<string>();
  /** 1 for each pair slot that begins some needle of HEAD or more code units. */
  private readonly start2 = new Uint8Array(65536);
  private readonly byHead = new Map<number, string[]>();
  /** Needles shorter than HEAD, looked for one by one. */
  private readonly short: string[] = [];

  constructor(needles: Iterable<string> = []) {
    for (const n of needles) this.add(n);
  }

  get size(): number {
    return this.all.size;
  }

  has(needle: string): boolean {
    return this.all.has(needle);
  }

  /** Adds a needle (an empty one is ignored: it would occur everywhere). */
  add(needle: string): void {
    if (needle.length === 0 || this.all.has(needle)) return;
    this.all.add(needle);
    if (needle.length < HEAD) {
      this.short.push(needle);
      return;
    }
    this.start2[pairSlot(needle.charCodeAt(0), needle.charCodeAt(1))] = 1;
    const h = headHash(needle, 0);
    const list = this.byHead.get(h);
    if (list) list.push(needle);
    else this.byHead.set(h, [needle]);
  }

  /** The needles occurring in `s`, or undefined when none does: the common case allocates nothing. */
  presentIn(s: string): Set<string> | undefined {
    let found: Set<string> | undefined;
    if (this.byHead.size > 0) {
      const { start2, byHead } = this;
      const last = s.length - HEAD;
      let c1 = s.charCodeAt(0);
      for (let i = 0; i <= last; i++) {
        const c0 = c1;
        c1 = s.charCodeAt(i + 1);
        if (start2[pairSlot(c0, c1)] === 0) continue;
        const list = byHead.get(headHash(s, i));
        if (!list) continue;
        for (const n of list) if (s.startsWith(n, i)) (found ??= new Set()).add(n);
      }
    }
    for (const n of this.short) if (s.includes(n)) (found ??= new Set()).add(n);
    return found;
  }
}
