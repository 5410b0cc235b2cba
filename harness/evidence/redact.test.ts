/**
 * No secret survives redaction in any encoding a server might echo it in. The checks decode the
 * redacted text independently of how the redactor finds the forms: every base64 run (either
 * alphabet, every alignment), every percent-escape, every hex run (both nibble alignments) and every
 * JSON escape is decoded, and the secret must not appear in any of the results.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Redactor } from './redact.ts';
import { encodedForms } from './secret-encodings.ts';

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

/**
 * The redactor as it was before the automaton: every needle (a secret and its encoded forms, in the
 * order secrets were added, the first secret to claim a form keeping it), longest first, replaced
 * in turn wherever it occurs in the text as the previous replacements left it.
 */
function needleByNeedle(r: Redactor, secrets: string[]): (text: string) => string {
  const needles: [string, string][] = [];
  const known = new Set<string>();
  for (const s of secrets) {
    if (s.length < 6 || known.has(s)) continue;
    for (const n of [s, ...encodedForms(s)]) {
      if (known.has(n)) continue;
      known.add(n);
      needles.push([n, r.tag(s)]);
    }
    needles.sort((a, b) => b[0].length - a[0].length);
  }
  return (text) => {
    let out = text;
    for (const [needle, tag] of needles) if (out.includes(needle)) out = out.split(needle).join(tag);
    return out;
  };
}

describe('redaction with many secrets', () => {
  it('gives what replacing each needle in turn gives, with 300 secrets that overlap (property)', () => {
    // A four-letter alphabet: secrets share prefixes and suffixes, contain each other, and their
    // encodings overlap, so the order of replacement matters.
    const unit = fc.constantFrom('a', 'b', 'c', '_');
    const secrets = fc.sample(fc.string({ unit, minLength: 6, maxLength: 12 }), { seed: 77, numRuns: 300 });
    const r = new Redactor({ secrets });
    const reference = needleByNeedle(r, secrets);
    expect(r.secretCount).toBe(new Set(secrets).size);
    const piece = fc.oneof(
      fc.constantFrom(...secrets),
      fc.constantFrom(...secrets).map((s) => Buffer.from(s).toString('base64')),
      fc.constantFrom(...secrets).map((s) => encodeURIComponent(`${s}/${s}`)),
      fc.constantFrom(...secrets).map((s) => s.slice(2)),
      fc.string({ unit, maxLength: 8 }),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        expect(r.redactString(text)).toBe(reference(text));
      }),
      { seed: 1414, numRuns: 400 },
    );
  });

  it('returns text without secrets as it is, and tags a secret once per run key', () => {
    const secrets = Array.from({ length: 200 }, (_, i) => `tpk_${String(i).padStart(4, '0')}_${'x'.repeat(i % 7)}`);
    const r = new Redactor({ key: Buffer.alloc(32, 7), secrets });
    const text = '{"data":[{"id":"3b7c9f0e-1d2a-4e5b-9c8d-000000000001","name":"tpT1abcdefghij Whitfield"}]}';
    expect(r.redactString(text)).toBe(text);
    const again = new Redactor({ key: Buffer.alloc(32, 7) });
    expect(r.tag(secrets[42]!)).toBe(again.tag(secrets[42]!));
    expect(r.redactString(`a ${secrets[199]} b ${secrets[3]}`)).toBe(
      `a ${r.tag(secrets[199]!)} b ${r.tag(secrets[3]!)}`,
    );
  });

  it('finds a secret added after the first redaction', () => {
    const r = new Redactor({ secrets: ['first_secret_1'] });
    expect(r.redactString('x second_secret_2 first_secret_1')).toBe(`x second_secret_2 ${r.tag('first_secret_1')}`);
    r.addSecret('second_secret_2');
    expect(r.redactString('x second_secret_2 first_secret_1')).toBe(
      `x ${r.tag('second_secret_2')} ${r.tag('first_secret_1')}`,
    );
  });
});

describe('redaction order', () => {
  it('also replaces a secret that a previous replacement completed (as needle-by-needle replacement does)', () => {
    const key = Buffer.alloc(32, 3);
    const first = 'first_secret_long_1';
    const tagTail = new Redactor({ key }).tag(first).slice(-4);
    // Shorter than the first, so replaced after it; it occurs only once the first became its tag.
    const second = `${tagTail}qqqq`;
    const r = new Redactor({ key, secrets: [first, second] });
    const text = `${first}qqqq`;
    expect(text).not.toContain(second);
    expect(r.redactString(text)).toBe(needleByNeedle(r, [first, second])(text));
    expect(r.redactString(text)).toBe(`${r.tag(first).slice(0, -4)}${r.tag(second)}`);
  });
});

describe('learning secrets from JSON bodies', () => {
  it('learns values under secret-looking keys, spelled plainly or with \\u escapes, and nothing else', () => {
    const r = new Redactor();
    r.learnFromText('{"data":{"apiKey":"tpk_plain_0001","name":"not_a_secret_1"}}');
    r.learnFromText('[{"\\u0061ccess_token":"escaped_key_0002"}]');
    r.learnFromText('{"Password" : "spaced_colon_03"}');
    r.learnFromText('{"monkey":"monkey_value_04","tokens":["t_array_00005"]}');
    expect(r.redactString('tpk_plain_0001 escaped_key_0002 spaced_colon_03')).not.toMatch(
      /tpk_plain|escaped_key|spaced/,
    );
    expect(r.redactString('not_a_secret_1 monkey_value_04 t_array_00005')).toBe(
      'not_a_secret_1 monkey_value_04 t_array_00005',
    );
  });
});

describe('learning secrets from URLs', () => {
  it('learns secret-looking query parameters, spelled plainly or percent-encoded, and nothing else', () => {
    const r = new Redactor();
    r.learnFromUrl('/v1/items?limit=2&api_key=plain_secret_1');
    r.learnFromUrl('/v1/items?access_toke%6E=encoded_secret_2&x=1');
    r.learnFromUrl('https://h.example/x?Token=upper_secret_3');
    r.learnFromUrl('/v1/items?monkey=not_a_secret_1&tokens=not_a_secret_2&q=token');
    expect(r.redactString('plain_secret_1 encoded_secret_2 upper_secret_3')).not.toMatch(/plain_|encoded_|upper_/);
    expect(r.redactString('not_a_secret_1 not_a_secret_2')).toBe('not_a_secret_1 not_a_secret_2');
  });
});
