import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertWellFormedStrings,
  decodeUtf8Strict,
  findLoneSurrogate,
  InvalidUtf8Error,
  isWellFormedText,
  LoneSurrogateError,
} from './strict-json.ts';

/** Node 20 has String.prototype.isWellFormed; the ES2023 lib this repo compiles against does not. */
const nativeWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

describe('decodeUtf8Strict', () => {
  it('decodes valid UTF-8, multi-byte characters included', () => {
    expect(decodeUtf8Strict(Buffer.from('{"name":"Zoë 🚀"}', 'utf8'))).toBe('{"name":"Zoë 🚀"}');
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a byte that never occurs', [0xff]],
  ])('refuses %s instead of replacing it with U+FFFD', (_name, bytes) => {
    const body = Buffer.concat([Buffer.from('{"name":"a'), Buffer.from(bytes), Buffer.from('b"}')]);
    expect(() => decodeUtf8Strict(body)).toThrow(InvalidUtf8Error);
  });
});

describe('findLoneSurrogate', () => {
  it('agrees with String.prototype.isWellFormed on any sequence of UTF-16 code units', () => {
    const units = fc.array(fc.oneof(fc.integer({ min: 0xd7f0, max: 0xe010 }), fc.integer({ min: 0, max: 0xffff })), {
      maxLength: 12,
    });
    fc.assert(
      fc.property(units, (codes) => {
        const text = String.fromCharCode(...codes);
        expect(isWellFormedText(text)).toBe(nativeWellFormed(text));
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('accepts well-formed values, surrogate pairs included', () => {
    expect(
      findLoneSurrogate({ name: 'Zoë 🚀', tags: ['a', { deep: '\ud83d\ude80' }], n: 1, ok: true, none: null }),
    ).toBe(undefined);
  });

  it('names the first offending string by JSON pointer, keys included', () => {
    expect(findLoneSurrogate('\ud800')).toBe('/');
    expect(findLoneSurrogate({ name: 'a\udc00' })).toBe('/name');
    expect(findLoneSurrogate({ a: 'ok', list: ['ok', { 'x/y~z': '\ud800z' }] })).toBe('/list/1/x~1y~0z');
    expect(findLoneSurrogate({ ok: 1, 'k\ud800': 1 })).toBe('/k\ud800');
    expect(findLoneSurrogate({ first: '\udfff', second: '\ud800' })).toBe('/first');
  });

  it('walks a deeply nested body without overflowing the stack', () => {
    const depth = 50_000; // a recursive walk overflows the stack at roughly a fifth of this
    const nested = JSON.parse(`${'['.repeat(depth)}"\\ud800"${']'.repeat(depth)}`) as unknown;
    expect(findLoneSurrogate(nested)).toBe(`${'/0'.repeat(depth)}`);
  });

  it('assertWellFormedStrings throws a 400 naming the pointer', () => {
    expect(() => assertWellFormedStrings({ ok: 'fine' })).not.toThrow();
    const error = (() => {
      try {
        assertWellFormedStrings({ note: { text: 'a\udc00' } });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(LoneSurrogateError);
    expect((error as LoneSurrogateError).status).toBe(400);
    expect((error as LoneSurrogateError).errors[0]?.path).toBe('/note/text');
  });
});

describe('assertWellFormedStrings with the JSON text', () => {
  it('skips the walk only when the text has no surrogate escape', () => {
    const text = '{"name":"a\\ud800"}';
    const value = JSON.parse(text) as unknown;
    expect(() => assertWellFormedStrings(value, text)).toThrow(LoneSurrogateError);
    expect(() => assertWellFormedStrings(value, text.toUpperCase().replace('\\U', '\\u'))).toThrow(LoneSurrogateError);
    // A well-formed pair is escaped the same way: the walk runs and finds nothing.
    expect(() => assertWellFormedStrings(JSON.parse('"\\ud83d\\ude80"'), '"\\ud83d\\ude80"')).not.toThrow();
    // Text without such an escape: nothing to look for (the value is not even consulted).
    expect(() => assertWellFormedStrings({ name: '\ud800' }, '{"name":"x"}')).not.toThrow();
  });
});
