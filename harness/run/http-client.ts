/**
 * The harness's HTTP client: sends one request, waits politely when the target throttles, and
 * records exactly what went over the wire as an Exchange. It never throws for an HTTP status;
 * transport failures are recorded too, and the health monitor decides when to give up.
 */
import { Pool, type Dispatcher } from 'undici';
import type { RecordedRequest, RecordedResponse } from '../model/exchange.ts';
import { formatByteSize } from './byte-size.ts';
import { RateGate } from './rate-gate.ts';
import { ServerThrottle } from './server-throttle.ts';
import { sleep } from './sleep.ts';
import { ExchangeHandler, requestAborted, type ExchangeOutcome } from './exchange-handler.ts';

export { retryAfterMs, sleep } from './sleep.ts';

export { TRUNCATED_KEEP_BYTES } from './exchange-handler.ts';

export interface HttpClientOptions {
  baseURL: string;
  /**
   * Per-request deadline, in ms, from sending to the body's last byte: a slow first byte, a body
   * that drips, an idle gap and a `Content-Length` larger than what comes all end at it.
   */
  timeoutMs: number;
  /**
   * Bodies larger than this (or that declare a larger `Content-Length`) are cut, flagged
   * `truncated`, and kept only as their first TRUNCATED_KEEP_BYTES, so a huge body cannot exhaust
   * memory or fill the transcript.
   */
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
  /** No waiting (for a rate limit) past this time, epoch ms: the request then goes with what it has. */
  deadline?: number;
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
  /** The server's own rate limit, as its headers tell it (shared by every request of this client). */
  readonly throttle = new ServerThrottle();
  private readonly base: string;

  /** Keep-alive connection pools by origin (one: the target's, unless the base URL has a query or credentials). */
  private readonly pools = new Map<string, Pool>();
  /** The base URL's origin and path, parsed once (a URL string would be parsed per request). */
  private readonly target: { origin: string; basePath: string } | undefined;
  /** Aborts in-flight requests when a run's signal fires: one listener per signal, not per request. */
  private readonly aborts = new AbortRegistry();

  constructor(private readonly options: HttpClientOptions) {
    this.base = options.baseURL.replace(/\/+$/, '');
    this.gate = options.maxRps ? new RateGate(options.maxRps) : undefined;
    this.target = parseTarget(this.base);
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
      await this.throttle.take(input.signal, input.deadline);
      const outcome = await this.once(request, input.signal);
      const status = outcome.response?.status;
      if (outcome.response) this.throttle.observe(outcome.response.status, outcome.response.headers);
      if ((status === 429 || status === 503) && throttled < this.options.maxThrottleRetries) {
        const waitMs = this.throttle.retryWaitMs(status, outcome.response!.headers);
        const fits = input.deadline === undefined || Date.now() + (waitMs ?? 0) <= input.deadline;
        if (waitMs !== undefined && waitMs <= this.options.maxRetryAfterMs && fits && !input.signal?.aborted) {
          throttled++;
          // The throttle holds every request of this client until the server's time has come.
          if (waitMs < 50) await sleep(50, input.signal);
          continue;
        }
      }
      this.throttle.count(status);
      return { request, ...outcome, throttled };
    }
  }

  /** Closes idle keep-alive connections (the process can exit without it; a long-lived host should call it). */
  close(): void {
    for (const pool of this.pools.values()) void pool.destroy().catch(() => undefined);
    this.pools.clear();
  }

  /**
   * One request on undici's dispatcher (a keep-alive pool to the target's origin); see
   * exchange-handler.ts for why not node:http. The answer is recorded whatever its status.
   */
  private once(request: RecordedRequest, signal?: AbortSignal): Promise<Omit<SendResult, 'request' | 'throttled'>> {
    const started = performance.now();
    const { maxBodyBytes, timeoutMs } = this.options;
    return new Promise((resolve) => {
      const handler: ExchangeHandler = new ExchangeHandler(started, maxBodyBytes, timeoutMs, (outcome) => {
        if (signal) this.aborts.remove(signal, handler);
        resolve(this.recorded(request, outcome));
      });
      if (signal?.aborted) return handler.fail(requestAborted());
      if (signal) this.aborts.add(signal, handler);
      const headers: Record<string, string> = { ...request.headers };
      const body = request.bodyText !== undefined ? Buffer.from(request.bodyText, 'utf8') : undefined;
      if (body) headers['content-length'] = String(body.length);
      try {
        const { origin, path } = this.target
          ? { origin: this.target.origin, path: this.target.basePath + request.path }
          : splitUrl(request.url);
        this.pool(origin).dispatch(
          {
            origin,
            path,
            method: request.method as Dispatcher.HttpMethod,
            headers,
            body: body ?? null,
          },
          handler,
        );
      } catch (err) {
        // undici refuses some requests before sending (a hop-by-hop header such as Expect or Upgrade).
        handler.fail(err);
      }
    });
  }

  /** The keep-alive pool to an origin: the target's, or (for a base URL undici cannot split once) the request's. */
  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: 256, headersTimeout: 0, bodyTimeout: 0 });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /** The outcome as the transcript records it: the answer with its conformance notes, or the transport error. */
  private recorded(request: RecordedRequest, outcome: ExchangeOutcome): Omit<SendResult, 'request' | 'throttled'> {
    if ('error' in outcome) return { error: outcome.error };
    const { response } = outcome;
    const { maxBodyBytes } = this.options;
    const notes = sniffJson(response, response.headers['content-type'] ?? '', outcome.truncated !== undefined);
    if (outcome.truncated)
      notes.push(
        outcome.truncated.declared > maxBodyBytes
          ? `declares Content-Length ${outcome.truncated.declared}, over the response size cap (${formatByteSize(maxBodyBytes)}, --max-response-size): not read, recorded truncated`
          : `body over the response size cap (${formatByteSize(maxBodyBytes)}, --max-response-size): recorded truncated`,
      );
    const location = response.headers['location'];
    if (response.status >= 300 && response.status < 400 && response.status !== 304 && location)
      notes.push(`redirect (${response.status}) ${redirectScope(request.url, location)}: not followed`);
    if (notes.length > 0) response.notes = notes;
    return { response };
  }
}

/**
 * The requests in flight under each abort signal, with one `abort` listener per signal (adding and
 * removing an EventTarget listener per request cost more than the rest of the client's own work).
 */
class AbortRegistry {
  private readonly inFlight = new WeakMap<AbortSignal, Set<ExchangeHandler>>();

  add(signal: AbortSignal, handler: ExchangeHandler): void {
    let set = this.inFlight.get(signal);
    if (!set) {
      const handlers = new Set<ExchangeHandler>();
      set = handlers;
      this.inFlight.set(signal, handlers);
      signal.addEventListener(
        'abort',
        () => {
          for (const h of [...handlers]) h.fail(requestAborted());
        },
        { once: true },
      );
    }
    set.add(handler);
  }

  remove(signal: AbortSignal, handler: ExchangeHandler): void {
    this.inFlight.get(signal)?.delete(handler);
  }
}

/** A full URL as an origin and the path with its query (the fallback when the base URL has a query or credentials). */
function splitUrl(url: string): { origin: string; path: string } {
  const u = new URL(url);
  return { origin: u.origin, path: u.pathname + u.search };
}

/** The base URL's origin and path prefix, or undefined when it does not split cleanly (a query, a fragment, credentials). */
function parseTarget(base: string): { origin: string; basePath: string } | undefined {
  try {
    const u = new URL(base);
    if (u.search || u.hash || u.username || u.password) return undefined;
    return { origin: u.origin, basePath: u.pathname === '/' ? '' : u.pathname.replace(/\/+$/, '') };
  } catch {
    return undefined;
  }
}

/** What a Content-Type says about the body: labelled JSON, and NDJSON (never parsed whole). */
const contentTypes = new Map<string, { labelled: boolean; ndjson: boolean }>();

function contentTypeOf(contentType: string): { labelled: boolean; ndjson: boolean } {
  let c = contentTypes.get(contentType);
  if (!c) {
    const ndjson = /ndjson/i.test(contentType);
    c = { labelled: /json/i.test(contentType) && !ndjson, ndjson };
    // Bounded: a target could send a new Content-Type per answer.
    if (contentTypes.size < 256) contentTypes.set(contentType, c);
  }
  return c;
}

/**
 * Parses a body as JSON by its bytes, not its label: a JSON body labelled text/html is JSON (noted
 * as mislabelled), and a body labelled JSON that does not parse is text (noted as invalid). The
 * oracles read `json`; the notes go into the transcript as conformance observations.
 */
export function sniffJson(response: RecordedResponse, contentType: string, truncated: boolean): string[] {
  const text = response.bodyText;
  const { labelled, ndjson } = contentTypeOf(contentType);
  const looks = /^\s*[[{"]/.test(text) || (labelled && /^\s*(-?\d|true|false|null)/.test(text));
  if (truncated || text.length === 0 || (!labelled && !looks) || ndjson) return [];
  try {
    response.json = JSON.parse(text);
    return labelled ? [] : [`JSON labelled ${contentType || 'with no content type'}`];
  } catch {
    return [labelled ? 'labelled JSON but does not parse' : 'looks like JSON but does not parse'];
  }
}

/** Where a redirect points, relative to the request: another origin is told apart (credentials never follow). */
function redirectScope(requestUrl: string, location: string): string {
  try {
    const to = new URL(location, requestUrl);
    return to.origin === new URL(requestUrl).origin ? 'within the target' : 'to another origin';
  } catch {
    return 'to an unparseable location';
  }
}
