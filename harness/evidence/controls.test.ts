import { describe, expect, it } from 'vitest';
import { verdictWithReason } from './controls.ts';

const passed = { outcome: 'passed', oracles: [] };
const judged = [{ oracle: 'foreign-data' as const, count: 40 }];
const facts = (o: Partial<Parameters<typeof verdictWithReason>[0]> = {}): Parameters<typeof verdictWithReason>[0] => ({
  findings: [],
  coverage: judged,
  negativeControl: passed,
  ...o,
});

describe('the verdict (controls.ts verdictWithReason)', () => {
  it('is LEAK for one confirmed finding among unconfirmed ones, whatever else went wrong', () => {
    for (const confirmation of ['self-proving', 'replay', undefined]) {
      const v = verdictWithReason(
        facts({
          findings: [
            { oracle: 'model', confirmation: 'unconfirmed' },
            { oracle: 'foreign-data', confirmation },
          ],
          negativeControl: { outcome: 'failed', oracles: [] },
          coverageGate: { ratio: 0.1, minimum: 0.8, detail: 'x' },
        }),
      );
      expect(v).toEqual({ verdict: 'leak' });
    }
  });

  it('is INCONCLUSIVE, saying why, for unconfirmed findings alone', () => {
    const v = verdictWithReason(facts({ findings: [{ oracle: 'existence', confirmation: 'unconfirmed' }] }));
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toMatch(/^1 unconfirmed finding\(s\): none proves itself/);
  });

  it('is INCONCLUSIVE when most answers were throttled, or coverage is below the gate', () => {
    const throttled = verdictWithReason(facts({ throttling: { answers: 9291, throttled: 9196 } }));
    expect(throttled.verdict).toBe('inconclusive');
    expect(throttled.reason).toContain('throttled 9196 of 9291 answers');
    expect(verdictWithReason(facts({ throttling: { answers: 100, throttled: 50 } }))).toEqual({ verdict: 'clean' });
    const thin = verdictWithReason(facts({ coverageGate: { ratio: 3 / 12, minimum: 0.8, detail: 'not probed: …' } }));
    expect(thin).toEqual({
      verdict: 'inconclusive',
      reason: 'coverage 25% is below --min-coverage 80%: not probed: …',
    });
  });

  it('is INCONCLUSIVE when the negative control did not pass or nothing was judged', () => {
    expect(verdictWithReason(facts({ negativeControl: { outcome: 'failed', oracles: [] } })).verdict).toBe(
      'inconclusive',
    );
    expect(verdictWithReason(facts({ coverage: [{ oracle: 'model', count: 0 }] })).reason).toBe(
      'no oracle judged anything',
    );
  });

  it('is CLEAN at or above the gate', () => {
    expect(verdictWithReason(facts({ coverageGate: { ratio: 0.8, minimum: 0.8, detail: '' } }))).toEqual({
      verdict: 'clean',
    });
  });
});
