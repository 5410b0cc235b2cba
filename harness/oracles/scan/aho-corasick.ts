/**
 * A byte-level Aho-Corasick automaton over typed arrays.
 *
 * Layout, chosen so that 10^4..10^6 high-entropy patterns (ids, canaries) stay compact and fast:
 * - Bytes are mapped to equivalence classes (every byte that occurs in no pattern shares class 0),
 *   so a dense row has `classCount` cells instead of 256.
 * - States up to `denseDepth` (where the trie still branches), numbered first in breadth-first
 *   order, get a full precomputed DFA row: one array load per input byte.
 * - Deeper states (in random values, almost always a single chain) are numbered in depth-first
 *   preorder, so a chain is a run of consecutive ids: inside a chain a byte costs one compare
 *   (`chainByte[s] === b`, then `s + 1`). Other sparse states keep CSR children and fall back along
 *   failure links until a dense state answers. The root is dense, so the walk always ends, and the
 *   usual Aho-Corasick argument keeps it amortised O(1) per byte.
 * - At the root, byte pairs that begin no pattern are skipped with one table load each (`start2`):
 *   most bytes of a JSON response start no fingerprint.
 * - Every state knows the pattern it ends (`outPattern`) and the nearest proper suffix state that
 *   ends one (`dictLink`), so overlapping and nested occurrences are all reported.
 */
import { InternalError } from '../../errors.ts';

export class EmptyPatternError extends InternalError {
  constructor(readonly index: number) {
    super(`pattern #${index} is empty; an empty pattern matches everywhere and proves nothing`);
  }
}

/** One occurrence: `start` and `end` are byte offsets into the scanned input (`end` exclusive). */
export interface AcMatch {
  pattern: number;
  start: number;
  end: number;
}

/** Return `false` to stop scanning early. */
export type AcMatchHandler = (pattern: number, start: number, end: number) => void | boolean;

export interface AhoCorasickOptions {
  /** Depth up to which states may get a full DFA row (default 6). */
  denseDepth?: number;
  /** Cap on dense cells (states x classes), so memory stays bounded for huge registries (default 2^20). */
  maxDenseCells?: number;
}

const encoder = new TextEncoder();

export function toBytes(input: string | Uint8Array): Uint8Array {
  return typeof input === 'string' ? encoder.encode(input) : input;
}

export class AhoCorasick {
  /** Number of patterns given (duplicates included). */
  readonly patternCount: number;
  readonly stateCount: number;
  readonly classCount: number;
  /** Byte length of each pattern. */
  readonly patternLength: Int32Array;

  private readonly byteClass: Uint8Array;
  /** Dense rows for states `0 .. denseCount-1`: `dense[s * classCount + c]`. */
  private readonly dense: Int32Array;
  private readonly denseCount: number;
  /** CSR children of sparse states: `childStart[s] .. childStart[s + 1]`. */
  private readonly childStart: Int32Array;
  private readonly childClass: Uint8Array;
  private readonly childTarget: Int32Array;
  /** For a sparse state whose only child is `s + 1`: the byte leading there; else -1. */
  private readonly chainByte: Int16Array;
  /** 1 for each byte pair (b0 << 8 | b1) that begins some pattern. */
  private readonly start2: Uint8Array;
  private readonly fail: Int32Array;
  /** First pattern ending exactly at this state, or -1. */
  private readonly outPattern: Int32Array;
  /** Nearest proper-suffix state with an output, or -1. */
  private readonly dictLink: Int32Array;
  /** 1 when the state or a suffix of it ends a pattern. */
  private readonly hasOutput: Uint8Array;
  /** Next pattern with the same bytes (duplicates), or -1. */
  private readonly samePattern: Int32Array;

  constructor(patterns: ReadonlyArray<string | Uint8Array>, options: AhoCorasickOptions = {}) {
    const denseDepth = options.denseDepth ?? 6;
    const maxDenseCells = options.maxDenseCells ?? 1 << 20;
    const bytes = patterns.map((p, i) => {
      const b = toBytes(p);
      if (b.length === 0) throw new EmptyPatternError(i);
      return b;
    });
    this.patternCount = bytes.length;
    this.patternLength = Int32Array.from(bytes, (b) => b.length);

    // Byte classes.
    const byteClass = new Uint8Array(256);
    const seen = new Uint8Array(256);
    for (const b of bytes) for (let i = 0; i < b.length; i++) seen[b[i]!] = 1;
    let classCount = 1;
    for (let v = 0; v < 256; v++) if (seen[v]) byteClass[v] = classCount++;
    // Classes live in a Uint8Array. If all 256 byte values occur, the 256th would need class 256 and
    // no byte is left for the shared "in no pattern" class 0, so use the identity mapping instead.
    if (classCount > 256) {
      for (let v = 0; v < 256; v++) byteClass[v] = v;
      classCount = 256;
    }
    this.byteClass = byteClass;
    this.classCount = classCount;

    // Trie, built from the patterns in sorted order so that each new pattern only extends the path
    // of the previous one past their common prefix: no hash of edges (a Map tops out near 2^24
    // entries, and a million 36-byte ids make 30 million states). Ids here are in creation order.
    const sorted = Array.from(bytes.keys()).sort((x, y) => Buffer.compare(bytes[x]!, bytes[y]!));
    // Upper bound on states: one per pattern byte, plus the root. Preallocated typed arrays, no pushes.
    let bound = 1;
    let maxLen = 0;
    for (const b of bytes) {
      bound += b.length;
      if (b.length > maxLen) maxLen = b.length;
    }
    const depthOf = new Int32Array(bound);
    const endOf = new Int32Array(bound).fill(-1);
    const childCls = new Uint8Array(bound);
    const childRaw = new Uint8Array(bound);
    const childHead = new Int32Array(bound).fill(-1);
    const childNext = new Int32Array(bound).fill(-1);
    const samePattern = new Int32Array(bytes.length).fill(-1);
    const path = new Int32Array(maxLen + 1);
    let prev: Uint8Array | undefined;
    let states = 1;
    for (let k = 0; k < sorted.length; k++) {
      const p = sorted[k]!;
      const b = bytes[p]!;
      let l = 0;
      if (prev) while (l < b.length && l < prev.length && b[l] === prev[l]) l++;
      let s = path[l]!;
      for (let i = l; i < b.length; i++) {
        const t = states++;
        depthOf[t] = i + 1;
        childCls[t] = byteClass[b[i]!]!;
        childRaw[t] = b[i]!;
        childNext[t] = childHead[s]!;
        childHead[s] = t;
        path[i + 1] = t;
        s = t;
      }
      const prior = endOf[s]!;
      if (prior === -1) endOf[s] = p;
      else {
        // Chain duplicates behind the first pattern with these bytes.
        let q = prior;
        while (samePattern[q] !== -1) q = samePattern[q]!;
        samePattern[q] = p;
      }
      prev = b;
    }
    this.stateCount = states;
    this.samePattern = samePattern;

    // Numbering. Dense states come first, in breadth-first order (so `s < denseCount` tells dense
    // from sparse, and a state's failure target is always numbered and finished before it is
    // needed). Sparse states follow in depth-first preorder, so a single child is always `s + 1`
    // and a chain of a random value is a run of consecutive ids.
    const order = new Int32Array(states); // breadth-first: order[k] = old id
    let head = 0;
    let tail = 1;
    order[0] = 0;
    while (head < tail) {
      const old = order[head++]!;
      for (let c = childHead[old]!; c !== -1; c = childNext[c]!) order[tail++] = c;
    }
    // The root is always dense; then as many breadth-first states as depth and the cell cap allow.
    let denseCount = 1;
    const maxDense = Math.max(1, Math.floor(maxDenseCells / classCount));
    while (denseCount < states && denseCount < maxDense && depthOf[order[denseCount]!]! <= denseDepth) denseCount++;
    this.denseCount = denseCount;
    const newId = new Int32Array(states).fill(-1);
    for (let k = 0; k < denseCount; k++) newId[order[k]!] = k;
    let nid = denseCount;
    const stack: number[] = [];
    for (let k = 0; k < denseCount; k++) {
      for (let c = childHead[order[k]!]!; c !== -1; c = childNext[c]!) {
        if (newId[c] !== -1) continue;
        stack.push(c);
        while (stack.length > 0) {
          const x = stack.pop()!;
          newId[x] = nid++;
          for (let y = childHead[x]!; y !== -1; y = childNext[y]!) stack.push(y);
        }
      }
    }
    const oldOf = new Int32Array(states);
    for (let o = 0; o < states; o++) oldOf[newId[o]!] = o;
    const bfs = new Int32Array(states);
    for (let k = 0; k < states; k++) bfs[k] = newId[order[k]!]!;

    // CSR children in new numbering.
    const childStart = new Int32Array(states + 1);
    const childClass = new Uint8Array(Math.max(0, states - 1));
    const childTarget = new Int32Array(Math.max(0, states - 1));
    let k = 0;
    for (let s = 0; s < states; s++) {
      childStart[s] = k;
      for (let c = childHead[oldOf[s]!]!; c !== -1; c = childNext[c]!) {
        childClass[k] = childCls[c]!;
        childTarget[k] = newId[c]!;
        k++;
      }
    }
    childStart[states] = k;
    this.childStart = childStart;
    this.childClass = childClass;
    this.childTarget = childTarget;
    // Fast path for chain states: the raw byte leading to their only child (which is `s + 1`).
    const chainByte = new Int16Array(states).fill(-1);
    for (let s = denseCount; s < states; s++) {
      if (childStart[s + 1]! - childStart[s]! === 1 && childTarget[childStart[s]!] === s + 1)
        chainByte[s] = childRaw[oldOf[s + 1]!]!;
    }
    this.chainByte = chainByte;

    const outPattern = new Int32Array(states);
    for (let s = 0; s < states; s++) outPattern[s] = endOf[oldOf[s]!]!;
    this.outPattern = outPattern;

    // Failure links, dictionary links and dense rows, in BFS order (a state's fail has smaller depth,
    // so it is always finished first).
    const fail = new Int32Array(states);
    const dictLink = new Int32Array(states).fill(-1);
    const hasOutput = new Uint8Array(states);
    const dense = new Int32Array(denseCount * classCount);
    const child = (s: number, c: number): number => {
      for (let j = childStart[s]!; j < childStart[s + 1]!; j++) if (childClass[j] === c) return childTarget[j]!;
      return -1;
    };
    // Transition for a finished state: dense row, or sparse walk down failure links.
    const step = (s: number, c: number): number => {
      for (;;) {
        if (s < denseCount) return dense[s * classCount + c]!;
        const t = child(s, c);
        if (t !== -1) return t;
        s = fail[s]!;
      }
    };
    for (let q = 0; q < states; q++) {
      const s = bfs[q]!;
      // Children's failure links.
      for (let j = childStart[s]!; j < childStart[s + 1]!; j++) {
        const t = childTarget[j]!;
        fail[t] = s === 0 ? 0 : step(fail[s]!, childClass[j]!);
      }
      if (s !== 0) {
        const f = fail[s]!;
        dictLink[s] = outPattern[f] !== -1 ? f : dictLink[f]!;
      }
      hasOutput[s] = outPattern[s] !== -1 || dictLink[s] !== -1 ? 1 : 0;
      if (s < denseCount) {
        const row = s * classCount;
        for (let c = 0; c < classCount; c++) {
          const t = child(s, c);
          dense[row + c] = t !== -1 ? t : s === 0 ? 0 : dense[fail[s]! * classCount + c]!;
        }
      }
    }
    const start2 = new Uint8Array(65536);
    for (const b of bytes) {
      if (b.length >= 2) start2[(b[0]! << 8) | b[1]!] = 1;
      else start2.fill(1, b[0]! << 8, (b[0]! + 1) << 8);
    }
    this.start2 = start2;
    this.fail = fail;
    this.dictLink = dictLink;
    this.hasOutput = hasOutput;
    this.dense = dense;
  }

  /** Calls `onMatch` for every occurrence of every pattern, in order of end offset. */
  scan(input: string | Uint8Array, onMatch: AcMatchHandler): void {
    const buf = toBytes(input);
    const {
      byteClass,
      dense,
      denseCount,
      classCount,
      chainByte,
      childStart,
      childClass,
      childTarget,
      fail,
      hasOutput,
      start2,
    } = this;
    let s = 0;
    const n = buf.length;
    next: for (let i = 0; i < n; i++) {
      // At the root, a byte where no pattern starts leaves the automaton at the root: skip such
      // bytes with one load per byte pair (most of a response's bytes start no fingerprint).
      if (s === 0) {
        while (i + 1 < n && start2[(buf[i]! << 8) | buf[i + 1]!] === 0) i++;
      }
      const b = buf[i]!;
      if (s >= denseCount) {
        // Inside a chain (the tail of one value): one compare per byte.
        if (chainByte[s] === b) {
          s++;
          if (hasOutput[s] === 1 && this.emit(s, i + 1, onMatch) === false) return;
          continue;
        }
        const c = byteClass[b]!;
        do {
          const end = childStart[s + 1]!;
          for (let j = childStart[s]!; j < end; j++) {
            if (childClass[j] === c) {
              s = childTarget[j]!;
              if (hasOutput[s] === 1 && this.emit(s, i + 1, onMatch) === false) return;
              continue next;
            }
          }
          s = fail[s]!;
        } while (s >= denseCount);
      }
      s = dense[s * classCount + byteClass[b]!]!;
      if (hasOutput[s] === 1 && this.emit(s, i + 1, onMatch) === false) return;
    }
  }

  /** All occurrences, as objects. */
  findAll(input: string | Uint8Array): AcMatch[] {
    const out: AcMatch[] = [];
    this.scan(input, (pattern, start, end) => {
      out.push({ pattern, start, end });
    });
    return out;
  }

  /** True as soon as any pattern occurs. */
  test(input: string | Uint8Array): boolean {
    let hit = false;
    this.scan(input, () => {
      hit = true;
      return false;
    });
    return hit;
  }

  /** Approximate heap size of the tables, in bytes. */
  get tableBytes(): number {
    return (
      this.dense.byteLength +
      this.childStart.byteLength +
      this.childClass.byteLength +
      this.childTarget.byteLength +
      this.chainByte.byteLength +
      this.start2.byteLength +
      this.fail.byteLength +
      this.outPattern.byteLength +
      this.dictLink.byteLength +
      this.hasOutput.byteLength
    );
  }

  private emit(state: number, end: number, onMatch: AcMatchHandler): boolean {
    for (let s = state; s !== -1; s = this.dictLink[s]!) {
      for (let p = this.outPattern[s]!; p !== -1; p = this.samePattern[p]!) {
        if (onMatch(p, end - this.patternLength[p]!, end) === false) return false;
      }
    }
    return true;
  }
}
