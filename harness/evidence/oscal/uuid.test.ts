import { describe, expect, it } from 'vitest';
import { runUuids, URL_NAMESPACE, uuidV5 } from './uuid.ts';
import { TENANTPROOF_UUID_NAMESPACE } from './vocabulary.ts';

const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
/** OSCAL 1.1.2's UUID datatype: version 4 or 5, RFC 4122 variant. */
const OSCAL_UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$/;

describe('uuidV5 (RFC 4122 §4.3)', () => {
  it('gives the published values (Python uuid.uuid5 agrees)', () => {
    expect(uuidV5(DNS_NAMESPACE, 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(uuidV5(URL_NAMESPACE, 'https://tenantproof.dev/ns/oscal')).toBe('13191a84-0dc8-5332-ad05-481b28eaeb45');
    expect(uuidV5(URL_NAMESPACE, 'héllo')).toBe('102d6fae-a0b0-5a7a-b980-5e8cfb1690db'); // UTF-8 name
    expect(TENANTPROOF_UUID_NAMESPACE).toBe('13191a84-0dc8-5332-ad05-481b28eaeb45');
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('not-a-uuid', 'x')).toThrow(/not a UUID/);
  });
});

describe('runUuids', () => {
  it('is stable per run and element, differs across runs and elements, and is always an OSCAL UUID', () => {
    const a = runUuids(TENANTPROOF_UUID_NAMESPACE, 'run-a');
    const again = runUuids(TENANTPROOF_UUID_NAMESPACE, 'run-a');
    const b = runUuids(TENANTPROOF_UUID_NAMESPACE, 'run-b');
    expect(a('finding/F1')).toBe(again('finding/F1'));
    expect(a('finding/F1')).not.toBe(a('finding/F2'));
    expect(a('finding/F1')).not.toBe(b('finding/F1'));
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const u = a(`observation/${i}`);
      expect(u).toMatch(OSCAL_UUID);
      seen.add(u);
    }
    expect(seen.size).toBe(500);
  });
});
