/**
 * HTTP/1.1 rules Node leaves to the application once its own bare answers are off
 * (`http-server.ts`): exactly one Host on an HTTP/1.1 request (at most one on HTTP/1.0), and no
 * expectation other than 100-continue.
 */
import type { IncomingMessage } from 'node:http';
import { BadRequestError, ExpectationFailedError } from './errors.ts';
import { headerCount } from './raw-headers.ts';

export class HostHeaderError extends BadRequestError {
  override name = 'HostHeaderError';
  constructor(count: number) {
    super(count === 0 ? 'The Host header is missing.' : 'The Host header is repeated.', [
      { path: '/headers/host', message: count === 0 ? 'is required' : 'is repeated' },
    ]);
  }
}

export function assertProtocolRules(request: Pick<IncomingMessage, 'rawHeaders' | 'httpVersion' | 'headers'>): void {
  const hosts = headerCount(request.rawHeaders, 'host');
  if (hosts > 1 || (hosts === 0 && request.httpVersion === '1.1')) throw new HostHeaderError(hosts);
  const expect = request.headers.expect;
  if (expect !== undefined && !/^100-continue$/i.test(expect.trim())) throw new ExpectationFailedError();
}
