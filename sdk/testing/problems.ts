/**
 * The problem+json documents of the reference CRM (types, titles, statuses and the same details),
 * so code tested against the fake sees exactly what the real server sends.
 */
export interface FieldError {
  path: string;
  message: string;
}

export class FakeProblem extends Error {
  readonly headers: Record<string, string> = {};
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
  }

  toBody(requestId: string): Record<string, unknown> {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.detail,
      requestId,
      ...(this.errors.length > 0 ? { errors: this.errors } : {}),
    };
  }
}

const BASE = 'https://tenantproof.dev/problems';

export type RecordKind = 'customer' | 'note' | 'job' | 'quote' | 'invoice' | 'payment';

export const problems = {
  validation: (detail: string, errors: FieldError[] = []) =>
    new FakeProblem(400, `${BASE}/validation`, 'Request validation failed', detail, errors),
  invalidCursor: () =>
    new FakeProblem(400, `${BASE}/validation`, 'Request validation failed', 'invalid cursor', [
      { path: '/cursor', message: 'invalid cursor' },
    ]),
  unauthorized: (detail = 'Missing or invalid credentials.') => {
    const p = new FakeProblem(401, `${BASE}/unauthorized`, 'Unauthorized', detail);
    p.headers['WWW-Authenticate'] = 'Bearer';
    return p;
  },
  /** Identical for a foreign id and a missing one. */
  notFound: (kind: RecordKind) => new FakeProblem(404, `${BASE}/not-found`, 'Not found', `No ${kind} with that id.`),
  routeNotFound: () => new FakeProblem(404, `${BASE}/not-found`, 'Not found', 'No such route.'),
  methodNotAllowed: (allowed: string[]) => {
    const p = new FakeProblem(
      405,
      `${BASE}/method-not-allowed`,
      'Method not allowed',
      `Allowed methods: ${allowed.join(', ')}.`,
    );
    p.headers.Allow = allowed.join(', ');
    return p;
  },
  conflict: (detail: string) => new FakeProblem(409, `${BASE}/conflict`, 'Conflict', detail),
  payloadTooLarge: (detail = 'The request body is too large.') =>
    new FakeProblem(413, `${BASE}/payload-too-large`, 'Payload too large', detail),
  unsupportedMediaType: () =>
    new FakeProblem(
      415,
      `${BASE}/unsupported-media-type`,
      'Unsupported media type',
      'The request body must be application/json.',
    ),
  unprocessable: (detail: string) => new FakeProblem(422, `${BASE}/unprocessable`, 'Business rule violated', detail),
  idempotencyKeyReused: () =>
    new FakeProblem(
      422,
      `${BASE}/idempotency-key-reused`,
      'Idempotency-Key reused',
      'This Idempotency-Key was used with a different request.',
    ),
  rateLimited: (retryAfterSeconds: number) => {
    const p = new FakeProblem(
      429,
      `${BASE}/rate-limited`,
      'Too many requests',
      `Rate limit exceeded; retry after ${retryAfterSeconds} s.`,
    );
    p.headers['Retry-After'] = String(retryAfterSeconds);
    return p;
  },
  internal: (status = 500) =>
    new FakeProblem(status, `${BASE}/internal`, 'Internal server error', 'An unexpected error occurred.'),
  /** A scripted failure (FakeCrm.injectFault) for a status the CRM has no problem type of its own for. */
  injected: (status: number) => new FakeProblem(status, 'about:blank', 'Injected fault', `Injected ${status}.`),
};
