import { describe, expect, it } from 'vitest';
import { ExpectationFailedError } from './errors.ts';
import { assertProtocolRules, HostHeaderError } from './protocol-checks.ts';

function request(httpVersion: string, rawHeaders: string[]) {
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) headers[rawHeaders[i]!.toLowerCase()] ??= rawHeaders[i + 1]!;
  return { httpVersion, rawHeaders, headers };
}

describe('assertProtocolRules', () => {
  it('wants exactly one Host on HTTP/1.1', () => {
    expect(() => assertProtocolRules(request('1.1', ['Host', 'crm']))).not.toThrow();
    expect(() => assertProtocolRules(request('1.1', []))).toThrow(HostHeaderError);
    expect(() => assertProtocolRules(request('1.1', ['Host', 'a', 'host', 'b']))).toThrow(HostHeaderError);
  });

  it('lets HTTP/1.0 omit Host, never repeat it', () => {
    expect(() => assertProtocolRules(request('1.0', []))).not.toThrow();
    expect(() => assertProtocolRules(request('1.0', ['Host', 'a', 'Host', 'a']))).toThrow(HostHeaderError);
  });

  it('takes 100-continue, in any case, and refuses any other expectation with a 417', () => {
    expect(() => assertProtocolRules(request('1.1', ['Host', 'crm', 'Expect', '100-Continue']))).not.toThrow();
    const error = (() => {
      try {
        assertProtocolRules(request('1.1', ['Host', 'crm', 'Expect', '200-ok']));
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ExpectationFailedError);
    expect((error as ExpectationFailedError).status).toBe(417);
  });
});
