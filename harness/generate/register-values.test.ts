/** Fingerprint registration of generated values and of server-issued ids. */
import { describe, expect, it } from 'vitest';
import {
  FingerprintRegistry,
  findGeneratedValues,
  registerGeneratedValues,
  registerServerIds,
  registerTenantSecrets,
} from './index.ts';

describe('registerServerIds', () => {
  it('registers id-like fields anywhere in a response, with their paths', () => {
    const registry = new FingerprintRegistry();
    const response = {
      id: 'c0ffee00-1111-4222-8333-444455556666',
      customer: { id: 'cus_ABCDEFGH12', name: 'Dana' },
      lineItems: [{ productId: 'prod_1234567890' }],
      slug: 'short',
      total: 12,
    };
    const result = registerServerIds(registry, 'T1', response, { source: 'createQuote' });
    expect(result.registered.map((f) => [f.value, f.kind, f.source])).toEqual([
      ['c0ffee00-1111-4222-8333-444455556666', 'id', 'createQuote/id'],
      ['cus_ABCDEFGH12', 'id', 'createQuote/customer/id'],
      ['prod_1234567890', 'id', 'createQuote/lineItems/0/productId'],
    ]);
    expect(registry.ownerOf('Dana')).toBeUndefined();
  });

  it('honours extra id fields and reports, not steals, a value another tenant owns', () => {
    const registry = new FingerprintRegistry();
    registerServerIds(registry, 'T2', { id: 'victim-record-0001' }, { source: 'T2.create' });
    const result = registerServerIds(
      registry,
      'T1',
      { id: 'own-record-00001', parentRef: 'victim-record-0001' },
      { source: 'T1.create', idFields: ['parentRef'] },
    );
    expect(result.registered.map((f) => f.value)).toEqual(['own-record-00001']);
    expect(result.conflicts).toEqual([
      { value: 'victim-record-0001', owner: 'T2', claimedBy: 'T1', path: '/parentRef' },
    ]);
    expect(registry.ownerOf('victim-record-0001')).toBe('T2');
  });
});

describe('findGeneratedValues', () => {
  it('finds canaries, canary-bearing emails and URIs, and UUIDs', () => {
    const found = findGeneratedValues({
      name: 'tpT1abcdefghij alpha',
      email: 'tpt1abcdefghij.3@t1.example',
      site: 'https://t1.example/tpT1abcdefghij/2',
      ref: '0b6c1c3e-5d7a-4e2b-9f10-123456789abc',
      note: 'plain words',
    });
    expect(found.map((f) => [f.kind, f.value])).toEqual([
      ['canary', 'tpT1abcdefghij'],
      ['generated', 'tpt1abcdefghij.3@t1.example'],
      ['canary', 'tpT1abcdefghij'],
      ['generated', 'https://t1.example/tpT1abcdefghij/2'],
      ['generated', '0b6c1c3e-5d7a-4e2b-9f10-123456789abc'],
    ]);
    const registry = new FingerprintRegistry();
    expect(registerGeneratedValues(registry, 'T1', { name: 'tpT1abcdefghij' }, 'x').registered).toHaveLength(1);
  });
});

describe('registerTenantSecrets', () => {
  it('registers header values and bare tokens as token fingerprints of their tenant', () => {
    const registry = new FingerprintRegistry();
    const r = registerTenantSecrets(registry, [
      { label: 'T1', secrets: ['Bearer tpk_one_1234567890'] },
      { label: 'T2', secrets: ['Bearer tpk_two_1234567890'] },
    ]);
    expect(r.conflicts).toEqual([]);
    expect(registry.get('tpk_one_1234567890')).toMatchObject({ owner: 'T1', kind: 'token' });
    expect(registry.ownerOf('Bearer tpk_two_1234567890')).toBe('T2');
  });
});
