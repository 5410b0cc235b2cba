import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FingerprintRegistry } from '../../generate/fingerprints.ts';
import { FingerprintScanner } from './fingerprint-scanner.ts';

const SEED = 7_2026;

describe('FingerprintScanner', () => {
  it('finds every registered value with its owner and byte offset', () => {
    const reg = new FingerprintRegistry();
    const a = randomUUID();
    const b = 'tpT2canary0001';
    reg.register(a, 'T1', 'id', 'createCustomer.response.id');
    reg.register(b, 'T2', 'canary', 'createCustomer.body.name');
    const scanner = new FingerprintScanner(reg);
    const text = `{"id":"${a}","name":"x ${b}"}`;
    const ms = scanner.scan(text);
    expect(ms.map((m) => [m.value, m.owner, m.offset])).toEqual([
      [a, 'T1', text.indexOf(a)],
      [b, 'T2', text.indexOf(b)],
    ]);
    expect(scanner.scanForeign(text, 'T1').map((m) => m.value)).toEqual([b]);
    expect(scanner.scanForeign(text, 'T2').map((m) => m.value)).toEqual([a]);
    expect(scanner.scanForeign(text, 'T9').length).toBe(2);
  });

  it('rebuilds lazily when the registry grows, and merges recent values', () => {
    const reg = new FingerprintRegistry();
    const scanner = new FingerprintScanner(reg, { minMerge: 4, mergeRatio: 1, tinyMax: 2 });
    const ids = Array.from({ length: 20 }, () => randomUUID());
    reg.register(ids[0]!, 'T1', 'id', 's');
    expect(scanner.scan(ids.join(' ')).length).toBe(1);
    const builds = scanner.rebuilds;
    expect(scanner.scan(ids.join(' ')).length).toBe(1);
    expect(scanner.rebuilds).toBe(builds); // no change, no rebuild
    for (let i = 1; i < ids.length; i++) {
      reg.register(ids[i]!, i % 2 ? 'T2' : 'T1', 'id', 's');
      const ms = scanner.scan(ids.join(' '));
      expect(ms.map((m) => m.value)).toEqual(ids.slice(0, i + 1));
    }
  });

  it('finds recent values that share their first bytes, overlap, or hold non-ASCII text (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: fc.constantFrom('a', 'b', 'é'), minLength: 8, maxLength: 12 }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (values, plants) => {
          const reg = new FingerprintRegistry();
          const scanner = new FingerprintScanner(reg, { tinyMax: 1000 });
          values.forEach((v, i) => reg.register(v, i % 2 ? 'T2' : 'T3', 'generated', 'prop'));
          const text = plants.map((p) => values[p % values.length]!.slice(p % 3)).join('a');
          const got = scanner.scanForeign(text, 'T2').map((m) => `${m.value}@${m.offset}`);
          const buf = Buffer.from(text);
          const want: string[] = [];
          for (const f of reg.entries()) {
            if (f.owner === 'T2') continue;
            const b = Buffer.from(f.value);
            for (let i = buf.indexOf(b); i !== -1; i = buf.indexOf(b, i + 1)) want.push(`${f.value}@${i}`);
          }
          expect(scanner.rebuilds).toBe(0);
          expect(got.sort()).toEqual(want.sort());
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('agrees with naive search as values are registered between scans (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.stringMatching(/^[a-f0-9-]{8,14}$/), fc.constantFrom('T1', 'T2', 'T3')), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (values, plants) => {
          const reg = new FingerprintRegistry();
          const scanner = new FingerprintScanner(reg, { minMerge: 3, mergeRatio: 4, tinyMax: 2 });
          for (let step = 0; step < values.length; step++) {
            const [v, owner] = values[step]!;
            try {
              reg.register(v, owner, 'generated', 'prop');
            } catch {
              // The same value drawn for two owners: the registry refuses it, as designed.
            }
            const text = plants.map((p) => values[p % values.length]![0]).join('|');
            const got = scanner
              .scanForeign(text, 'T1')
              .map((m) => `${m.value}@${m.offset}`)
              .sort();
            const want: string[] = [];
            const buf = Buffer.from(text);
            for (const f of reg.entries()) {
              if (f.owner === 'T1') continue;
              for (let i = buf.indexOf(f.value); i !== -1; i = buf.indexOf(f.value, i + 1))
                want.push(`${f.value}@${i}`);
            }
            expect(got).toEqual(want.sort());
          }
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });
});

describe('FingerprintScanner refresh', () => {
  /** A registry that counts reads by index and refuses to be copied whole. */
  class CountingRegistry extends FingerprintRegistry {
    reads = 0;
    override at(index: number) {
      this.reads++;
      return super.at(index);
    }
    override entries(): IterableIterator<never> {
      throw new Error('the scanner copied the registry');
    }
  }

  it('reads only what was registered since the last scan, and finds it', () => {
    const reg = new CountingRegistry();
    const ids = Array.from({ length: 520 }, () => randomUUID());
    for (const id of ids.slice(0, 500)) reg.register(id, 'T2', 'id', 's');
    const scanner = new FingerprintScanner(reg, { tinyMax: 32 });
    expect(scanner.scanForeign(ids[499]!, 'T1').map((m) => m.value)).toEqual([ids[499]]);
    const afterBuild = reg.reads;
    for (let i = 500; i < 520; i++) {
      reg.register(ids[i]!, 'T2', 'id', 's');
      expect(scanner.scanForeign(`${ids[i]} ${ids[3]}`, 'T1').map((m) => m.value)).toEqual([ids[i], ids[3]]);
    }
    // One read per newcomer, and one per match of the main tier (looked up by index).
    expect(reg.reads - afterBuild).toBe(20 + 20);
  });
});
