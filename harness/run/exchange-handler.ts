/**
 * One request's life on undici's dispatcher: collects the answer into a RecordedResponse, cuts a
 * body over the size cap, and ends at the deadline or the run's abort signal, whichever comes
 * first. It settles exactly once; every later callback from the dispatcher is ignored (and a
 * request that only reaches a socket after it settled is aborted there).
 *
 * Why undici's raw dispatch and not node:http: the same exchange costs about half the client CPU
 * (reports/bench/speed.md, "HTTP client cost per exchange"), and the client was the largest share
 * of the harness's CPU per request.
 */
import type { Dispatcher } from 'undici';
import type { RecordedResponse } from '../model/exchange.ts';

/** What is kept of a truncated body: enough to see what the server sent, never enough to matter for memory. */
export const TRUNCATED_KEEP_BYTES = 64 * 1024;

export type ExchangeOutcome =
  { response: RecordedResponse; truncated?: { declared: number } } | { error: TransportError };

export interface TransportError {
  code: string;
  message: string;
}

/** The reason given to undici to drop the rest of a body over the cap (never reported: the answer is kept). */
const bodyCut = (): Error => new Error('body over the response size cap');

/** The reason a request ends when its run's signal fires (recorded as ABORTED). */
export const requestAborted = (): Error => Object.assign(new Error('request aborted'), { name: 'AbortError' });

export class ExchangeHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private settled = false;
  private timedOut = false;
  private timer: NodeJS.Timeout | undefined;
  private status = 0;
  private headers: Record<string, string> = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private declared = NaN;

  constructor(
    private readonly started: number,
    private readonly maxBodyBytes: number,
    private readonly timeoutMs: number,
    private readonly settle: (outcome: ExchangeOutcome) => void,
  ) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.fail(new Error('timeout'));
    }, timeoutMs);
  }

  /** Ends the request now with this error (a deadline, an abort, a dispatch that threw). */
  fail(err: unknown): void {
    if (this.settled) return;
    this.finish({ error: describeTransportError(err, this.timedOut, this.timeoutMs) });
    this.controller?.abort(err instanceof Error ? err : new Error(String(err)));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.settled) controller.abort(new Error('request already ended'));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (this.settled || statusCode < 200) return; // 1xx: informational, the real answer follows
    this.status = statusCode;
    const out: Record<string, string> = {};
    for (const k in headers) {
      const v = headers[k];
      if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    this.headers = out;
    this.declared = Number(out['content-length'] ?? NaN);
    if (this.declared > this.maxBodyBytes) this.cut(controller);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    if (this.size + chunk.length > this.maxBodyBytes) {
      // Only the first bytes are kept of a truncated body: stop collecting past them.
      if (this.size < TRUNCATED_KEEP_BYTES) this.chunks.push(chunk.subarray(0, TRUNCATED_KEEP_BYTES - this.size));
      this.size += chunk.length;
      this.cut(controller);
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  onResponseEnd(): void {
    if (!this.settled) this.answer(false);
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (!this.settled) this.finish({ error: describeTransportError(err, this.timedOut, this.timeoutMs) });
  }

  /** Enough read: keep what came, drop the rest and the connection with it. */
  private cut(controller: Dispatcher.DispatchController): void {
    this.answer(true);
    controller.abort(bodyCut());
  }

  private answer(truncated: boolean): void {
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const response: RecordedResponse = {
      status: this.status,
      headers: this.headers,
      bodyText: (truncated ? body.subarray(0, TRUNCATED_KEEP_BYTES) : body).toString('utf8'),
      durationMs: performance.now() - this.started,
    };
    if (!truncated) return this.finish({ response });
    response.truncated = true;
    response.receivedBytes = this.size;
    this.finish({ response, truncated: { declared: this.declared } });
  }

  private finish(outcome: ExchangeOutcome): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.settle(outcome);
  }
}

function describeTransportError(err: unknown, timedOut: boolean, timeoutMs: number): TransportError {
  if (timedOut)
    return {
      code: 'TIMEOUT',
      message: `no complete answer (headers and body) within the ${timeoutMs} ms request deadline`,
    };
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'AbortError') return { code: 'ABORTED', message: 'request aborted' };
  const code = e.code ?? e.cause?.code ?? e.name ?? 'ERROR';
  return { code, message: e.cause?.message ?? e.message ?? String(err) };
}
