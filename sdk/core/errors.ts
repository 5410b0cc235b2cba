/**
 * Typed errors. Everything the SDK throws is a `CrmError`:
 *   APIError (the server answered with a 4xx/5xx problem) → one subclass per status;
 *   ConnectionError (no usable answer) → TimeoutError; AbortError (the caller's signal);
 *   ResponseValidationError (a 2xx body that does not match the contract, in strict mode).
 */
import type { ProblemDetails } from './problem.ts';

export class CrmError extends Error {
  override name = 'CrmError';
}

export interface APIErrorInit {
  status: number;
  problem: ProblemDetails | undefined;
  /** The raw body text, when it was not a problem document. */
  body: string;
  headers: Record<string, string>;
  requestId: string | undefined;
  method: string;
  url: string;
}

/** The server answered with an error status. `problem` is the RFC 9457 body when there was one. */
export class APIError extends CrmError {
  override name = 'APIError';
  readonly status: number;
  readonly problem: ProblemDetails | undefined;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly requestId: string | undefined;
  readonly method: string;
  readonly url: string;

  constructor(init: APIErrorInit) {
    const what = init.problem
      ? `${init.problem.title}${init.problem.detail ? `: ${init.problem.detail}` : ''}`
      : init.body.slice(0, 200) || 'no body';
    super(`${init.status} ${what} (${init.method} ${init.url}${init.requestId ? `, request ${init.requestId}` : ''})`);
    this.status = init.status;
    this.problem = init.problem;
    this.body = init.body;
    this.headers = init.headers;
    this.requestId = init.requestId;
    this.method = init.method;
    this.url = init.url;
  }

  /** The problem `type` URI, e.g. `https://tenantproof.dev/problems/not-found`. */
  get type(): string | undefined {
    return this.problem?.type;
  }
}

export class BadRequestError extends APIError {
  override name = 'BadRequestError';
}
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
}
export class PermissionDeniedError extends APIError {
  override name = 'PermissionDeniedError';
}
export class NotFoundError extends APIError {
  override name = 'NotFoundError';
}
export class MethodNotAllowedError extends APIError {
  override name = 'MethodNotAllowedError';
}
export class RequestTimeoutError extends APIError {
  override name = 'RequestTimeoutError';
}
export class ConflictError extends APIError {
  override name = 'ConflictError';
}
export class PayloadTooLargeError extends APIError {
  override name = 'PayloadTooLargeError';
}
export class UnsupportedMediaTypeError extends APIError {
  override name = 'UnsupportedMediaTypeError';
}
export class UnprocessableEntityError extends APIError {
  override name = 'UnprocessableEntityError';
}
export class RateLimitError extends APIError {
  override name = 'RateLimitError';
  /** Seconds the server asked us to wait (`Retry-After`), when it said. */
  get retryAfterSeconds(): number | undefined {
    const raw = this.headers['retry-after'];
    const n = raw === undefined ? NaN : Number(raw);
    return Number.isFinite(n) ? n : undefined;
  }
}
export class InternalServerError extends APIError {
  override name = 'InternalServerError';
}

type APIErrorClass = new (init: APIErrorInit) => APIError;

const BY_STATUS: Record<number, APIErrorClass> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  405: MethodNotAllowedError,
  408: RequestTimeoutError,
  409: ConflictError,
  413: PayloadTooLargeError,
  415: UnsupportedMediaTypeError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/** The error class for a status: its own class, InternalServerError for 5xx, APIError otherwise. */
export function errorClassForStatus(status: number): APIErrorClass {
  return BY_STATUS[status] ?? (status >= 500 ? InternalServerError : APIError);
}

export function makeAPIError(init: APIErrorInit): APIError {
  const ErrorClass = errorClassForStatus(init.status);
  return new ErrorClass(init);
}

/** No usable response: DNS, refused or reset connection, or a broken body. */
export class ConnectionError extends CrmError {
  override name = 'ConnectionError';
  readonly code: string | undefined;
  constructor(message: string, options: { cause?: unknown; code?: string | undefined } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code;
  }
}

/** The request did not complete within its timeout (per attempt). */
export class TimeoutError extends ConnectionError {
  override name = 'TimeoutError';
  readonly timeoutMs: number;
  constructor(timeoutMs: number, url: string) {
    super(`request timed out after ${timeoutMs} ms (${url})`, { code: 'ETIMEDOUT' });
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's AbortSignal fired. Never retried. */
export class AbortError extends CrmError {
  override name = 'AbortError';
  constructor(url: string, options: { cause?: unknown } = {}) {
    super(`request aborted by the caller (${url})`, options);
  }
}

export interface ValidationIssue {
  /** JSON path of the offending value, e.g. `data.3.email`. */
  path: string;
  message: string;
  code: string;
}

/** A 2xx response whose body does not match the contract's schema (strict validation). */
export class ResponseValidationError extends CrmError {
  override name = 'ResponseValidationError';
  readonly operation: string;
  readonly schema: string;
  readonly issues: ValidationIssue[];
  /** The body as received, unparsed. */
  readonly rawBody: string;
  readonly status: number;
  readonly requestId: string | undefined;

  constructor(init: {
    operation: string;
    schema: string;
    issues: ValidationIssue[];
    rawBody: string;
    status: number;
    requestId: string | undefined;
  }) {
    const first = init.issues
      .slice(0, 3)
      .map((i) => `${i.path || '(root)'}: ${i.message}`)
      .join('; ');
    super(
      `${init.operation}: response does not match ${init.schema} (${first}${init.issues.length > 3 ? `; +${init.issues.length - 3} more` : ''})`,
    );
    this.operation = init.operation;
    this.schema = init.schema;
    this.issues = init.issues;
    this.rawBody = init.rawBody;
    this.status = init.status;
    this.requestId = init.requestId;
  }

  /** The issue paths, e.g. `['data.0.email']`. */
  get paths(): string[] {
    return this.issues.map((i) => i.path);
  }
}
