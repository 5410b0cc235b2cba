import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyPieces, exchange, IncompleteResponseError, type RawTarget } from '../../test/crm/support/raw-http.ts';
import { discardUnreadBody } from './unread-body.ts';

const MB = 1024 * 1024;
const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A server that answers 413 at once, before reading the body, and reports what discard said. */
async function serveEarly413(limitBytes: number, started: boolean[]): Promise<RawTarget> {
  const server = http.createServer((request, response) => {
    started.push(discardUnreadBody(request, limitBytes));
    response.writeHead(413, { 'content-type': 'text/plain', 'content-length': 3 }).end('big');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
}

const upload = (size: number, chunked: boolean) => [
  Buffer.from(
    `POST / HTTP/1.1\r\nHost: x\r\n${chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${size}`}\r\n\r\n`,
  ),
  ...bodyPieces(size, chunked),
];

describe('discardUnreadBody', () => {
  it('lets a 20 MB upload answered early finish, with Content-Length or chunked', async () => {
    const started: boolean[] = [];
    const target = await serveEarly413(64 * MB, started);
    for (const chunked of [false, true, false, true]) {
      expect((await exchange(target, upload(20 * MB, chunked))).status).toBe(413);
    }
    expect(started).toEqual([true, true, true, true]);
  });

  it('cuts the connection past the limit', async () => {
    const target = await serveEarly413(1 * MB, []);
    // Far more than the kernel buffers on both sides can hold, so the cut shows while writing.
    await expect(exchange(target, upload(64 * MB, false))).rejects.toThrow(IncompleteResponseError);
  });

  it('does nothing for a request already read to the end', async () => {
    const started: boolean[] = [];
    const server = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        started.push(discardUnreadBody(request, 1));
        response.end('ok');
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const target = { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
    expect((await exchange(target, upload(1000, false))).status).toBe(200);
    expect(started).toEqual([false]);
  });
});
