import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { exchange, header, requestBytes, type RawTarget } from '../../test/crm/support/raw-http.ts';
import { createHttpServer } from './http-server.ts';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(): Promise<RawTarget> {
  const server = createHttpServer(
    (request, response) => response.end(`reached ${request.headers.host ?? 'no host'} ${request.headers.expect ?? ''}`),
    { keepAliveTimeout: 72_000, requestTimeout: 0, connectionTimeout: 0, maxRequestsPerSocket: 0 },
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
}

describe('createHttpServer', () => {
  it('applies the settings Fastify resolved', () => {
    const server = createHttpServer(() => {}, { keepAliveTimeout: 1234, requestTimeout: 0, maxRequestsPerSocket: 7 });
    expect(server.keepAliveTimeout).toBe(1234);
    expect(server.requestTimeout).toBe(0);
    expect(server.maxRequestsPerSocket).toBe(7);
  });

  it('hands a request without Host, and one with an unknown Expect, to the application', async () => {
    const target = await serve();
    expect((await exchange(target, requestBytes('GET / HTTP/1.1'))).body.toString()).toBe('reached no host ');
    const expecting = await exchange(target, requestBytes('GET / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok'));
    expect(expecting.body.toString()).toBe('reached h 200-ok');
  });

  it('answers CONNECT with a 400 problem instead of dropping the connection', async () => {
    const target = await serve();
    const response = await exchange(target, requestBytes('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443'));
    expect(response.status).toBe(400);
    expect(header(response, 'content-type')).toBe('application/problem+json; charset=utf-8');
    const problem = JSON.parse(response.body.toString()) as { requestId: string; detail: string };
    expect(problem.detail).toMatch(/CONNECT/);
    expect(header(response, 'x-request-id')).toBe(problem.requestId);
  });
});
