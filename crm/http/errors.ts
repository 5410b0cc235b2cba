/** Typed HTTP errors. The error handler turns each into an RFC 9457 problem. */
export interface FieldError {
  path: string;
  message: string;
}

export abstract class HttpError extends Error {
  abstract readonly status: number;
  abstract readonly type: string;
  abstract readonly title: string;
  readonly headers: Record<string, string> = {};
  constructor(readonly detail: string) {
    super(detail);
  }
}

export class BadRequestError extends HttpError {
  override name = 'BadRequestError';
  readonly status = 400;
  readonly type = 'https://tenantproof.dev/problems/validation';
  readonly title = 'Request validation failed';
  constructor(
    detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
  }
}

export class InvalidCursorError extends BadRequestError {
  override name = 'InvalidCursorError';
  constructor() {
    super('invalid cursor', [{ path: '/cursor', message: 'invalid cursor' }]);
  }
}

export class UnauthorizedError extends HttpError {
  override name = 'UnauthorizedError';
  readonly status = 401;
  readonly type = 'https://tenantproof.dev/problems/unauthorized';
  readonly title = 'Unauthorized';
  constructor(detail = 'Missing or invalid credentials.') {
    super(detail);
    this.headers['WWW-Authenticate'] = 'Bearer';
  }
}

export type ResourceKind = 'customer' | 'note' | 'job' | 'quote' | 'invoice' | 'payment';

/** The same text for a foreign id and a missing one: the response must not tell them apart. */
export class NotFoundError extends HttpError {
  override name = 'NotFoundError';
  readonly status = 404;
  readonly type = 'https://tenantproof.dev/problems/not-found';
  readonly title = 'Not found';
  constructor(kind: ResourceKind) {
    super(`No ${kind} with that id.`);
  }
}

export class RouteNotFoundError extends HttpError {
  override name = 'RouteNotFoundError';
  readonly status = 404;
  readonly type = 'https://tenantproof.dev/problems/not-found';
  readonly title = 'Not found';
  constructor() {
    super('No such route.');
  }
}

export class MethodNotAllowedError extends HttpError {
  override name = 'MethodNotAllowedError';
  readonly status = 405;
  readonly type = 'https://tenantproof.dev/problems/method-not-allowed';
  readonly title = 'Method not allowed';
  constructor(allowed: readonly string[]) {
    super(`Allowed methods: ${allowed.join(', ')}.`);
    this.headers.Allow = allowed.join(', ');
  }
}

export class ConflictError extends HttpError {
  override name = 'ConflictError';
  readonly status = 409;
  readonly type = 'https://tenantproof.dev/problems/conflict';
  readonly title = 'Conflict';
}

export class ExpectationFailedError extends HttpError {
  override name = 'ExpectationFailedError';
  readonly status = 417;
  readonly type = 'https://tenantproof.dev/problems/expectation-failed';
  readonly title = 'Expectation failed';
  constructor() {
    super('The only expectation supported is 100-continue.');
  }
}

export class UnprocessableError extends HttpError {
  override name = 'UnprocessableError';
  readonly status = 422;
  readonly type = 'https://tenantproof.dev/problems/unprocessable';
  readonly title = 'Business rule violated';
}

export class PayloadTooLargeError extends HttpError {
  override name = 'PayloadTooLargeError';
  readonly status = 413;
  readonly type = 'https://tenantproof.dev/problems/payload-too-large';
  readonly title = 'Payload too large';
}

/** A header field (here: a credential) sent more than once; which one counts would be a guess. */
export class DuplicateHeaderError extends BadRequestError {
  override name = 'DuplicateHeaderError';
  constructor(header: string) {
    super(`The ${header} header is repeated.`, [{ path: `/headers/${header.toLowerCase()}`, message: 'is repeated' }]);
  }
}

/** Bytes Node's HTTP parser refused (bad method, header bytes, request line): no request exists. */
export class MalformedHttpError extends BadRequestError {
  override name = 'MalformedHttpError';
  constructor() {
    super('The request is not valid HTTP/1.1.', [{ path: '/', message: 'is not valid HTTP/1.1' }]);
  }
}

export class RequestTimeoutError extends HttpError {
  override name = 'RequestTimeoutError';
  readonly status = 408;
  readonly type = 'https://tenantproof.dev/problems/request-timeout';
  readonly title = 'Request timeout';
  constructor() {
    super('The request was not received in time.');
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  override name = 'UnsupportedMediaTypeError';
  readonly status = 415;
  readonly type = 'https://tenantproof.dev/problems/unsupported-media-type';
  readonly title = 'Unsupported media type';
  constructor() {
    super('The request body must be application/json.');
  }
}

export class RequestHeaderFieldsTooLargeError extends HttpError {
  override name = 'RequestHeaderFieldsTooLargeError';
  readonly status = 431;
  readonly type = 'https://tenantproof.dev/problems/request-header-fields-too-large';
  readonly title = 'Request header fields too large';
  constructor() {
    super('The request headers exceed the size limit.');
  }
}

export class RateLimitedError extends HttpError {
  override name = 'RateLimitedError';
  readonly status = 429;
  readonly type = 'https://tenantproof.dev/problems/rate-limited';
  readonly title = 'Too many requests';
  constructor(retryAfterSeconds: number) {
    super(`Rate limit exceeded; retry after ${retryAfterSeconds} s.`);
    this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}

export class InternalError extends HttpError {
  override name = 'InternalError';
  readonly status = 500;
  readonly type = 'https://tenantproof.dev/problems/internal';
  readonly title = 'Internal server error';
  constructor() {
    super('An unexpected error occurred.');
  }
}
