/**
 * No secret survives redaction in any encoding a server might echo it in. The checks decode the
 * redacted text independently of how the redactor finds the forms: every base64 run (either
 * alphabet, every alignment), every percent-escape, every hex run (both nibble alignments) and every
 * JSON escape is decoded, and the secret must not appear in any of the results.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Redactor } from './redact.ts';

/** Every way to read `text` back: itself, and its base64, percent, hex and JSON-escape decodings. */
function readings(text: string): string[] {
  const out = [text];
  for (const run of text.match(/[A-Za-z0-9+/_-]{4,}={0,2}/g) ?? []) {
    const std = run.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
    for (let skip = 0; skip < 4; skip++) out.push(Buffer.from(std.slice(skip), 'base64').toString('latin1'));
  }
  out.push(
    text.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))).replace(/\+/g, ' '),
  );
  for (const run of text.match(/[0-9a-fA-F]{12,}/g) ?? [])
    for (const skip of [0, 1])
      out.push(Buffer.from(run.slice(skip).replace(/^((?:..)*).?$/, '$1'), 'hex').toString('latin1'));
  out.push(text.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
  // JSON escapes, one level and two (a JSON string inside a JSON string).
  const unescape = (t: string) => t.replace(/\\\\/g, '\\').replace(/\\"/g, '"');
  out.push(unescape(text), unescape(unescape(text)));
  return out;
}

/** The secret as the decodings above give it back (bytes read as latin1). */
const asDecoded = (secret: string) => Buffer.from(secret, 'utf8').toString('latin1');

const ENCODINGS: Record<string, (secret: string, pad: string) => string> = {
  exact: (s) => s,
  base64: (s, pad) => Buffer.from(pad + s + pad).toString('base64'),
  'base64 url-safe, unpadded': (s, pad) => Buffer.from(pad + s).toString('base64url'),
  'JWT segment': (s, pad) =>
    `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: pad, apiKey: s })).toString('base64url')}.c2ln`,
  'Basic credential': (s, pad) => `Basic ${Buffer.from(`${pad}:${s}`).toString('base64')}`,
  percent: (s) => encodeURIComponent(s),
  'percent, every byte': (s) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''),
  hex: (s) => Buffer.from(s).toString('hex'),
  HEX: (s) => Buffer.from(s).toString('hex').toUpperCase(),
  'JSON-escaped': (s) => JSON.stringify(s).slice(1, -1),
  'JSON in JSON': (s) => JSON.stringify(JSON.stringify({ key: s })),
};

const secretArb = fc.string({
  unit: fc.constantFrom(...'abcdefXYZ0189_-.~:/+= "\\é'.split('')),
  minLength: 8,
  maxLength: 40,
});

describe('redaction in every encoding', () => {
  it.each(Object.keys(ENCODINGS))('leaves no trace of a secret echoed %s (property)', (name) => {
    const encode = ENCODINGS[name]!;
    fc.assert(
      fc.property(secretArb, fc.string({ maxLength: 5 }), fc.string({ maxLength: 20 }), (secret, pad, around) => {
        const r = new Redactor({ secrets: [secret] });
        const text = `${around}${encode(secret, pad)}${around}`;
        const redacted = r.redactString(text);
        for (const reading of readings(redacted)) expect(reading).not.toContain(asDecoded(secret));
      }),
      { seed: 1313, numRuns: 150 },
    );
  });

  it('tags every form with the tag of the secret itself, and leaves other text alone', () => {
    const r = new Redactor({ secrets: ['sk_live_abcdef123456'] });
    const tag = r.tag('sk_live_abcdef123456');
    expect(r.redactString(`x-echo: ${Buffer.from('sk_live_abcdef123456').toString('base64')}`)).toBe(`x-echo: ${tag}`);
    expect(r.redactString('nothing secret here: c2tfbGl2ZQ and 736b')).toBe('nothing secret here: c2tfbGl2ZQ and 736b');
  });

  it('learns a secret from a header and then finds it encoded in a body', () => {
    const r = new Redactor();
    r.redactHeader('authorization', 'Bearer tok_9f8e7d6c5b4a');
    const body = `{"echo":"${encodeURIComponent('tok_9f8e7d6c5b4a')}","b64":"${Buffer.from('tok_9f8e7d6c5b4a').toString('base64url')}"}`;
    expect(r.redactString(body)).not.toMatch(/tok_9f8e7d6c5b4a|dG9rXzlmOGU3ZDZjNWI0YQ/);
  });
});
