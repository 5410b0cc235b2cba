/**
 * Answers what Node's HTTP parser refuses before any request object exists (an unknown method,
 * bad bytes in a header or the request line, oversized headers) with a problem document written
 * raw to the socket, then closes the connection without resetting it.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import {
  type HttpError,
  MalformedHttpError,
  PayloadTooLargeError,
  RequestHeaderFieldsTooLargeError,
  RequestTimeoutError,
} from './errors.ts';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem.ts';
import { newRequestId, REQUEST_ID_HEADER } from './request-id.ts';

/** What Node hands a `clientError` listener: its error code and the packet it failed on. */
export interface ClientError extends Error {
  code?: string;
  rawPacket?: unknown;
}

export interface ClientErrorHandlerOptions {
  /** After answering, bytes still read and dropped before the connection is cut. */
  discardLimitBytes: number;
  /** After answering, how long a silent connection is kept before it is cut. */
  lingerIdleMs: number;
}

export const CLIENT_ERROR_DEFAULTS: ClientErrorHandlerOptions = {
  discardLimitBytes: 64 * 1024 * 1024,
  lingerIdleMs: 5_000,
};

export function problemForClientError(error: ClientError): HttpError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new RequestHeaderFieldsTooLargeError();
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new PayloadTooLargeError('A chunk extension exceeds the size limit.');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new RequestTimeoutError();
    default:
      return new MalformedHttpError();
  }
}

/** A complete HTTP/1.1 response carrying the problem, its request id, and `Connection: close`. */
export function rawProblemResponse(error: HttpError, requestId: string): Buffer {
  const body = JSON.stringify(toProblem(error, requestId));
  const head = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    `Content-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    `${REQUEST_ID_HEADER}: ${requestId}`,
    ...Object.entries(error.headers).map(([name, value]) => `${name}: ${value}`),
    'Connection: close',
    `Date: ${new Date().toUTCString()}`,
  ];
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

/** Node's in-flight response on a socket (an internal field, absent while none is pending). */
interface SocketWithResponse extends Socket {
  _httpMessage?: { headersSent?: boolean } | null;
}

export function createClientErrorHandler(
  options: ClientErrorHandlerOptions = CLIENT_ERROR_DEFAULTS,
): (error: ClientError, socket: Socket) => void {
  /** Sockets already answered, with the bytes dropped since. */
  const answered = new WeakMap<Socket, { discarded: number }>();

  return function onClientError(error, socket) {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const linger = answered.get(socket);
    if (linger) {
      // The failed parser reports every later packet again: drop them while the client is still
      // sending, so closing does not reset the connection before it has read the answer.
      linger.discarded += Buffer.isBuffer(error.rawPacket) ? error.rawPacket.length : 0;
      const done = socket.readableEnded || error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
      if (done || linger.discarded > options.discardLimitBytes) socket.destroy();
      return;
    }
    if (!socket.writable || (socket as SocketWithResponse)._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    answered.set(socket, { discarded: 0 });
    socket.setTimeout(options.lingerIdleMs, () => socket.destroy());
    socket.end(rawProblemResponse(problemForClientError(error), newRequestId()));
  };
}
