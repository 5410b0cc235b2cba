import { describe, expect, it } from 'vitest';
import { renderJunit } from './junit.ts';
import { sampleEvidence } from './evidence-fixtures.test-support.ts';
import { findAll, parseXml } from './xml-check.test-support.ts';

describe('junit.xml', () => {
  it('parses back, one testcase per operation x oracle, with failures, skips, seed and control properties', () => {
    const e = sampleEvidence();
    const xml = renderJunit(e);
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    const suites = findAll(root, 'testsuite');
    expect(suites).toHaveLength(7);
    const cases = findAll(root, 'testcase');
    expect(cases).toHaveLength(7 * 3); // 3 operations in scope x 7 oracles
    expect(root.attrs['tests']).toBe('21');
    const failing = cases.filter((c) => c.children.some((x) => x.name === 'failure'));
    expect(failing.map((c) => c.attrs['name'])).toEqual(['getCustomer x cross-tenant-access']);
    const failure = failing[0]!.children.find((x) => x.name === 'failure')!;
    // Escaping round-trips: the summary had <&> and quotes.
    expect(failure.attrs['message']).toContain('<&> "quoted"');
    expect(failure.text).toContain('1. T2 POST /v1/customers {"name":"x"}');
    expect(root.attrs['failures']).toBe('1');
    const suiteProps = findAll(suites[0]!, 'properties')[0]!.children.map((p) => [p.attrs['name'], p.attrs['value']]);
    expect(suiteProps).toContainEqual(['seed', '1']);
    const caseProps = findAll(failing[0]!, 'property').map((p) => p.attrs['value']);
    expect(caseProps).toContain('OWASP ASVS 5.0 V8.2.2');
    expect(caseProps).toContain('NIST SP 800-53 Rev. 5 AC-3');
    const skipped = cases.filter((c) => c.children.some((x) => x.name === 'skipped'));
    expect(skipped.length).toBe(21 - 1 - 3); // 4 judged cells, one of them failing
  });

  it('numbers references to earlier steps as it numbers the steps (from 1)', () => {
    const e = sampleEvidence();
    e.findings[0]!.repro.steps[1]!.path = '/v1/customers/{step0.id}';
    const failure = findAll(parseXml(renderJunit(e)), 'failure')[0]!;
    expect(failure.text).toContain('2. T1 GET /v1/customers/{id from step 1}');
    expect(failure.text).not.toContain('step0');
  });

  it('escapes control characters and markup in operation ids and summaries', () => {
    const e = sampleEvidence();
    e.findings[0]!.summary = 'bad \u0000\u0007 bytes ]]> </failure><x a="1">';
    e.findings[0]!.operationId = 'op<&"\'>';
    expect(() => parseXml(renderJunit(e))).not.toThrow();
  });

  it('the checker itself rejects malformed XML', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow();
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow();
    expect(() => parseXml('<a>&nope;</a>')).toThrow();
    expect(() => parseXml('<a/><b/>')).toThrow();
  });
});
