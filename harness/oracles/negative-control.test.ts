import { describe, expect, it } from 'vitest';
import { FingerprintRegistry } from '../generate/fingerprints.ts';
import { plantForeignValue, runNegativeControl } from './negative-control.ts';
import { FingerprintScanner } from './scan/fingerprint-scanner.ts';
import { ex, ID_A1, ID_B1 } from './oracle-fixtures.test-support.ts';

function setup() {
  const reg = new FingerprintRegistry();
  reg.register(ID_A1, 'T1', 'id', 's');
  reg.register(ID_B1, 'T2', 'id', 's');
  return { reg, scanner: new FingerprintScanner(reg), ownerOf: (v: string) => reg.ownerOf(v) };
}

describe('negative control', () => {
  it('plants into JSON objects, arrays and text', () => {
    expect(plantForeignValue(ex({ body: { a: 1 } }), 'V').response!.json).toEqual({
      a: 1,
      tenantproofNegativeControl: 'V',
    });
    expect(plantForeignValue(ex({ body: [1] }), 'V').response!.bodyText).toBe('[1,"V"]');
    expect(plantForeignValue(ex({ bodyText: 'plain' }), 'V').response!.bodyText).toBe('plainV');
  });

  it('passes when foreign-data, model and existence all fire on the planted value', () => {
    const { scanner, ownerOf } = setup();
    const carrier = ex({ op: 'listCustomers', body: { data: [{ id: ID_A1 }] } });
    const r = runNegativeControl({ scanner, ownerOf, carrier, planted: { value: ID_B1, owner: 'T2' } });
    expect(r.outcome).toBe('passed');
    expect(r.oracles.map((o) => [o.oracle, o.fired])).toEqual([
      ['foreign-data', true],
      ['model', true],
      ['existence', true],
    ]);
    // The carrier itself is untouched.
    expect(carrier.response!.bodyText).not.toContain(ID_B1);
  });

  it('fails when an oracle is blind (a scanner over an empty registry sees nothing)', () => {
    const { ownerOf } = setup();
    const blind = new FingerprintScanner(new FingerprintRegistry());
    const r = runNegativeControl({
      scanner: blind,
      ownerOf,
      carrier: ex({ body: { data: [] } }),
      planted: { value: ID_B1, owner: 'T2' },
    });
    expect(r.outcome).toBe('failed');
    expect(r.oracles.find((o) => o.oracle === 'foreign-data')).toMatchObject({ fired: false, outcome: 'failed' });
  });

  it('refuses a planted value the registry does not attribute to another tenant', () => {
    const { scanner, ownerOf } = setup();
    expect(
      runNegativeControl({ scanner, ownerOf, carrier: ex({ body: {} }), planted: { value: ID_A1, owner: 'T1' } })
        .outcome,
    ).toBe('failed');
  });
});
