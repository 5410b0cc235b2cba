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

export class UnsupportedMediaTypeError extends HttpError {
  override name = 'UnsupportedMediaTypeError';
  readonly status = 415;
  readonly type = 'https://tenantproof.dev/problems/unsupported-media-type';
  readonly title = 'Unsupported media type';
  constructor() {
    super('The request body must be application/json.');
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
