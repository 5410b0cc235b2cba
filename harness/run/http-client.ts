/**
 * The harness's HTTP client: sends one request, waits politely when the target throttles, and
 * records exactly what went over the wire as an Exchange. It never throws for an HTTP status;
 * transport failures are recorded too, and the health monitor decides when to give up.
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { RecordedRequest, RecordedResponse } from '../model/exchange.ts';
import { formatByteSize } from './byte-size.ts';
import { RateGate } from './rate-gate.ts';
import { ServerThrottle } from './server-throttle.ts';
import { sleep } from './sleep.ts';

export { retryAfterMs, sleep } from './sleep.ts';

/** What is kept of a truncated body: enough to see what the server sent, never enough to matter for memory. */
export const TRUNCATED_KEEP_BYTES = 64 * 1024;

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

  private readonly secure: boolean;
  private readonly agent: HttpAgent;
  /** The base URL as node:http options, parsed once (a URL string would be parsed per request). */
  private readonly target: { protocol: string; hostname: string; port: string; basePath: string } | undefined;
  /** Aborts in-flight requests when a run's signal fires: one listener per signal, not per request. */
  private readonly aborts = new AbortRegistry();

  constructor(private readonly options: HttpClientOptions) {
    this.base = options.baseURL.replace(/\/+$/, '');
    this.gate = options.maxRps ? new RateGate(options.maxRps) : undefined;
    this.secure = this.base.startsWith('https:');
    this.agent = this.secure
      ? new HttpsAgent({ keepAlive: true, maxSockets: 256 })
      : new HttpAgent({ keepAlive: true, maxSockets: 256 });
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
    this.agent.destroy();
  }

  /**
   * One request on node:http(s) with a keep-alive agent. (The profile in reports/bench/speed.md
   * showed global fetch costing about three times the client CPU per exchange of node:http.)
   */
  private once(request: RecordedRequest, signal?: AbortSignal): Promise<Omit<SendResult, 'request' | 'throttled'>> {
    const started = performance.now();
    const { maxBodyBytes, timeoutMs } = this.options;
    return new Promise((resolve) => {
      let settled = false;
      let timedOut = false;
      let req: ClientRequest | undefined;
      let timer: NodeJS.Timeout | undefined;
      const finish = (outcome: Omit<SendResult, 'request' | 'throttled'>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (signal && req) this.aborts.remove(signal, req);
        resolve(outcome);
      };
      const headers: Record<string, string> = { ...request.headers };
      const body = request.bodyText !== undefined ? Buffer.from(request.bodyText, 'utf8') : undefined;
      if (body) headers['content-length'] = String(body.length);
      try {
        const send = this.secure ? httpsRequest : httpRequest;
        req = this.target
          ? send({
              protocol: this.target.protocol,
              hostname: this.target.hostname,
              port: this.target.port,
              path: this.target.basePath + request.path,
              method: request.method,
              headers,
              agent: this.agent,
            } satisfies RequestOptions)
          : send(request.url, { method: request.method, headers, agent: this.agent });
      } catch (err) {
        finish({ error: describeTransportError(err, false, timeoutMs) });
        return;
      }
      const sent = req;
      timer = setTimeout(() => {
        timedOut = true;
        sent.destroy(new Error('timeout'));
      }, timeoutMs);
      if (signal?.aborted) abortRequest(sent);
      else if (signal) this.aborts.add(signal, sent);
      req.on('error', (err) => finish({ error: describeTransportError(err, timedOut, timeoutMs) }));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        const declared = Number(res.headers['content-length'] ?? NaN);
        const done = (): void => {
          let body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          if (truncated) body = body.subarray(0, TRUNCATED_KEEP_BYTES);
          const text = body.toString('utf8');
          const out: Record<string, string> = {};
          const raw = res.headers;
          for (const k in raw) {
            const v = raw[k];
            if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
          }
          const response: RecordedResponse = {
            status: res.statusCode ?? 0,
            headers: out,
            bodyText: text,
            durationMs: performance.now() - started,
          };
          const notes = sniffJson(response, out['content-type'] ?? '', truncated);
          if (truncated) {
            response.truncated = true;
            response.receivedBytes = size;
            notes.push(
              declared > maxBodyBytes
                ? `declares Content-Length ${declared}, over the response size cap (${formatByteSize(maxBodyBytes)}, --max-response-size): not read, recorded truncated`
                : `body over the response size cap (${formatByteSize(maxBodyBytes)}, --max-response-size): recorded truncated`,
            );
          }
          const location = out['location'];
          if (response.status >= 300 && response.status < 400 && response.status !== 304 && location)
            notes.push(`redirect (${response.status}) ${redirectScope(request.url, location)}: not followed`);
          if (notes.length > 0) response.notes = notes;
          finish({ response });
        };
        const cut = (): void => {
          truncated = true;
          // Enough read: drop the rest and the connection with it.
          res.destroy();
          done();
        };
        if (declared > maxBodyBytes) {
          cut();
          return;
        }
        res.on('data', (chunk: Buffer) => {
          if (truncated) return;
          if (size + chunk.length > maxBodyBytes) {
            // Only the first bytes are kept of a truncated body: stop collecting past them.
            if (size < TRUNCATED_KEEP_BYTES) chunks.push(chunk.subarray(0, TRUNCATED_KEEP_BYTES - size));
            size += chunk.length;
            cut();
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', done);
        res.on('error', (err) => {
          if (!truncated) finish({ error: describeTransportError(err, timedOut, timeoutMs) });
        });
      });
      req.end(body);
    });
  }
}

/** Destroys a request as aborted by its run's signal. */
function abortRequest(req: ClientRequest): void {
  req.destroy(Object.assign(new Error('request aborted'), { name: 'AbortError' }));
}

/**
 * The requests in flight under each abort signal, with one `abort` listener per signal (adding and
 * removing an EventTarget listener per request cost more than the rest of the client's own work).
 */
class AbortRegistry {
  private readonly inFlight = new WeakMap<AbortSignal, Set<ClientRequest>>();

  add(signal: AbortSignal, req: ClientRequest): void {
    let set = this.inFlight.get(signal);
    if (!set) {
      const requests = new Set<ClientRequest>();
      set = requests;
      this.inFlight.set(signal, requests);
      signal.addEventListener(
        'abort',
        () => {
          for (const r of [...requests]) abortRequest(r);
        },
        { once: true },
      );
    }
    set.add(req);
  }

  remove(signal: AbortSignal, req: ClientRequest): void {
    this.inFlight.get(signal)?.delete(req);
  }
}

/** The parts of an http(s) base URL that node:http takes as options, or undefined if it does not parse. */
function parseTarget(base: string): { protocol: string; hostname: string; port: string; basePath: string } | undefined {
  try {
    const u = new URL(base);
    if (u.search || u.hash || u.username || u.password) return undefined;
    return {
      protocol: u.protocol,
      // An IPv6 literal is bracketed in a URL and bare in node:http's options.
      hostname: u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname,
      port: u.port,
      basePath: u.pathname === '/' ? '' : u.pathname.replace(/\/+$/, ''),
    };
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

function describeTransportError(err: unknown, timedOut: boolean, timeoutMs: number): { code: string; message: string } {
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

/** Where a redirect points, relative to the request: another origin is told apart (credentials never follow). */
function redirectScope(requestUrl: string, location: string): string {
  try {
    const to = new URL(location, requestUrl);
    return to.origin === new URL(requestUrl).origin ? 'within the target' : 'to another origin';
  } catch {
    return 'to an unparseable location';
  }
}
