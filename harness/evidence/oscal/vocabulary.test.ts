import { describe, expect, it } from 'vitest';
import { objectiveIdOf, oscalControlId, pathHref, prop, tokenOf, TENANTPROOF_NS } from './vocabulary.ts';

/** OSCAL's token datatype (XML NCName). */
const TOKEN = /^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$/u;

describe('OSCAL vocabulary', () => {
  it('writes NIST SP 800-53 ids in the catalog form', () => {
    expect(oscalControlId('AC-3')).toBe('ac-3');
    expect(oscalControlId('SC-4')).toBe('sc-4');
    expect(oscalControlId('AC-2(4)')).toBe('ac-2.4');
    expect(objectiveIdOf('ac-4')).toBe('ac-4_obj');
  });

  it('makes tokens of framework names', () => {
    const cases: Array<[string, string]> = [
      ['SOC 2', 'soc-2'],
      ['ISO/IEC 27001:2022', 'iso-iec-27001-2022'],
      ['OWASP ASVS 5.0', 'owasp-asvs-5.0'],
      ['NIST SP 800-53 Rev. 5', 'nist-sp-800-53-rev-5'],
      ['2023 list', '_2023-list'],
      ['', '_'],
    ];
    for (const [text, token] of cases) {
      expect(tokenOf(text)).toBe(token);
      expect(token).toMatch(TOKEN);
    }
  });

  it('keeps prop values within the string datatype, in tenantproof namespace', () => {
    expect(prop('oracle', '  foreign-data \n')).toEqual({ name: 'oracle', ns: TENANTPROOF_NS, value: 'foreign-data' });
    expect(prop('reason', '   ').value).toBe('none');
    expect(prop('partial', false).value).toBe('false');
  });

  it('percent-encodes path segments, not the slashes', () => {
    expect(pathHref('shards/run 1/transcript.ndjson')).toBe('shards/run%201/transcript.ndjson');
  });
});
