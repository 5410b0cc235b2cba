/**
 * HTTP/1.1 over a bare TCP socket, for requests fetch/undici refuse to send (bad bytes, unknown
 * methods, repeated credentials, huge uploads). Sends the bytes as given, then parses the one
 * response by hand. A connection that closes or resets before a complete response is an error,
 * and so is one that fails while the request is still being written.
 */
import net from 'node:net';

export interface RawResponse {
  status: number;
  /** Lower-case names; a repeated field keeps every value. */
  headers: Map<string, string[]>;
  body: Buffer;
}

export class IncompleteResponseError extends Error {
  override name = 'IncompleteResponseError';
}

export class MalformedResponseError extends Error {
  override name = 'MalformedResponseError';
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** The value of a single-valued header, or undefined when absent. */
export function header(response: RawResponse, name: string): string | undefined {
  return response.headers.get(name.toLowerCase())?.join(', ');
}

/** Decodes a chunked body; undefined while it is still incomplete. */
function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) throw new MalformedResponseError('bad chunk size');
    const start = lineEnd + 2;
    if (size === 0) return data.indexOf('\r\n', start) < 0 ? undefined : Buffer.concat(parts);
    if (data.length < start + size + 2) return undefined;
    parts.push(data.subarray(start, start + size));
    offset = start + size + 2;
  }
}

/** The response in `data` once it is complete, else undefined. */
export function parseResponse(data: Buffer): RawResponse | undefined {
  const headEnd = data.indexOf(HEAD_END);
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...lines] = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine);
  if (!status?.[1]) throw new MalformedResponseError(`bad status line: ${JSON.stringify(statusLine)}`);
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MalformedResponseError(`bad header line: ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  const rest = data.subarray(headEnd + HEAD_END.length);
  const response = { status: Number(status[1]), headers };
  if (headers.get('transfer-encoding')?.some((v) => /chunked/i.test(v))) {
    const body = dechunk(rest);
    return body && { ...response, body };
  }
  const length = headers.get('content-length')?.[0];
  if (length === undefined) throw new MalformedResponseError('response has neither Content-Length nor chunked body');
  const size = Number(length);
  return rest.length < size ? undefined : { ...response, body: rest.subarray(0, size) };
}

export interface RawTarget {
  host: string;
  port: number;
}

export function rawTarget(url: string): RawTarget {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
}

/**
 * Writes `request` (one buffer, or many written in turn with back-pressure) and resolves with
 * the response once it is complete and every byte of the request has been written.
 */
export function exchange(target: RawTarget, request: Buffer | Iterable<Buffer>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    // Half-open: a server that has answered and closed its side must still read what follows.
    const socket = net.connect({ port: target.port, host: target.host, allowHalfOpen: true });
    const received: Buffer[] = [];
    let response: RawResponse | undefined;
    let written = false;
    let settled = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else if (response) resolve(response);
    };
    const finishIfDone = (): void => {
      if (response && written) settle();
    };
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      try {
        response ??= parseResponse(Buffer.concat(received));
      } catch (error) {
        settle(error as Error);
        return;
      }
      finishIfDone();
    });
    const receivedText = (): string => {
      const text = Buffer.concat(received).toString('latin1');
      return text.length > 300 ? `${text.slice(0, 300)}…` : text;
    };
    socket.on('error', (error: NodeJS.ErrnoException) =>
      settle(
        new IncompleteResponseError(
          `${error.code ?? error.message} ${written ? 'after' : 'while'} writing the request; ` +
            `response ${response ? 'complete' : 'incomplete'}; received ${JSON.stringify(receivedText())}`,
        ),
      ),
    );
    socket.on('close', () =>
      settle(
        new IncompleteResponseError(
          `connection closed ${written ? 'after' : 'while'} writing the request, before a complete response; ` +
            `received ${JSON.stringify(receivedText())}`,
        ),
      ),
    );
    const pieces = Buffer.isBuffer(request) ? [request][Symbol.iterator]() : request[Symbol.iterator]();
    const pump = (): void => {
      for (let next = pieces.next(); !next.done; next = pieces.next()) {
        if (socket.destroyed) return;
        if (!socket.write(next.value)) {
          socket.once('drain', pump);
          return;
        }
      }
      // Every byte is queued; `written` once the kernel has taken them.
      socket.write(Buffer.alloc(0), () => {
        written = true;
        finishIfDone();
      });
    };
    socket.once('connect', pump);
  });
}

/** `GET /v1/me`-style request text → bytes, with CRLF line ends and the blank line added. */
export function requestBytes(head: string | Buffer, body: Buffer | string = ''): Buffer {
  const headBytes = Buffer.isBuffer(head) ? head : Buffer.from(head, 'latin1');
  return Buffer.concat([headBytes, Buffer.from('\r\n\r\n'), Buffer.isBuffer(body) ? body : Buffer.from(body)]);
}

/** `size` bytes of body as pieces of `pieceSize`, framed as chunks when `chunked`. */
export function* bodyPieces(size: number, chunked: boolean, pieceSize = 64 * 1024): Generator<Buffer> {
  const piece = Buffer.alloc(pieceSize, 0x61);
  for (let sent = 0; sent < size; sent += pieceSize) {
    const data = piece.subarray(0, Math.min(pieceSize, size - sent));
    yield chunked ? Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]) : data;
  }
  if (chunked) yield Buffer.from('0\r\n\r\n');
}
