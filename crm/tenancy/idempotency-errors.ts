/** The problems of the Idempotency-Key protocol (RFC 9457 types of their own). */
import { HttpError } from '../http/errors.ts';

/** The same key arrived with a different request: 422, the stored response is not replayed. */
export class IdempotencyKeyReusedError extends HttpError {
  override name = 'IdempotencyKeyReusedError';
  readonly status = 422;
  readonly type = 'https://tenantproof.dev/problems/idempotency-key-reused';
  readonly title = 'Idempotency-Key reused';
  constructor() {
    super('This Idempotency-Key was used with a different request.');
  }
}

/** Another request with the same key is still running: retry later to get its response. */
export class IdempotencyInProgressError extends HttpError {
  override name = 'IdempotencyInProgressError';
  readonly status = 409;
  readonly type = 'https://tenantproof.dev/problems/idempotency-in-progress';
  readonly title = 'Request with this Idempotency-Key in progress';
  constructor() {
    super('A request with this Idempotency-Key is still in progress; retry it shortly.');
    this.headers['Retry-After'] = '1';
  }
}
