/**
 * The request engine shared by every resource: URL and headers, credentials, the automatic
 * Idempotency-Key, per-attempt timeout, the caller's AbortSignal, retries with backoff, hooks,
 * typed errors and zod validation of the response. HTTP goes through axios.
 */
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { z } from 'zod';
import { APIPromise, type RawResponse, type WithResponse } from './api-promise.ts';
import {
  AbortError,
  ConnectionError,
  CrmError,
  makeAPIError,
  ResponseValidationError,
  TimeoutError,
  type ValidationIssue,
} from './errors.ts';
import { callHook, type ClientHooks } from './hooks.ts';
import { IDEMPOTENCY_HEADER, newIdempotencyKey } from './idempotency.ts';
import { parseProblem } from './problem.ts';
import { redactHeaders } from './redact.ts';
import {
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  parseRetryAfter,
  retryDelayMs,
  sleep as defaultSleep,
  type RetryPolicy,
} from './retry.ts';

export type ValidationMode = 'strict' | 'warn' | 'off';

export const SDK_VERSION = '0.1.0';

export interface TransportConfig {
  baseURL: string;
  /** Credential headers (Authorization or X-Admin-Token); redacted before any hook sees them. */
  credentials: Record<string, string>;
  /** Per-attempt timeout in ms. */
  timeout: number;
  maxRetries: number;
  validation: ValidationMode;
  hooks: ClientHooks;
  defaultHeaders: Record<string, string>;
  retry: Omit<RetryPolicy, 'maxRetries'>;
  /** Replaceable for tests that must not really wait. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  axios: AxiosInstance;
}

/** Options accepted by every method as its last argument. */
export interface RequestOptions {
  /** Per-attempt timeout in ms (overrides the client's). */
  timeout?: number;
  maxRetries?: number;
  signal?: AbortSignal;
  /** POST only: your own key instead of the automatic one (reused across retries either way). */
  idempotencyKey?: string;
  headers?: Record<string, string>;
  validation?: ValidationMode;
}

export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>;

export interface Endpoint<T> {
  /** The spec's operationId, for messages and hooks. */
  operation: string;
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** Path with parameters already substituted. */
  path: string;
  query?: Record<string, QueryValue> | undefined;
  body?: unknown;
  /** Response schema and its name; absent for bodiless responses. */
  schema?: z.ZodType<unknown> | undefined;
  schemaName?: string | undefined;
  /** How to read a 2xx body. Default 'json'. */
  responseType?: 'json' | 'none' | 'text' | 'stream';
  accept?: string;
  /** Only for the type parameter. */
  readonly _result?: T;
}

interface AttemptResult {
  status: number;
  headers: Record<string, string>;
  /** Text for json/text/none, a stream for 2xx stream responses. */
  body: string | Readable;
}

export function encodePath(template: string, params: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') throw new CrmError(`missing path parameter "${name}" for ${template}`);
    return encodeURIComponent(value);
  });
}

export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.append(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

function plainHeaders(raw: AxiosResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  const source =
    typeof (raw as { toJSON?: unknown }).toJSON === 'function'
      ? (raw as { toJSON(): Record<string, unknown> }).toJSON()
      : (raw as Record<string, unknown>);
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || value === null) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
    code: issue.code,
  }));
}

/** Marks the per-attempt timer's abort, so it can be told apart from the caller's. */
class TimeoutSignal extends Error {}

export class Transport {
  constructor(readonly config: TransportConfig) {}

  request<T>(endpoint: Endpoint<T>, options: RequestOptions = {}): APIPromise<T> {
    return new APIPromise<T>(this.execute(endpoint, options));
  }

  /** Runs the request with retries; resolves with the parsed result and the raw response. */
  async execute<T>(endpoint: Endpoint<T>, options: RequestOptions): Promise<WithResponse<T>> {
    const { config } = this;
    const method = endpoint.method.toUpperCase();
    const url = `${config.baseURL.replace(/\/+$/, '')}${endpoint.path}${buildQuery(endpoint.query)}`;
    const idempotencyKey = method === 'POST' ? (options.idempotencyKey ?? newIdempotencyKey()) : undefined;
    const headers: Record<string, string> = {
      Accept: endpoint.accept ?? 'application/json',
      'User-Agent': `tenantproof-sdk/${SDK_VERSION} node/${process.version}`,
      ...config.defaultHeaders,
      ...config.credentials,
      ...(idempotencyKey ? { [IDEMPOTENCY_HEADER]: idempotencyKey } : {}),
      ...options.headers,
    };
    const data = endpoint.body === undefined ? undefined : JSON.stringify(endpoint.body);
    // A bare POST (accept, convert) is still declared JSON, so no client library default (axios
    // would say x-www-form-urlencoded) reaches the server; an empty JSON body means "no body".
    if (data !== undefined || method === 'POST' || method === 'PATCH' || method === 'PUT')
      headers['Content-Type'] = 'application/json';
    const maxRetries = options.maxRetries ?? config.maxRetries;
    const timeout = options.timeout ?? config.timeout;
    const policy: RetryPolicy = { ...config.retry, maxRetries };
    const signal = options.signal;

    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new AbortError(url, { cause: signal.reason });
      callHook(config.hooks.onRequest, {
        operation: endpoint.operation,
        method,
        url,
        headers: redactHeaders(headers),
        attempt,
        idempotencyKey,
      });
      const started = performance.now();
      let result: AttemptResult;
      try {
        result = await this.attempt({
          method,
          url,
          headers,
          data,
          timeout,
          signal,
          stream: endpoint.responseType === 'stream',
        });
      } catch (error) {
        if (!(error instanceof ConnectionError) || attempt > maxRetries) throw error;
        await this.backoff({
          operation: endpoint.operation,
          method,
          url,
          retry: attempt,
          policy,
          retryAfterMs: undefined,
          reason: error.name,
          idempotencyKey,
          signal,
        });
        continue;
      }
      const requestId = result.headers['x-request-id'];
      callHook(config.hooks.onResponse, {
        operation: endpoint.operation,
        method,
        url,
        status: result.status,
        headers: redactHeaders(result.headers),
        requestId,
        attempt,
        durationMs: performance.now() - started,
      });
      const response: RawResponse = {
        status: result.status,
        headers: result.headers,
        requestId,
        method,
        url,
        attempts: attempt,
        idempotencyKey,
      };

      if (result.status >= 200 && result.status < 300) {
        return {
          data: await this.parseSuccess(endpoint, result, response, options.validation ?? config.validation),
          response,
        };
      }
      const text = typeof result.body === 'string' ? result.body : await readAll(result.body);
      const problem = parseProblem(text);
      const error = makeAPIError({
        status: result.status,
        problem,
        body: text,
        headers: result.headers,
        requestId: requestId ?? (problem?.requestId || undefined),
        method,
        url,
      });
      if (!isRetryableStatus(result.status, problem?.type) || attempt > maxRetries) throw error;
      await this.backoff({
        operation: endpoint.operation,
        method,
        url,
        retry: attempt,
        policy,
        retryAfterMs: parseRetryAfter(result.headers),
        reason: String(result.status),
        idempotencyKey,
        signal,
      });
    }
  }

  private async backoff(args: {
    operation: string;
    method: string;
    url: string;
    retry: number;
    policy: RetryPolicy;
    retryAfterMs: number | undefined;
    reason: string;
    idempotencyKey: string | undefined;
    signal: AbortSignal | undefined;
  }): Promise<void> {
    const delayMs = retryDelayMs(args.retry, args.policy, args.retryAfterMs);
    callHook(this.config.hooks.onRetry, {
      operation: args.operation,
      method: args.method,
      url: args.url,
      retry: args.retry,
      delayMs,
      reason: args.reason,
      idempotencyKey: args.idempotencyKey,
    });
    try {
      await this.config.sleep(delayMs, args.signal);
    } catch (cause) {
      throw new AbortError(args.url, { cause });
    }
  }

  private async attempt(args: {
    method: string;
    url: string;
    headers: Record<string, string>;
    data: string | undefined;
    timeout: number;
    signal: AbortSignal | undefined;
    stream: boolean;
  }): Promise<AttemptResult> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TimeoutSignal()), args.timeout);
    const onAbort = () => controller.abort(args.signal?.reason);
    args.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await this.config.axios.request<string | Readable>({
        url: args.url,
        method: args.method,
        headers: args.headers,
        data: args.data,
        signal: controller.signal,
        responseType: args.stream ? 'stream' : 'text',
        transformResponse: [(body: unknown) => body],
        transformRequest: [(body: unknown) => body],
        validateStatus: () => true,
        maxRedirects: 0,
        proxy: false,
      });
      const headers = plainHeaders(res.headers);
      let body = res.data;
      if (typeof body !== 'string' && (!args.stream || res.status < 200 || res.status >= 300))
        body = await readAll(body);
      return { status: res.status, headers, body: body ?? '' };
    } catch (error) {
      if (args.signal?.aborted) throw new AbortError(args.url, { cause: args.signal.reason });
      if (controller.signal.aborted && controller.signal.reason instanceof TimeoutSignal)
        throw new TimeoutError(args.timeout, args.url);
      const code = axios.isAxiosError(error) ? error.code : undefined;
      const message = error instanceof Error ? error.message : String(error);
      throw new ConnectionError(`connection failed: ${message} (${args.url})`, { cause: error, code });
    } finally {
      clearTimeout(timer);
      args.signal?.removeEventListener('abort', onAbort);
    }
  }

  private async parseSuccess<T>(
    endpoint: Endpoint<T>,
    result: AttemptResult,
    response: RawResponse,
    mode: ValidationMode,
  ): Promise<T> {
    const type = endpoint.responseType ?? 'json';
    // Endpoint<T> ties T to the operation; the body is only known to be T after validation (or by
    // contract when validation is off), so these casts are the one place the SDK trusts the server.
    if (type === 'stream' || type === 'text') return result.body as T;
    if (type === 'none' || result.status === 204) return undefined as T;
    const rawBody = result.body as string;
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      const issues = [{ path: '', message: 'body is not valid JSON', code: 'invalid_json' }];
      this.reportInvalid(endpoint, issues, rawBody, result.status, response.requestId, mode);
      return rawBody as T;
    }
    if (!endpoint.schema || mode === 'off') return json as T;
    const parsed = endpoint.schema.safeParse(json);
    if (parsed.success) return parsed.data as T;
    this.reportInvalid(endpoint, toIssues(parsed.error), rawBody, result.status, response.requestId, mode);
    return json as T;
  }

  private reportInvalid(
    endpoint: Endpoint<unknown>,
    issues: ValidationIssue[],
    rawBody: string,
    status: number,
    requestId: string | undefined,
    mode: ValidationMode,
  ): void {
    const schema = endpoint.schemaName ?? 'the response schema';
    if (mode === 'off') return;
    if (mode === 'strict')
      throw new ResponseValidationError({ operation: endpoint.operation, schema, issues, rawBody, status, requestId });
    const event = { operation: endpoint.operation, schema, issues, rawBody, requestId };
    if (this.config.hooks.onValidationWarning) callHook(this.config.hooks.onValidationWarning, event);
    else
      console.warn(
        `[tenantproof-sdk] ${endpoint.operation}: response does not match ${schema}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
      );
  }
}

export function defaultTransportConfig(
  partial: Pick<TransportConfig, 'baseURL' | 'credentials'> & Partial<TransportConfig>,
): TransportConfig {
  const { maxRetries: _unused, ...retry } = DEFAULT_RETRY_POLICY;
  return {
    timeout: 60_000,
    maxRetries: DEFAULT_RETRY_POLICY.maxRetries,
    validation: 'strict',
    hooks: {},
    defaultHeaders: {},
    retry,
    sleep: defaultSleep,
    axios: axios.create(),
    ...partial,
  };
}
