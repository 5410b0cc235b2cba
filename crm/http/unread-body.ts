/**
 * An error answered before the request body was read (413, 415, a 401 on an upload): reading and
 * dropping the rest of the body lets the client read the answer; closing the connection while it
 * is still sending would reset it and lose the answer. Past a limit the connection is cut.
 */
import type { IncomingMessage } from 'node:http';

/** Drops the rest of `request`'s body; returns false when there was nothing left to read. */
export function discardUnreadBody(request: IncomingMessage, limitBytes: number): boolean {
  if (request.complete || request.destroyed) return false;
  let discarded = 0;
  const onData = (chunk: Buffer | string): void => {
    discarded += chunk.length;
    if (discarded <= limitBytes) return;
    stop();
    request.socket.destroy();
  };
  const stop = (): void => {
    request.off('data', onData);
    request.off('end', stop);
    request.off('close', stop);
  };
  request.on('data', onData);
  request.once('end', stop);
  request.once('close', stop);
  request.resume();
  return true;
}
