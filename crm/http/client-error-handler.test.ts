import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bodyPieces,
  exchange,
  header,
  IncompleteResponseError,
  parseResponse,
  requestBytes,
  type RawTarget,
} from '../../test/crm/support/raw-http.ts';
import {
  MalformedHttpError,
  PayloadTooLargeError,
  RequestHeaderFieldsTooLargeError,
  RequestTimeoutError,
} from './errors.ts';
import {
  CLIENT_ERROR_DEFAULTS,
  type ClientErrorHandlerOptions,
  createClientErrorHandler,
  problemForClientError,
  rawProblemResponse,
} from './client-error-handler.ts';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(options: ClientErrorHandlerOptions = CLIENT_ERROR_DEFAULTS): Promise<RawTarget> {
  const server = http.createServer((_request, response) => response.end('ok'));
  server.on('clientError', createClientErrorHandler(options));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
}

function expectProblem(response: ReturnType<typeof parseResponse>, status: number) {
  expect(response?.status).toBe(status);
  expect(header(response!, 'content-type')).toBe('application/problem+json; charset=utf-8');
  expect(header(response!, 'connection')).toBe('close');
  const problem = JSON.parse(response!.body.toString('utf8')) as { status: number; requestId: string; type: string };
  expect(problem.status).toBe(status);
  expect(problem.requestId).toMatch(/^req_[0-9a-f-]{36}$/);
  expect(header(response!, 'x-request-id')).toBe(problem.requestId);
  return problem;
}

describe('problemForClientError', () => {
  it('maps the parser error codes to typed errors', () => {
    const of = (code: string) => problemForClientError(Object.assign(new Error(code), { code }));
    expect(of('HPE_HEADER_OVERFLOW')).toBeInstanceOf(RequestHeaderFieldsTooLargeError);
    expect(of('HPE_CHUNK_EXTENSIONS_OVERFLOW')).toBeInstanceOf(PayloadTooLargeError);
    expect(of('ERR_HTTP_REQUEST_TIMEOUT')).toBeInstanceOf(RequestTimeoutError);
    expect(of('HPE_INVALID_METHOD')).toBeInstanceOf(MalformedHttpError);
    expect(of('HPE_INVALID_HEADER_TOKEN').status).toBe(400);
  });
});

describe('rawProblemResponse', () => {
  it('is one complete HTTP/1.1 response: problem body, byte-exact length, request id twice', () => {
    const raw = rawProblemResponse(
      new PayloadTooLargeError('Zu groß: höchstens 256 KiB.'),
      'req_7c1f1d64-3f4a-4a7e-9a51-1c0f3b2b9d10',
    );
    const problem = expectProblem(parseResponse(raw), 413);
    expect(problem.type).toBe('https://tenantproof.dev/problems/payload-too-large');
    const body = raw.subarray(raw.indexOf('\r\n\r\n') + 4);
    expect(body.length).toBeGreaterThan(body.toString('utf8').length); // multi-byte characters
    expect(body.length).toBe(Number(header(parseResponse(raw)!, 'content-length')));
  });
});

describe('createClientErrorHandler on a real server', () => {
  it('answers bytes the parser refuses with a 400 problem', async () => {
    const target = await serve();
    expectProblem(await exchange(target, requestBytes('FOO / HTTP/1.1\r\nHost: x')), 400);
    expectProblem(await exchange(target, requestBytes('GET / HTTP/1.1\r\nHost: x\r\nX-Key: a\0b')), 400);
  });

  it('answers oversized headers with a 431 problem, without resetting a client still sending them', async () => {
    const target = await serve();
    expectProblem(
      await exchange(target, requestBytes(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(300_000)}`)),
      431,
    );
  });

  it('reads and drops what follows the refused bytes, so the client reads the answer', async () => {
    const target = await serve();
    const garbage = [Buffer.from('FOO / HTTP/1.1\r\nHost: x\r\n\r\n'), ...bodyPieces(4 * 1024 * 1024, false)];
    expectProblem(await exchange(target, garbage), 400);
  });

  it('cuts a connection that keeps sending past the discard limit', async () => {
    const target = await serve({ ...CLIENT_ERROR_DEFAULTS, discardLimitBytes: 64 * 1024 });
    // Far more than the kernel buffers on both sides can hold, so the cut shows while writing.
    const flood = [Buffer.from('FOO / HTTP/1.1\r\nHost: x\r\n\r\n'), ...bodyPieces(64 * 1024 * 1024, false)];
    await expect(exchange(target, flood)).rejects.toThrow(IncompleteResponseError);
  });

  it('closes a silent connection once it has answered', async () => {
    const target = await serve({ ...CLIENT_ERROR_DEFAULTS, lingerIdleMs: 20 });
    const socket = net.connect(target.port, target.host);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    // Never ends its side: only the server can close this connection.
    socket.write('FOO / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => socket.on('close', resolve));
    expectProblem(parseResponse(Buffer.concat(received)), 400);
  });
});
