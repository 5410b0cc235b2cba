/**
 * The Node HTTP server under Fastify (its `serverFactory`), minus the answers Node gives on its
 * own, which are not problem documents: a bare 400 for an HTTP/1.1 request without Host and a
 * bare 417 for an Expect other than 100-continue (both requests go to the app, which checks them
 * in `protocol-checks.ts`), and a dropped connection for CONNECT (answered here, raw).
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { BadRequestError } from './errors.ts';
import { rawProblemResponse } from './client-error-handler.ts';
import { newRequestId } from './request-id.ts';

/** The settings Fastify applies to a server it builds itself (its resolved options). */
export interface ServerSettings {
  keepAliveTimeout?: unknown;
  requestTimeout?: unknown;
  connectionTimeout?: unknown;
  maxRequestsPerSocket?: unknown;
}

/** After answering CONNECT, how long a silent connection is kept before it is cut. */
const CONNECT_LINGER_MS = 5_000;

export class ConnectNotSupportedError extends BadRequestError {
  override name = 'ConnectNotSupportedError';
  constructor() {
    super('CONNECT is not supported: this server is not a proxy.', [
      { path: '/', message: 'CONNECT is not supported' },
    ]);
  }
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && value >= 0 ? value : fallback;
}

function refuseConnect(_request: http.IncomingMessage, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // Read and drop whatever follows, so closing does not reset the connection under the answer.
  socket.resume();
  socket.setTimeout(CONNECT_LINGER_MS, () => socket.destroy());
  socket.end(rawProblemResponse(new ConnectNotSupportedError(), newRequestId()));
}

/** Mirrors Fastify's own server set-up (timeouts as resolved in `settings`), plus the above. */
export function createHttpServer(handler: http.RequestListener, settings: ServerSettings): http.Server {
  const server = http.createServer({ requireHostHeader: false }, handler);
  server.keepAliveTimeout = numberOr(settings.keepAliveTimeout, server.keepAliveTimeout);
  server.requestTimeout = numberOr(settings.requestTimeout, server.requestTimeout);
  server.setTimeout(numberOr(settings.connectionTimeout, 0));
  const maxRequests = numberOr(settings.maxRequestsPerSocket, 0);
  if (maxRequests > 0) server.maxRequestsPerSocket = maxRequests;
  server.on('checkExpectation', handler);
  server.on('connect', refuseConnect);
  return server;
}
