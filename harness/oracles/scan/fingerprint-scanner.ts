/**
 * Scans bytes for every fingerprint in a FingerprintRegistry at once.
 *
 * The registry grows during a campaign (every create registers new ids), and rebuilding a large
 * automaton after each registration would dominate the run. So the scanner keeps three tiers, like
 * a log-structured index, all rebuilt lazily when `registry.version` changes:
 * - `main`: an automaton over the first fingerprints, rebuilt only when `mid` outgrows a fraction
 *   of it (so its cost is amortised over many registrations);
 * - `mid`: an automaton over those registered since, rebuilt when `tiny` overflows;
 * - `tiny`: the last few (at most `tinyMax`) values, searched with native `Buffer.indexOf`, so a
 *   registration costs no automaton build at all.
 */
import type { Fingerprint, FingerprintKind, FingerprintRegistry } from '../../generate/fingerprints.ts';
import type { TenantLabel } from '../../model/exchange.ts';
import { AhoCorasick, toBytes } from './aho-corasick.ts';

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
  fingerprints: Fingerprint[];
  /** Owner of each pattern as a small integer, so foreign filtering allocates nothing. */
  ownerIndex: Int32Array;
}

export interface FingerprintScannerOptions {
  /** Merge `mid` into `main` when it exceeds max(minMerge, main/mergeRatio). Defaults 256 and 16. */
  minMerge?: number;
  mergeRatio?: number;
  /** Fold `tiny` into `mid` when it exceeds this many values (default 32). */
  tinyMax?: number;
}

export class FingerprintScanner {
  private main: Segment | undefined;
  private mid: Segment | undefined;
  private tiny: Array<{ f: Fingerprint; bytes: Buffer; owner: number }> = [];
  private mainCount = 0;
  private midCount = 0;
  private builtVersion = -1;
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
    this.tinyMax = options.tinyMax ?? 32;
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
    if (this.registry.version === this.builtVersion) return;
    const all = [...this.registry.entries()];
    for (const f of all.slice(this.mainCount + this.midCount + this.tiny.length)) this.ownerOf(f.owner);
    const rest = all.length - this.mainCount - this.midCount;
    if (!this.main) {
      this.main = this.build(all);
      this.mainCount = all.length;
      this.mid = undefined;
      this.midCount = 0;
      this.tiny = [];
    } else if (rest > this.tinyMax) {
      const sinceMain = all.length - this.mainCount;
      if (sinceMain > Math.max(this.minMerge, this.mainCount / this.mergeRatio)) {
        this.main = this.build(all);
        this.mainCount = all.length;
        this.mid = undefined;
        this.midCount = 0;
      } else {
        this.mid = this.build(all.slice(this.mainCount));
        this.midCount = sinceMain;
      }
      this.tiny = [];
    } else {
      this.tiny = all
        .slice(this.mainCount + this.midCount)
        .map((f) => ({ f, bytes: Buffer.from(f.value, 'utf8'), owner: this.ownerOf(f.owner) }));
    }
    this.builtVersion = this.registry.version;
  }

  private ownerOf(owner: TenantLabel): number {
    let o = this.owners.get(owner);
    if (o === undefined) {
      o = this.owners.size;
      this.owners.set(owner, o);
    }
    return o;
  }

  private build(fingerprints: Fingerprint[]): Segment {
    this.rebuilds++;
    const ownerIndex = Int32Array.from(fingerprints, (f) => this.ownerOf(f.owner));
    const automaton = new AhoCorasick(fingerprints.map((f) => f.value));
    return { automaton, fingerprints, ownerIndex };
  }

  private collect(buf: Uint8Array, skipOwner: number): FingerprintMatch[] {
    const out: FingerprintMatch[] = [];
    for (const seg of [this.main, this.mid]) {
      if (!seg || seg.fingerprints.length === 0) continue;
      const { fingerprints, ownerIndex } = seg;
      seg.automaton.scan(buf, (p, start, end) => {
        if (ownerIndex[p] === skipOwner) return;
        const f = fingerprints[p]!;
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
    if (this.tiny.length > 0) {
      const hay = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
      for (const t of this.tiny) {
        if (t.owner === skipOwner) continue;
        for (let i = hay.indexOf(t.bytes); i !== -1; i = hay.indexOf(t.bytes, i + 1)) {
          out.push({
            offset: i,
            length: t.bytes.length,
            value: t.f.value,
            owner: t.f.owner,
            kind: t.f.kind,
            source: t.f.source,
          });
        }
      }
    }
    if (this.mid || this.tiny.length > 0)
      out.sort((a, b) => a.offset + a.length - (b.offset + b.length) || a.offset - b.offset);
    return out;
  }
}
