import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactHeaders, redactText } from './redact-secrets.ts';
import { REDACTED } from './tenant-credentials.ts';

/** Each secret replaced in turn, as redactText promises. */
const inTurn = (text: string, secrets: readonly string[]): string =>
  secrets.reduce((out, s) => (out.includes(s) ? out.split(s).join(REDACTED) : out), text);

describe('redactText', () => {
  it('replaces each secret in turn, as a loop over them would (property)', () => {
    const unit = fc.constantFrom('a', 'b', '.', '*', '(', '\\');
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit, minLength: 4, maxLength: 8 }), { maxLength: 10 }),
        fc.string({ unit, maxLength: 80 }),
        (secrets, text) => {
          const ordered = [...secrets].sort((a, b) => b.length - a.length);
          expect(redactText(text, ordered)).toBe(inTurn(text, ordered));
        },
      ),
      { seed: 515, numRuns: 300 },
    );
  });

  it('sees a secret added to the same list later', () => {
    const secrets = ['alpha_secret'];
    expect(redactText('beta_secret', secrets)).toBe('beta_secret');
    secrets.push('beta_secret');
    expect(redactText('beta_secret', secrets)).toBe(REDACTED);
    secrets[0] = 'gamma_secret';
    expect(redactText('gamma_secret', secrets)).toBe(REDACTED);
  });

  it('redacts secret headers whole and others by their secrets', () => {
    expect(redactHeaders({ Authorization: 'Bearer x', 'x-echo': 'k=tok_1234' }, ['tok_1234'])).toEqual({
      Authorization: REDACTED,
      'x-echo': `k=${REDACTED}`,
    });
  });
});
