/**
 * Scans bytes for every fingerprint in a FingerprintRegistry at once.
 *
 * The registry grows during a campaign (every create registers new ids), and rebuilding a large
 * automaton after each registration would dominate the run. So the scanner keeps three tiers, like
 * a log-structured index, brought up to date lazily when the registry has grown. The registry is
 * append-only, so the tiers cover consecutive ranges of its registration order and catching up
 * reads only what was registered since (`registry.at`), never a copy of the whole registry:
 * - `main`: an automaton over the first fingerprints, rebuilt only when `mid` outgrows a fraction
 *   of it (so its cost is amortised over many registrations);
 * - `mid`: an automaton over those registered since, rebuilt when `recent` overflows;
 * - `recent`: the last (at most `tinyMax`) values, found through a rolling hash of their first
 *   bytes (recent-fingerprints.ts), so a registration costs no automaton build at all, and a scan
 *   one pass whatever their number. A registry of up to `tinyMax` values never builds an automaton.
 */
import type { FingerprintKind, FingerprintRegistry } from '../../generate/fingerprints.ts';
import type { TenantLabel } from '../../model/exchange.ts';
import { AhoCorasick, toBytes } from './aho-corasick.ts';
import { RecentFingerprints } from './recent-fingerprints.ts';

export interface FingerprintMatch {
  /** Byte offset of the first byte of the value in the scanned input. */
  offset: number;
  /** Byte length of the value. */
  length: number;
  value: string;
  owner: TenantLabel;
  kind: FingerprintKind;
  source: string;
}

interface Segment {
  automaton: AhoCorasick;
  /** Registration index of the segment's first fingerprint: pattern `p` is `registry.at(start + p)`. */
  start: number;
  /** Owner of each pattern as a small integer, so foreign filtering allocates nothing. */
  ownerIndex: Int32Array;
}

export interface FingerprintScannerOptions {
  /** Merge `mid` into `main` when it exceeds max(minMerge, main/mergeRatio). Defaults 256 and 16. */
  minMerge?: number;
  mergeRatio?: number;
  /**
   * Fold the recent values into an automaton when they exceed this many (default 2048: the recent
   * tier scans about as fast as an automaton, and costs nothing to extend).
   */
  tinyMax?: number;
}

export class FingerprintScanner {
  private main: Segment | undefined;
  private mid: Segment | undefined;
  private recent = new RecentFingerprints();
  private mainCount = 0;
  private midCount = 0;
  /** Registry entries covered by the tiers (`mainCount + midCount + recent.size`). */
  private covered = 0;
  private readonly owners = new Map<TenantLabel, number>();
  private readonly minMerge: number;
  private readonly mergeRatio: number;
  private readonly tinyMax: number;
  /** Number of automaton builds so far (for benchmarks and tests). */
  rebuilds = 0;

  constructor(
    private readonly registry: FingerprintRegistry,
    options: FingerprintScannerOptions = {},
  ) {
    this.minMerge = options.minMerge ?? 256;
    this.mergeRatio = options.mergeRatio ?? 16;
    this.tinyMax = options.tinyMax ?? 2048;
  }

  /** All registered fingerprints occurring in `input`, ordered by end offset. */
  scan(input: string | Uint8Array): FingerprintMatch[] {
    this.refresh();
    return this.collect(toBytes(input), -1);
  }

  /** Only fingerprints owned by someone other than `tenant`. */
  scanForeign(input: string | Uint8Array, tenant: TenantLabel): FingerprintMatch[] {
    this.refresh();
    return this.collect(toBytes(input), this.owners.get(tenant) ?? -2);
  }

  /** Brings the tiers up to date with the registry; called by the scan methods. */
  refresh(): void {
    const size = this.registry.size;
    if (size === this.covered) return;
    if (this.recent.size + (size - this.covered) <= this.tinyMax) {
      // Only the newcomers: the recent tier grows by appending.
      for (let i = this.covered; i < size; i++) {
        const f = this.registry.at(i)!;
        this.recent.add({ f, bytes: Buffer.from(f.value, 'utf8'), owner: this.ownerOf(f.owner) });
      }
    } else {
      // Too many recent values: fold them (and any newcomers) into an automaton.
      const sinceMain = size - this.mainCount;
      if (!this.main || sinceMain > Math.max(this.minMerge, this.mainCount / this.mergeRatio)) {
        this.main = this.build(0, size);
        this.mainCount = size;
        this.mid = undefined;
        this.midCount = 0;
      } else {
        this.mid = this.build(this.mainCount, size);
        this.midCount = sinceMain;
      }
      this.recent = new RecentFingerprints();
    }
    this.covered = size;
  }

  private ownerOf(owner: TenantLabel): number {
    let o = this.owners.get(owner);
    if (o === undefined) {
      o = this.owners.size;
      this.owners.set(owner, o);
    }
    return o;
  }

  /** A segment over registry entries `start .. end - 1`. */
  private build(start: number, end: number): Segment {
    this.rebuilds++;
    const n = end - start;
    const ownerIndex = new Int32Array(n);
    const values = new Array<string>(n);
    for (let p = 0; p < n; p++) {
      const f = this.registry.at(start + p)!;
      ownerIndex[p] = this.ownerOf(f.owner);
      values[p] = f.value;
    }
    return { automaton: new AhoCorasick(values), start, ownerIndex };
  }

  private collect(buf: Uint8Array, skipOwner: number): FingerprintMatch[] {
    const out: FingerprintMatch[] = [];
    const registry = this.registry;
    for (const seg of [this.main, this.mid]) {
      if (!seg || seg.ownerIndex.length === 0) continue;
      const { ownerIndex, start: first } = seg;
      seg.automaton.scan(buf, (p, start, end) => {
        if (ownerIndex[p] === skipOwner) return;
        const f = registry.at(first + p)!;
        out.push({
          offset: start,
          length: end - start,
          value: f.value,
          owner: f.owner,
          kind: f.kind,
          source: f.source,
        });
      });
    }
    this.recent.scan(buf, skipOwner, (t, offset) => {
      out.push({
        offset,
        length: t.bytes.length,
        value: t.f.value,
        owner: t.f.owner,
        kind: t.f.kind,
        source: t.f.source,
      });
    });
    if (this.mid || this.recent.size > 0)
      out.sort((a, b) => a.offset + a.length - (b.offset + b.length) || a.offset - b.offset);
    return out;
  }
}
