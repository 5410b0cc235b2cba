/**
 * The harness's HTTP client: sends one request, waits politely when the target throttles, and
 * records exactly what went over the wire as an Exchange. It never throws for an HTTP status;
 * transport failures are recorded too, and the health monitor decides when to give up.
 */
import type { RecordedRequest, RecordedResponse } from '../model/exchange.ts';
import { RateGate } from './rate-gate.ts';

export interface HttpClientOptions {
  baseURL: string;
  /** Per-request timeout. */
  timeoutMs: number;
  /** Bodies larger than this are cut (and flagged `truncated`) so a huge body cannot exhaust memory. */
  maxBodyBytes: number;
  /** Ceiling on requests per second across the whole campaign (protects shared staging). */
  maxRps?: number;
  /** How often a 429 or 503 is retried after its `Retry-After`. */
  maxThrottleRetries: number;
  /** Longest `Retry-After` the client will honour before giving up on the request. */
  maxRetryAfterMs: number;
}

export interface SendInput {
  method: string;
  /** Path with query string, relative to the base URL. */
  path: string;
  headers: Record<string, string>;
  bodyText?: string;
  signal?: AbortSignal;
}

export interface SendResult {
  request: RecordedRequest;
  response?: RecordedResponse;
  error?: { code: string; message: string };
  /** Times the request was throttled (429/503) and retried. */
  throttled: number;
}

/** What the executor sends requests through: the HttpClient, or a wrapper around it (see planting-transport.ts). */
export interface Transport {
  send(input: SendInput): Promise<SendResult>;
}

export class HttpClient implements Transport {
  private readonly gate: RateGate | undefined;
  private readonly base: string;

  constructor(private readonly options: HttpClientOptions) {
    this.base = options.baseURL.replace(/\/+$/, '');
    this.gate = options.maxRps ? new RateGate(options.maxRps) : undefined;
  }

  async send(input: SendInput): Promise<SendResult> {
    const url = this.base + input.path;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(input.headers)) headers[k.toLowerCase()] = v;
    if (input.bodyText !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const request: RecordedRequest = { method: input.method.toUpperCase(), url, path: input.path, headers };
    if (input.bodyText !== undefined) request.bodyText = input.bodyText;

    let throttled = 0;
    for (;;) {
      if (this.gate) await this.gate.take(input.signal);
      const outcome = await this.once(request, input.signal);
      const status = outcome.response?.status;
      if ((status === 429 || status === 503) && throttled < this.options.maxThrottleRetries) {
        const waitMs = retryAfterMs(outcome.response?.headers['retry-after']);
        if (waitMs !== undefined && waitMs <= this.options.maxRetryAfterMs) {
          throttled++;
          await sleep(Math.max(waitMs, 50), input.signal);
          continue;
        }
      }
      return { request, ...outcome, throttled };
    }
  }

  private async once(request: RecordedRequest, signal?: AbortSignal): Promise<Omit<SendResult, 'request' | 'throttled'>> {
    const started = performance.now();
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const res = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.bodyText,
        signal: combined,
        redirect: 'manual',
      });
      const { text, truncated } = await readCapped(res, this.options.maxBodyBytes);
      const headers: Record<string, string> = {};
      res.headers.forEach((value, key) => {
        headers[key] = value;
      });
      const response: RecordedResponse = {
        status: res.status,
        headers,
        bodyText: text,
        durationMs: performance.now() - started,
      };
      if (truncated) response.truncated = true;
      const type = headers['content-type'] ?? '';
      if (!truncated && /json/i.test(type) && !/ndjson/i.test(type) && text.length > 0) {
        try {
          response.json = JSON.parse(text);
        } catch {
          // A body that claims JSON but is not: keep the text, the oracles scan raw bytes anyway.
        }
      }
      return { response };
    } catch (err) {
      return { error: describeTransportError(err, timeout.aborted, this.options.timeoutMs) };
    }
  }
}

async function readCapped(res: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (!res.body) return { text: '', truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - size));
      await reader.cancel();
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(value);
    size += value.byteLength;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

function describeTransportError(err: unknown, timedOut: boolean, timeoutMs: number): { code: string; message: string } {
  if (timedOut) return { code: 'TIMEOUT', message: `no response within ${timeoutMs} ms` };
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'AbortError') return { code: 'ABORTED', message: 'request aborted' };
  const code = e.cause?.code ?? e.name ?? 'ERROR';
  return { code, message: e.cause?.message ?? e.message ?? String(err) };
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
