import { describe, expect, it } from 'vitest';
import { epochSeed, laneSeed, underCovered } from './search.ts';

describe('the adaptive mix', () => {
  it('weighs more the operations sent under a quarter of the mean, never sent ones included', () => {
    const sent = new Map([
      ['listCustomers', 40],
      ['getCustomer', 36],
      ['search', 2],
    ]);
    // mean (40 + 36 + 2 + 0) / 4 = 19.5; a quarter is 4.875
    expect(underCovered(sent, ['listCustomers', 'getCustomer', 'search', 'exportRecords'])).toEqual(
      new Set(['search', 'exportRecords']),
    );
  });

  it('changes nothing before anything was sent, or when the mix is even', () => {
    expect(underCovered(new Map(), ['a', 'b'])).toEqual(new Set());
    expect(
      underCovered(
        new Map([
          ['a', 10],
          ['b', 9],
        ]),
        ['a', 'b'],
      ),
    ).toEqual(new Set());
  });

  it('gives epoch 0 the lane seed, and every later epoch a seed of its own, the same on every machine', () => {
    expect(epochSeed(42, 0, 0)).toBe(42);
    expect(epochSeed(42, 3, 0)).toBe(laneSeed(42, 3));
    const seeds = new Set([0, 1, 2].flatMap((lane) => [0, 1, 2, 3].map((e) => epochSeed(42, lane, e))));
    expect(seeds.size).toBe(12);
    expect(epochSeed(42, 1, 2)).toBe(epochSeed(42, 1, 2));
  });
});
